/**
 * CSS `aspect-ratio` only gives a size to an axis whose size is auto, as in Chromium (CSS Sizing 4;
 * patches/satori+0.63.2.patch, `vellumDefinite`/`vellumLimit`). satori handed the ratio to its
 * layout (Taffy) whatever the sizes, and Taffy's block layout sized an empty block from its width
 * and the ratio, so `width: 400px; height: 40px; aspect-ratio: 3.75` was 400×107. Taffy also moved
 * the min/max sizes of one axis through the ratio onto the other even when that one was definite
 * (`width: 200px; aspect-ratio: 2; max-height: 50px` was 100×50; `height: 20px; min-width: 100px`
 * was 100×50). Now: no ratio when both sizes are definite; in a block container with min/max sizes
 * the auto size is worked out from the px one; elsewhere (flex, grid) the limits of the auto axis
 * are kept off the definite one. Fidelity case 94-aspect-ratio-sizes. Fails loudly when an
 * upgrade drops the patch.
 */
import t from 'tap'
import { satoriBuildsCarry } from './satori-patch.js'
import { createRenderer } from '../../src/render/pipeline.js'
import { decodePng, near, pixel, renderJob } from '../helper.js'

satoriBuildsCarry({
  'no ratio for two definite sizes': 'if(G!==void 0&&g!=="img"){if(!(vellumDefinite(w.width,!1)&&vellumDefinite(w.height,!0))){',
  // No closing parenthesis: the own-font-units patch passes the font engine after it.
  'the style knows its formatting context': 'g.pointScaleFactor,g.listDepth,g.formattingContext,',
  'min/max kept off the definite axis': 'if(F.aspectRatio){let vellumW=vellumDefinite(w.width,!1),vellumH=vellumDefinite(w.height,!0);',
})

const blue = [0x33, 0x66, 0xcc, 255]
const red = [0xdc, 0x26, 0x26, 255]
const white = [255, 255, 255, 255]

/** Rows (at x) and columns (at y) painted `rgb`, from the top left: the box's height and width. */
function extent(png: ReturnType<typeof decodePng>, rgb: number[], x: number, y: number): { w: number; h: number } {
  let h = 0
  while (y + h < png.height && near(pixel(png, x, y + h), rgb)) h++
  let w = 0
  while (x + w < png.width && near(pixel(png, x + w, y), rgb)) w++
  return { w, h }
}

async function render(body: string, width = 500, height = 240) {
  const renderer = createRenderer()
  const html = `<body style="margin:0;background:#fff">${body}</body>`
  return decodePng(Buffer.from((await renderer.render(renderJob(html, { viewportWidth: width, viewportHeight: height }))).png))
}

t.test('width and height win over aspect-ratio (block, inline-block, percentages, calc)', async (t) => {
  const png = await render(`<div style="width:400px">
    <div style="width:400px;height:40px;aspect-ratio:3.75;background:#36c"></div><div style="height:10px;background:#dc2626"></div>
    <div style="width:50%;height:30px;aspect-ratio:1;background:#36c"></div><div style="height:10px;background:#dc2626"></div>
    <div style="width:calc(50% + 20px);height:20px;aspect-ratio:1;background:#36c"></div><div style="height:10px;background:#dc2626"></div>
    <div style="width:60px;height:20px;aspect-ratio:1;min-height:30px;background:#36c"></div></div>`)
  t.same(extent(png, blue, 0, 0), { w: 400, h: 40 }, 'width:400px;height:40px;aspect-ratio:3.75 is 400×40 (satori: 400×107)')
  t.ok(near(pixel(png, 200, 45), red), `the next block at 40 px: ${pixel(png, 200, 45)}`)
  t.same(extent(png, blue, 0, 50), { w: 200, h: 30 }, 'width:50%;height:30px;aspect-ratio:1 is 200×30')
  t.same(extent(png, blue, 0, 90), { w: 220, h: 20 }, 'width:calc(50% + 20px);height:20px;aspect-ratio:1 is 220×20')
  t.same(extent(png, blue, 0, 120), { w: 60, h: 30 }, 'min-height applies to the definite height, not through the ratio')
})

t.test('the ratio sizes the auto axis only; min/max of that axis do not move the definite one', async (t) => {
  const png = await render(`<div style="width:400px">
    <div style="height:40px;aspect-ratio:2;background:#36c"></div><div style="height:10px;background:#dc2626"></div>
    <div style="width:200px;aspect-ratio:2;max-height:50px;background:#36c"></div><div style="height:10px;background:#dc2626"></div>
    <div style="width:100px;aspect-ratio:2;min-height:60px;background:#36c"></div><div style="height:10px;background:#dc2626"></div>
    <div style="height:20px;aspect-ratio:2;min-width:100px;background:#36c"></div><div style="height:10px;background:#dc2626"></div>
    <div style="height:40px;aspect-ratio:2;max-width:50px;background:#36c"></div></div>`, 500, 260)
  t.same(extent(png, blue, 0, 0), { w: 80, h: 40 }, 'height:40px;aspect-ratio:2: width 80 from the ratio, not the stretch')
  t.same(extent(png, blue, 0, 50), { w: 200, h: 50 }, 'width:200px;max-height:50px: 200×50 (satori: 100×50)')
  t.same(extent(png, blue, 0, 110), { w: 100, h: 60 }, 'width:100px;min-height:60px: 100×60 (satori: 120×60)')
  t.same(extent(png, blue, 0, 180), { w: 100, h: 20 }, 'height:20px;min-width:100px: 100×20 (satori: 100×50)')
  t.same(extent(png, blue, 0, 210), { w: 50, h: 40 }, 'height:40px;max-width:50px: 50×40 (satori: 50×25)')
})

t.test('flex items: the ratio under stretch and limits', async (t) => {
  const png = await render(`<div style="display:flex;height:120px;width:500px;gap:10px">
    <div style="width:200px;aspect-ratio:2;max-height:50px;background:#36c"></div>
    <div style="width:60px;aspect-ratio:2;min-height:80px;background:#dc2626"></div>
    <div style="height:40px;aspect-ratio:16/9;width:auto;background:#36c;align-self:flex-start"></div></div>`)
  t.same(extent(png, blue, 0, 0), { w: 200, h: 50 }, 'stretched, then max-height: 200×50 (satori: 100×50)')
  t.ok(near(pixel(png, 205, 60), white), `the second item starts at 210 (satori: 110): ${pixel(png, 205, 60)}`)
  t.same(extent(png, red, 210, 0), { w: 60, h: 120 }, 'stretched over min-height: 60×120 (satori: 160 wide)')
  t.same(extent(png, blue, 280, 0), { w: 71, h: 40 }, 'height:40px;aspect-ratio:16/9 in a row: 71×40')
  t.ok(near(pixel(png, 360, 60), white), 'nothing else painted')
})
