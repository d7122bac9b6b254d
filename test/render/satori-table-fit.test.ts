/**
 * Two parts of the table layout in patches/satori+0.63.2.patch (with the fifth part's columns):
 * - a table sized by its content that is wider than its block is shrunk to the block's width,
 *   its columns shared out as Chromium's automatic layout does; unpatched it ran past the card
 *   and its text was cut off (fidelity case 79-table-shrink holds the pixels against Chromium);
 * - `border-collapse: collapse` draws one line where two cells' borders meet, as wide as the
 *   wider; unpatched every inner line was drawn twice (a 1px grid had 2px inner lines). The
 *   table's border and the outer cells' borders are one line too (fidelity case 104-table-caption).
 * Fails loudly when an upgrade drops the patch.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { PNG } from 'pngjs'
import { createRenderer } from '../../src/render/pipeline.js'
import { renderJob } from '../helper.js'

const require = createRequire(import.meta.url)
const dist = join(dirname(require.resolve('satori/package.json')), 'dist')
const renderer = createRenderer()
const render = async (html: string) => PNG.sync.read(Buffer.from((await renderer.render(renderJob(html))).png))
const hex = (png: PNG, x: number, y: number) => {
  const i = (y * png.width + x) * 4
  return '#' + [0, 1, 2].map((k) => png.data[i + k]!.toString(16).padStart(2, '0')).join('')
}
/** [colour, start, end) runs along row y. */
const runs = (png: PNG, y: number) => {
  const out: Array<[string, number, number]> = []
  for (let x = 0; x < png.width; x++) {
    const c = hex(png, x, y)
    const last = out[out.length - 1]
    if (last && last[0] === c) last[2] = x + 1
    else out.push([c, x, x + 1])
  }
  return out
}

t.test('both satori builds carry the patch once', async (t) => {
  for (const file of ['index.js', 'index.cjs']) {
    const text = readFileSync(join(dist, file), 'utf8')
    const hint = '(npm ci applies patches/satori+0.63.2.patch; regenerate it if satori was upgraded)'
    t.equal(text.split('node.vellumAutoWidth = table && s.width').length - 1, 1, `${file}: tables sized by content are shrunk ${hint}`)
    t.equal(text.split('function vellumCollapseCells').length - 1, 1, `${file}: collapsed borders ${hint}`)
    t.equal(text.split('vellumPaintStyles.set(layoutStyle, style)').length - 1, 1, `${file}: collapsed borders are painted as laid out ${hint}`)
  }
})

t.test('a table wider than its block is shrunk to the block', async (t) => {
  const long = 'Up to three projects with unlimited renders and email support during business hours'
  const png = await render(
    `<div style="width:300px;background:#ffffff"><table style="border-spacing:0;font:16px Roboto">` +
      `<tr><td style="background:#ff0000;padding:0">Starter</td><td style="background:#0000ff;padding:0;color:#0000ff">${long}</td></tr></table></div>`,
  )
  t.equal(png.width, 300)
  const row = runs(png, 2).filter(([c]) => c === '#ff0000' || c === '#0000ff')
  const blue = row.filter(([c]) => c === '#0000ff')
  t.ok(blue.length > 0 && blue[blue.length - 1]![2] === 300, `the last column ends at the block's edge (${JSON.stringify(row)})`)
  t.ok(png.height >= 3 * 18, `its text wraps over several lines (${png.height}px)`)
  const narrow = await render(`<div style="width:300px"><table style="border-spacing:0;font:16px Roboto"><tr><td style="background:#ff0000;padding:0;color:#ff0000">Short</td></tr></table></div>`)
  const red = runs(narrow, 2).filter(([c]) => c === '#ff0000')
  t.ok(red.length === 1 && red[0]![2] < 100, 'a table that fits keeps its content width')
})

t.test('collapsed borders: one line where two cells meet', async (t) => {
  const cell = (text: string) => `<td style="border:1px solid #000000;padding:4px;width:40px;background:#ffffff">${text}</td>`
  const table = (collapse: string) =>
    `<table style="border-collapse:${collapse};font:16px Roboto;color:#ffffff"><tr>${cell('a')}${cell('b')}${cell('c')}</tr><tr>${cell('d')}${cell('e')}${cell('f')}</tr></table>`
  const collapsed = await render(table('collapse'))
  const black = (png: PNG, y: number) => runs(png, y).filter(([c]) => c === '#000000').map(([, s, e]) => e - s)
  t.same(black(collapsed, 10), [1, 1, 1, 1], 'four 1px vertical lines across a row')
  t.equal(collapsed.width, 3 * 48 + 4, "three 48px cells and four 1px lines, as Chromium's 148px")
  const separate = await render(table('separate').replace('border-collapse:separate', 'border-collapse:separate;border-spacing:0'))
  t.same(black(separate, 10), [1, 2, 2, 1], 'border-spacing 0 without collapse: the inner borders side by side')
})

t.test("collapsed borders: the table's border and the outer cells' are one line, the wider", async (t) => {
  const cell = (text: string) => `<td style="border:1px solid #ff0000;padding:4px;width:40px;background:#ffffff">${text}</td>`
  const rows = `<tr>${cell('a')}${cell('b')}${cell('c')}</tr><tr>${cell('d')}${cell('e')}${cell('f')}</tr>`
  const lines = (png: PNG, y: number) => runs(png, y).filter(([c]) => c !== '#ffffff').map(([c, s, e]) => `${c}:${e - s}`)
  // A 2px table border around 1px cell borders: 2px of the table's colour on the outside, as in
  // Chromium (its 150px table), where the cells' outer borders were drawn inside the table's (3px).
  const wider = await render(`<table style="border-collapse:collapse;border:2px solid #0000ff;font:16px Roboto;color:#ffffff">${rows}</table>`)
  t.same(lines(wider, 10), ['#0000ff:2', '#ff0000:1', '#ff0000:1', '#0000ff:2'], 'the table line alone at its edges')
  t.equal(wider.width, 2 + 3 * 48 + 2 + 2, 'three 48px cells, two 1px inner lines and the 2px table border')
  const top = Array.from({ length: 4 }, (_, y) => hex(wider, 10, y))
  t.same(top, ['#0000ff', '#0000ff', '#ffffff', '#ffffff'], 'the first row starts under the 2px top line')
  // Cell borders wider than the table's: the cells' line, drawn over the table's.
  const thick = await render(
    `<table style="border-collapse:collapse;border:1px solid #0000ff;font:16px Roboto;color:#ffffff">${rows.replace(/1px solid #ff0000/g, '3px solid #ff0000')}</table>`,
  )
  t.same(lines(thick, 10), ['#ff0000:3', '#ff0000:3', '#ff0000:3', '#ff0000:3'], "the cells' 3px lines, none of the table's colour")
  t.equal(thick.width, 3 * 48 + 4 * 3, "three 48px cells and four 3px lines, as Chromium's 156px")
})
