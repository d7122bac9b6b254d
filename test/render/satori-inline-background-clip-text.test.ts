/**
 * `background-clip: text` on an inline element (a <span> in a <p>) fills its letters with its
 * background, as on a block (patches/satori+0.63.2.patch, `_vellumBctId`). satori wrote the text
 * <clipPath> under the element's id but clipped each line fragment's background with a clip of
 * the fragment's id, a reference to nothing, so resvg drew the whole gradient rectangle; the
 * fragments now use the element's clip, which holds the glyphs of every line. An inline
 * background split over lines is also positioned as Blink does (`box-decoration-break: slice`,
 * `_vellumSlice`): as if the fragments stood end to end, so a gradient runs on from one line to
 * the next instead of starting over on each. Fidelity case 90-gradient-text-inline. Fails
 * loudly when an upgrade drops the patch.
 */
import t from 'tap'
import { satoriBuildsCarry } from './satori-patch.js'
import type { PNG } from 'pngjs'
import { createRenderer } from '../../src/render/pipeline.js'
import { decodePng, pixel, renderJob } from '../helper.js'

satoriBuildsCarry({
  "fragments use the element's text clip": 'y=S==="text"?`url(#satori_bct-${n._vellumBctId??A})`',
  "fragments carry the element's id and strip": '{...l,_vellumBctId:I,_vellumSlice:_.fragments.length>1&&l.backgroundImage?',
  'backgrounds are positioned in the strip': 'origin:n._vellumSlice?',
  "the strip's box": '{left:g-n._vellumSlice[0],top:I,width:n._vellumSlice[1],height:B},n._vellumSlice[2],W.origin)',
})

const GRADIENT = 'background:linear-gradient(90deg,#00dfd8,#7928ca);-webkit-background-clip:text;background-clip:text;color:transparent'

/** The gradient's pixels (saturated, unlike the black text and the white page) in rows y0..y1. */
function gradientInk(png: PNG, y0: number, y1: number) {
  let count = 0
  let left = Infinity
  let right = -1
  let top = Infinity
  let bottom = -1
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < png.width; x++) {
      const [r, g, b] = pixel(png, x, y)
      if (Math.max(r, g, b) - Math.min(r, g, b) < 120) continue
      count++
      left = Math.min(left, x)
      right = Math.max(right, x)
      top = Math.min(top, y)
      bottom = Math.max(bottom, y)
    }
  }
  const area = count ? (right - left + 1) * (bottom - top + 1) : 0
  return { count, left, top, area, share: area ? count / area : 0 }
}

t.test('the gradient of an inline span fills its letters, not its box', async (t) => {
  const renderer = createRenderer()
  const html = `<p style="font:700 48px Roboto;margin:0;line-height:60px">Ship <span style="${GRADIENT}">Edge</span></p>`
  const png = decodePng(Buffer.from((await renderer.render(renderJob(html, { viewportWidth: 300, viewportHeight: 60 }))).png))
  const ink = gradientInk(png, 0, 60)
  t.ok(ink.count > 400, `the letters are drawn in the gradient: ${ink.count} px`)
  // "Edge" covers under half of the box around its glyphs; the unclipped rectangle all of it.
  t.ok(ink.share < 0.6, `gradient pixels are ${(ink.share * 100).toFixed(0)} % of their bounding box (a filled rectangle: 100 %)`)
})

t.test('a span wrapping over two lines clips each line to its letters, the gradient running on', async (t) => {
  const renderer = createRenderer()
  // The span wraps after "worldwide": line 1 holds "A worldwide", line 2 "edge", a third of it.
  const html = `<p style="font:700 40px Roboto;margin:0;line-height:60px;width:260px">A <span style="${GRADIENT}">worldwide edge</span></p>`
  const png = decodePng(Buffer.from((await renderer.render(renderJob(html, { viewportWidth: 300, viewportHeight: 120 }))).png))
  const first = gradientInk(png, 0, 60)
  const second = gradientInk(png, 60, 120)
  t.ok(first.count > 400 && second.count > 400, `both lines draw gradient letters: ${first.count} and ${second.count} px`)
  t.ok(first.share < 0.6 && second.share < 0.6, `and only letters: ${(first.share * 100).toFixed(0)} % and ${(second.share * 100).toFixed(0)} % of their boxes`)
  // How green (not red) each line's first letter is, over the gradient pixels of its first 8
  // columns: restarted on each line, both would be the cyan the gradient starts with (green −
  // red ≈ 220); run on like in Chromium, line 2 starts two thirds along, near the purple (≈ 10).
  const greenness = (left: number, y0: number) => {
    let sum = 0
    let n = 0
    for (let y = y0; y < y0 + 60; y++) {
      for (let x = left; x < left + 8; x++) {
        const [r, g, b] = pixel(png, x, y)
        if (Math.max(r, g, b) - Math.min(r, g, b) < 120) continue
        sum += g - r
        n++
      }
    }
    return n ? sum / n : 0
  }
  const start1 = greenness(first.left, 0)
  const start2 = greenness(second.left, 60)
  t.ok(start1 - start2 > 100, `line 2 starts further along the gradient than line 1: green − red ${start2.toFixed(0)} after ${start1.toFixed(0)}`)
})
