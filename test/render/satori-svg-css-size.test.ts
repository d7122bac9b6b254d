/**
 * An inline <svg viewBox> given both a width and a height (CSS or attributes) takes that size,
 * and its viewBox is fitted into it by its `preserveAspectRatio`, as in Chromium
 * (patches/satori+0.63.2.patch, `vellumDefinite`). satori always gave the box the viewBox's
 * ratio, so `width: 100%; height: 40px` on a 300×80 viewBox made a 400×107 box; the ratio now only
 * sizes a box with at most one definite size (a percentage height counts as indefinite). The SVG
 * image it draws is sized by its viewBox, so a percentage `width` attribute no longer gives the
 * image a size of its own that the box then letterboxes a second time. Fidelity case
 * 92-svg-css-size. Fails loudly when an upgrade drops the patch.
 */
import t from 'tap'
import { satoriBuildsCarry } from './satori-patch.js'
import { createRenderer } from '../../src/render/pipeline.js'
import { decodePng, near, pixel, renderJob } from '../helper.js'

satoriBuildsCarry({
  'the viewBox ratio only for an open size': 'G===void 0&&k&&!(vellumDefinite(w.width,!1)&&vellumDefinite(w.height,!0))&&(l=1/k)',
  'the image sized by its viewBox': 'D&&D[2]>0&&D[3]>0?(Q=D[2],i=D[3]):',
})

const green = [0x16, 0xa3, 0x4a, 255]
const blue = [0x25, 0x63, 0xeb, 255]
const red = [0xdc, 0x26, 0x26, 255]
const grey = [0xee, 0xee, 0xee, 255]

t.test('width: 100% and height: 40px stretch a preserveAspectRatio="none" viewBox to 400×40', async (t) => {
  const renderer = createRenderer()
  const html = `<body style="margin:0"><div style="width:400px;background:#eee">
    <svg viewBox="0 0 300 80" preserveAspectRatio="none" style="display:block;width:100%;height:40px"><rect width="300" height="80" fill="#16a34a"/></svg>
    <div style="height:20px;background:#dc2626"></div></div></body>`
  const png = decodePng(Buffer.from((await renderer.render(renderJob(html, { viewportWidth: 400, viewportHeight: 120 }))).png))
  t.ok(near(pixel(png, 2, 2), green) && near(pixel(png, 397, 37), green), `the svg fills 400×40: ${pixel(png, 397, 37)}`)
  t.ok(near(pixel(png, 200, 50), red), `the next block starts at 40 px (satori: 107): ${pixel(png, 200, 50)}`)
})

t.test('width="100%" height="40" letterbox a 100×20 viewBox, centred, at twice its size', async (t) => {
  const renderer = createRenderer()
  const html = `<body style="margin:0"><div style="width:400px;background:#eee">
    <svg viewBox="0 0 100 20" width="100%" height="40" style="display:block"><rect width="100" height="20" fill="#2563eb"/></svg>
    <div style="height:20px;background:#dc2626"></div></div></body>`
  const png = decodePng(Buffer.from((await renderer.render(renderJob(html, { viewportWidth: 400, viewportHeight: 120 }))).png))
  // xMidYMid meet: scale min(400 / 100, 40 / 20) = 2, so 200×40 at x 100..300.
  t.ok(near(pixel(png, 90, 20), grey) && near(pixel(png, 310, 20), grey), `beside the drawing the box is empty: ${pixel(png, 90, 20)} ${pixel(png, 310, 20)}`)
  t.ok(near(pixel(png, 104, 2), blue) && near(pixel(png, 296, 37), blue), `the drawing spans x 100..300, y 0..40: ${pixel(png, 104, 2)} ${pixel(png, 296, 37)}`)
  t.ok(near(pixel(png, 200, 50), red), `the box is 40 px high: ${pixel(png, 200, 50)}`)
})
