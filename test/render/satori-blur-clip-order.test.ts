/**
 * `filter` applies before an ancestor's overflow clip, as Chromium paints it
 * (patches/satori+0.63.2.patch): a blurred glow orb inside an `overflow:hidden` card stays solid
 * up to the card's edge. satori clipped each shape of the filtered element to the overflow
 * parent first and blurred the clipped shape, so the orb faded towards the clip edge (a 30px
 * blur: 40 % transparent at the corner). The inherited clip and mask now go on a group around
 * the filtered group; the mask through a copy in user space, since an objectBoundingBox mask
 * region on the group (its unblurred shapes ± 10 %) would cut the glow off. Fails loudly when an
 * upgrade drops the patch.
 */
import t from 'tap'
import { satoriBuildsCarry } from './satori-patch.js'
import { near, pixel, renderPng } from '../helper.js'

satoriBuildsCarry({
  'clip saved': 'let vellumFilterClip=l._filters&&l._filters.length?',
  'clip wrapped': 'mask:vellumFilterClip[1]?`url(#satori_fm-${I})`',
})

const CYAN = [6, 182, 212]
const NAVY = [11, 16, 32]

const render = (html: string, width: number, height: number) => renderPng(html, { viewportWidth: width, viewportHeight: height, css: 'body{margin:0;background:#fff}' })

t.test('a blurred orb in an overflow:hidden card is blurred, then clipped', async (t) => {
  const png = await render(`<div style="position:relative;width:300px;height:160px;overflow:hidden;background:#0b1020">
    <div style="position:absolute;width:240px;height:240px;right:-60px;bottom:-80px;border-radius:50%;background:#06b6d4;filter:blur(30px)"></div></div>`, 320, 180)
  // Chromium: 6,173,202 at the card's corner, 50px inside the orb's edge (satori: faded to ~60 %).
  t.ok(near(pixel(png, 298, 158).slice(0, 3), [6, 173, 202], 8), `corner: ${pixel(png, 298, 158)}`)
  t.ok(near(pixel(png, 250, 158).slice(0, 3), CYAN, 12), `bottom edge: ${pixel(png, 250, 158)}`)
  // Still clipped: nothing outside the card.
  t.ok(near(pixel(png, 305, 150).slice(0, 3), [255, 255, 255], 4), `right of the card: ${pixel(png, 305, 150)}`)
  t.ok(near(pixel(png, 250, 170).slice(0, 3), [255, 255, 255], 4), `below the card: ${pixel(png, 250, 170)}`)
  t.ok(near(pixel(png, 5, 5).slice(0, 3), NAVY, 6), `far corner: ${pixel(png, 5, 5)}`)
})

t.test('a small orb in a rounded card: the glow reaches past its box, the round corner clips it', async (t) => {
  // A 40px orb blurred 20px glows ~60px out; the card's 40px radius still cuts the corner.
  const png = await render(`<div style="position:relative;width:300px;height:160px;overflow:hidden;border-radius:40px;background:#0b1020">
    <div style="position:absolute;width:40px;height:40px;left:100px;top:60px;border-radius:50%;background:#06b6d4;filter:blur(20px);opacity:.9"></div>
    <div style="position:absolute;width:200px;height:200px;left:180px;top:60px;border-radius:50%;background:#06b6d4;filter:blur(10px)"></div></div>`, 320, 180)
  const glow = pixel(png, 150, 80)
  t.ok(glow[1] - NAVY[1] > 12, `35px right of the small orb's centre it still glows: ${glow}`)
  t.ok(near(pixel(png, 297, 157).slice(0, 3), [255, 255, 255], 4), `outside the round corner: ${pixel(png, 297, 157)}`)
  t.ok(near(pixel(png, 280, 150).slice(0, 3), CYAN, 12), `inside it, solid: ${pixel(png, 280, 150)}`)
})
