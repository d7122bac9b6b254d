/**
 * An inline-flex or inline-grid box sits on the line by its first item's baseline (css-flexbox
 * §8.5, css-grid §11.8), through patches/satori+0.63.2.patch: the shared baseline of first-line
 * items aligned by `baseline`, else the first item's first baseline, else (an empty dot, an
 * image) the bottom of that item's border box; `overflow` does not change it. satori treated
 * them as inline-blocks (the last line's baseline, the margin box under overflow:hidden), so a
 * status pill led by a 6px dot made its line 18px instead of Chromium's 19 and a column of
 * labels sat on its last label (case 112-status-pills: 299 px tall in Chromium, 295 before,
 * 2.76 → 0.56 %, ink 26.51 → 6.67 %). Fails loudly when an upgrade drops the patch.
 */
import t from 'tap'
import type { PNG } from 'pngjs'
import { satoriBuildsCarry } from './satori-patch.js'
import { createRenderer } from '../../src/render/pipeline.js'
import { decodePng, pixel, renderJob } from '../helper.js'

satoriBuildsCarry({
  'first-item baseline of flex and grid boxes': 'function vellumItemsBaseline(A,g){',
  // Preceded by the drop-down select's test (satori-select-baseline.test.ts).
  'used for inline-flex and inline-grid atoms': ':g.style.__innerDisplay==="flex"||g.style.__innerDisplay==="grid"?vellumItemsBaseline(',
  'first line of an inline formatting context': 'this.node.firstBaseline=C=>{this.flow(C);let B=this.lines[0];',
})

/** First and last rows holding a pixel of the given red/green/blue kind. */
function rows(png: PNG, match: (p: number[]) => boolean): [number, number] {
  let top = -1
  let bottom = -1
  for (let y = 0; y < png.height; y++) for (let x = 0; x < png.width; x++) if (match(pixel(png, x, y))) { if (top < 0) top = y; bottom = y }
  return [top, bottom]
}

const white = (p: number[]) => p[0]! > 250 && p[1]! > 250 && p[2]! > 250
const magenta = (p: number[]) => p[0]! > 120 && p[2]! > 120 && p[1]! < 60

t.test('lines holding inline-flex and inline-grid boxes are as tall as in Chromium, the box and the text where Chromium puts them', async (t) => {
  const renderer = createRenderer()
  const dot = '<i style="width:6px;height:6px;background:#f00"></i>'
  // Chromium with the same Roboto files: [line height, white box rows, magenta "x" rows]. Unpatched,
  // each box sat on its text's baseline: 18px lines (16 for the grid) with the box 1–5px higher.
  const chromium: Array<[string, string, number, [number, number], [number, number]]> = [
    ['dot first, centred', `display:inline-flex;align-items:center;gap:6px`, 19, [1, 18], [5, 12]],
    ['dot first, at the top', `display:inline-flex;gap:6px`, 23, [5, 22], [5, 12]],
    ['dot first, overflow hidden', `display:inline-flex;align-items:center;overflow:hidden`, 19, [1, 18], [5, 12]],
    ['inline-grid', `display:inline-grid;align-items:center`, 16, [5, 14], [5, 12]],
  ]
  for (const [name, style, height, box, x] of chromium) {
    const html = `<div style="font:14px Roboto;background:#000;color:#f0f">x<span style="${style};font-size:12px;padding:2px 8px;background:#fff;color:#000">${dot}${name.includes('grid') ? '' : 'Operational'}</span></div>`
    const png = decodePng(Buffer.from((await renderer.render(renderJob(html))).png))
    t.equal(png.height, height, `${name}: line height`)
    t.same(rows(png, white), box, `${name}: the box`)
    const [top] = rows(png, magenta)
    t.ok(Math.abs(top - x[0]) <= 1, `${name}: the text before it on the same baseline (x top ${top}, Chromium ${x[0]})`)
  }
})

t.test('a column of labels sits on its first label, not its last', async (t) => {
  const renderer = createRenderer()
  const html = `<div style="font:14px Roboto;background:#000;color:#f0f">x<span style="display:inline-flex;flex-direction:column;font-size:12px;padding:2px 8px;background:#fff;color:#000"><span>One</span><span>Two</span></span></div>`
  const png = decodePng(Buffer.from((await renderer.render(renderJob(html))).png))
  t.equal(png.height, 32)
  // Chromium: the "x" at rows 5–12, beside "One" (19–26 on the last baseline).
  const [top] = rows(png, magenta)
  t.ok(Math.abs(top - 5) <= 1, `x top ${top}`)
})
