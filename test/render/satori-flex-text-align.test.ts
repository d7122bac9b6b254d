/**
 * Bare text directly inside a flex or grid container follows `text-align`, as in Chromium
 * (patches/satori+0.63.2.patch): the anonymous item is stretched across the container, and its
 * one line is centred or pushed right in it. satori aligned only text of two or more lines (or a
 * block paragraph), so `display:flex;flex-direction:column;text-align:center` left a one-line
 * label at the left while a wrapped `<b>` child was centred (case 98-flex-text-align: 3.29 →
 * 0.10 %, ink 46.16 → 2.33 %). Fails loudly when an upgrade drops the patch.
 */
import t from 'tap'
import { satoriBuildsCarry } from './satori-patch.js'
import type { PNG } from 'pngjs'
import { createRenderer } from '../../src/render/pipeline.js'
import { decodePng, pixel, renderJob } from '../helper.js'

satoriBuildsCarry({
  'one-line text aligned': 'm.length>1||FA==="right"||FA==="center"){if(FA==="right")',
})

/** First and last columns with dark ink in rows [y0, y1). */
function ink(png: PNG, y0: number, y1: number) {
  let left = Infinity
  let right = -Infinity
  for (let y = y0; y < y1; y++) for (let x = 0; x < png.width; x++) if (pixel(png, x, y)[0] < 128) { left = Math.min(left, x); right = Math.max(right, x) }
  return { left, right }
}

t.test('one line of bare text in a flex column or a grid is aligned in the container', async (t) => {
  const renderer = createRenderer()
  const html = `<div style="font:20px sans-serif;line-height:40px">
    <div style="display:flex;flex-direction:column;text-align:center;width:300px">column text</div>
    <div style="display:grid;text-align:center;width:300px">grid text</div>
    <div style="display:flex;flex-direction:column;text-align:right;width:300px">right text</div>
    <div style="display:flex;flex-direction:column;width:300px">left text</div></div>`
  const png = decodePng(Buffer.from((await renderer.render(renderJob(html, { viewportWidth: 300, viewportHeight: 160, css: 'body{margin:0}' }))).png))
  for (const [name, y] of [['flex column', 0], ['grid', 40]] as const) {
    const { left, right } = ink(png, y, y + 40)
    t.ok(Math.abs(left + right - 300) <= 4, `${name}: centred, ink ${left}–${right}`)
  }
  const right = ink(png, 80, 120)
  t.ok(right.right >= 296 && right.left > 150, `right: ink ${right.left}–${right.right}`)
  const left = ink(png, 120, 160)
  t.ok(left.left <= 3 && left.right < 150, `start stays left: ink ${left.left}–${left.right}`)
})
