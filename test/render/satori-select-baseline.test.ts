/**
 * A drop-down `<select>` sits on its label's baseline, as Chromium's menu list does (a flex box
 * inside, so its first line), through patches/satori+0.63.2.patch: satori took the last line of
 * the hidden option list that sizes the select's width, 16px under the label at 13.33px, so a
 * `<button>` beside a select sat 9–15px below it and everything below followed (case
 * 102-form-controls: 8.83 → 3.77 %; the user-agent `select { vertical-align: -0.3em }` that
 * made up part of it is gone). Push-button inputs get the button's box
 * (user-agent-css.ts). Fails loudly when an upgrade drops the patch.
 */
import t from 'tap'
import type { PNG } from 'pngjs'
import { satoriBuildsCarry } from './satori-patch.js'
import { pixel, renderPng } from '../helper.js'

satoriBuildsCarry({
  'drop-down test': 'function vellumDropdown(A){',
  'atoms of drop-down selects marked': 'K=S==="inline"&&!u?{node:d,style:l,vellumFirst:r==="select"&&vellumDropdown(a)}:void 0',
  'their baseline is their label’s': 'r=g.vellumFirst?vellumItemsBaseline(B,!1):',
})

const edge = (p: number[]) => p.slice(0, 3).every((c) => Math.abs(c - 0x76) < 12)
const magenta = (p: number[]) => p[0]! > 120 && p[2]! > 120 && p[1]! < 60

/** First and last rows in columns [x0, x1) holding a matching pixel. */
function rows(png: PNG, x0: number, x1: number, match: (p: number[]) => boolean): [number, number] {
  let top = -1
  let bottom = -1
  for (let y = 0; y < png.height; y++) for (let x = x0; x < x1; x++) if (match(pixel(png, x, y))) { if (top < 0) top = y; bottom = y }
  return [top, bottom]
}

/** Left and right columns holding an edge pixel. */
function columns(png: PNG): [number, number] {
  let left = -1
  let right = -1
  for (let x = 0; x < png.width; x++) for (let y = 0; y < png.height; y++) if (edge(pixel(png, x, y))) { if (left < 0) left = x; right = x; break }
  return [left, right]
}

const page = (body: string) => `<body style="margin:0;background:#fff"><div style="font:15px sans-serif;color:#111827"><span style="color:#f0f">x</span>${body}</div></body>`

t.test('a select and a button on one line are level, on the text’s baseline', async (t) => {
  const png = await renderPng(page('<select><option>Small</option><option selected>Medium</option><option>Large</option></select> <button>Send</button>'))
  // The select's edges in x 10–70, the button's past 80 (Chromium: both tops on one row, labels on one baseline).
  const select = rows(png, 10, 70, edge)
  const button = rows(png, 80, 120, edge)
  t.ok(Math.abs(select[0] - button[0]) <= 1, `tops level (select ${select[0]}, button ${button[0]}); unpatched, 15px lower`)
  t.equal(button[0], 0, 'the button starts the line: its baseline (15px down) is the line’s')
  const [, xBottom] = rows(png, 0, 8, magenta)
  t.ok(Math.abs(xBottom + 1 - 15) <= 1, `the text beside them on that baseline (x ends on row ${xBottom})`)
})

t.test('a listbox select keeps its own baseline', async (t) => {
  const png = await renderPng(page('<select size="3"><option>One</option><option>Two</option><option>Three</option></select>'))
  const [top, bottom] = rows(png, 10, 60, edge)
  t.ok(bottom - top > 40, 'three rows tall')
})

t.test('push-button inputs are drawn as a button, the value (or Submit / Reset) as the label', async (t) => {
  const button = await renderPng(page('<button>Submit</button>'))
  const submit = await renderPng(page('<input type="submit">'))
  t.same(columns(submit), columns(button), 'the same width as <button>Submit</button>')
  t.same(rows(submit, 0, 100, edge), rows(button, 0, 100, edge), 'and the same height and place')
  t.same(pixel(submit, 20, 3).slice(0, 3), [0xef, 0xef, 0xef], 'the button’s grey face, not a field’s white')
  const value = await renderPng(page('<input type="button" value="Go ahead">'))
  const named = await renderPng(page('<button>Go ahead</button>'))
  t.same(columns(value), columns(named), 'a value is the label')
  const reset = await renderPng(page('<input type="reset">'))
  const resetButton = await renderPng(page('<button>Reset</button>'))
  t.same(columns(reset), columns(resetButton), 'reset reads Reset')
})
