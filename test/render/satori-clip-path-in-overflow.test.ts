/**
 * An element's own `clip-path` applies inside an `overflow: hidden` ancestor, and clips its
 * border too (patches/satori+0.63.2.patch, `vellumOwnClip`). satori clipped the element's shapes
 * with the ancestor's clip when there was one, else with its own, so inside a clipping card a
 * clipped panel was drawn whole; and it clipped borders with the ancestor's clip only, so a
 * `clip-path: circle()` box kept its square border. The element's own <clipPath> is itself
 * clipped by the ancestor's, so using it applies both, as Chromium does. Fidelity case
 * 91-clip-path-in-overflow. Fails loudly when an upgrade drops the patch.
 */
import t from 'tap'
import { satoriBuildsCarry } from './satori-patch.js'
import { createRenderer } from '../../src/render/pipeline.js'
import { decodePng, near, pixel, renderJob } from '../helper.js'

satoriBuildsCarry({
  'shapes use the own clip': 'vellumOwnClip=S!=="text"&&n.clipPath&&n.clipPath!=="none"&&/^<clipPath[^>]* transform="translate\\(/.test(Y)&&!!(y=',
  'so do borders': 'currentClipPathId:vellumOwnClip?`satori_cp-${A}`:x,',
})

t.test('a clip-path inside an overflow: hidden parent clips by both', async (t) => {
  const renderer = createRenderer()
  // A 400×160 navy card clipping a yellow panel with a red border at x 100..456, y 0..176,
  // cut to a trapezoid: its top edge starts at 40 % (x 242), its slanted side meets the bottom
  // left corner.
  const html = `<div style="width:400px;height:160px;background:#1e1b4b;overflow:hidden">
    <div style="margin-left:100px;width:340px;height:160px;background:#facc15;border:8px solid #dc2626;clip-path:polygon(40% 0,100% 0,100% 100%,0 100%)"></div></div>`
  const png = decodePng(Buffer.from((await renderer.render(renderJob(`<body style="margin:0">${html}</body>`, { viewportWidth: 460, viewportHeight: 180 }))).png))
  const navy = [0x1e, 0x1b, 0x4b, 255]
  const yellow = [0xfa, 0xcc, 0x15, 255]
  const red = [0xdc, 0x26, 0x26, 255]
  const white = [255, 255, 255, 255]
  t.ok(near(pixel(png, 300, 80), yellow), `inside both clips the panel is drawn: ${pixel(png, 300, 80)}`)
  t.ok(near(pixel(png, 300, 3), red), `with its border where the trapezoid holds it: ${pixel(png, 300, 3)}`)
  t.ok(near(pixel(png, 130, 20), navy), `left of the slanted side the card shows, not the panel: ${pixel(png, 130, 20)}`)
  t.ok(near(pixel(png, 104, 100), navy), `the panel's left border is clipped away too: ${pixel(png, 104, 100)}`)
  t.ok(near(pixel(png, 430, 80), white), `right of the card the card's clip cuts the panel: ${pixel(png, 430, 80)}`)
  t.ok(near(pixel(png, 300, 170), white), `and below it: ${pixel(png, 300, 170)}`)
})
