/**
 * Table columns as Chromium's automatic table layout sizes them, through patches/satori+0.63.2.patch
 * (fifth part). A table is a grid of `auto` tracks (src/render/document/tables.ts); unpatched, a
 * table wider than its content shared the extra width equally between the columns (a 500px table
 * of `a | bbbbbbbbbb | cc` had three 163px columns where Chromium has 43, 373 and 76), and a table
 * narrower than its content wrapped every column alike. Fails loudly when an upgrade drops the patch.
 *
 * The expected figures are Chromium's (getBoundingClientRect of each cell, same Roboto files, see
 * the commit that added this test): every cell has its own background, and the test finds where
 * each colour runs along one pixel row. A cell edge at a fractional x blends one pixel, so a run
 * may start or end a pixel inside the cell's exact box.
 */
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { PNG } from 'pngjs'
import { createRenderer } from '../../src/render/pipeline.js'
import { renderJob } from '../helper.js'

const require = createRequire(import.meta.url)
const dist = join(dirname(require.resolve('satori/package.json')), 'dist')

const COLOURS = ['#ff0000', '#00c000', '#0000ff', '#ffa000']

interface Cell { text: string, style?: string, attrs?: string }
const row = (cells: (string | Cell)[]) => '<tr>' + cells.map((c, i) => {
  const cell = typeof c === 'string' ? { text: c } : c
  return `<td style="background:${COLOURS[i]}${cell.style ?? ''}"${cell.attrs ?? ''}>${cell.text}</td>`
}).join('') + '</tr>'

/** Where each cell colour runs along row y of the picture: [start, end) in whole pixels. */
function colourRuns(png: PNG, y: number): [number, number, number][] {
  const runs: [number, number, number][] = []
  let current = -1
  let start = 0
  for (let x = 0; x <= png.width; x++) {
    let colour = -1
    if (x < png.width) {
      const i = (y * png.width + x) * 4
      const hex = '#' + [0, 1, 2].map((k) => png.data[i + k]!.toString(16).padStart(2, '0')).join('')
      colour = COLOURS.indexOf(hex)
    }
    if (colour !== current) {
      if (current >= 0) runs.push([current, start, x])
      current = colour
      start = x
    }
  }
  return runs
}

const renderer = createRenderer()
const render = async (html: string) => PNG.sync.read(Buffer.from((await renderer.render(renderJob(html))).png))

/** Chromium's cells of one row, [left, width] relative to the table, against the picture's runs. */
function sameColumns(t: Test, png: PNG, y: number, chromium: [number, number][], label: string) {
  const runs = colourRuns(png, y)
  t.equal(runs.length, chromium.length, `${label}: one run per cell (${JSON.stringify(runs)})`)
  chromium.forEach(([left, width], i) => {
    const [, start, end] = runs[i] ?? [0, NaN, NaN]
    t.ok(start >= Math.floor(left) && start <= Math.ceil(left), `${label}, cell ${i}: starts at ${start}, Chromium ${left}`)
    t.ok(end >= Math.floor(left + width) && end <= Math.ceil(left + width), `${label}, cell ${i}: ends at ${end}, Chromium ${left + width}`)
  })
}

t.test('both satori builds carry the patch once', async (t) => {
  for (const file of ['index.js', 'index.cjs']) {
    const text = readFileSync(join(dist, file), 'utf8')
    t.equal(text.split('function vellumTableLayout').length - 1, 1, `${file}: the table column layout (npm ci applies patches/satori+0.63.2.patch; regenerate it if satori was upgraded)`)
    t.equal(text.split('(m,y)=>vellumTableLayout(m,y,').length - 1, 1, `${file}: computeLayout goes through it (inside the multicol layout)`)
  }
})

t.test('a table wider than its content gives the extra width in proportion to max-content widths', async (t) => {
  const png = await render(`<table style="width:500px;font:16px Roboto">${row(['a', 'bbbbbbbbbb', 'cc'])}</table>`)
  sameColumns(t, png, 3, [[2, 43.406], [47.406, 372.531], [421.938, 76.063]], '500px')
})

t.test('a table narrower than its content gives each column its min-content width and shares the rest by (max - min)', async (t) => {
  const png = await render(`<table style="width:300px;font:16px Roboto">${row(['one two three four five six', 'alpha beta gamma', 'x'])}</table>`)
  sameColumns(t, png, 3, [[2, 160.344], [164.344, 121.703], [288.047, 9.953]], '300px')
  t.equal(png.height, 44, 'two lines, as in Chromium')
})

t.test('a table narrower than its columns\' min-content widths widens to them', async (t) => {
  const png = await render(`<table style="width:120px;font:16px Roboto">${row(['extraordinary words', 'antidisestablishment'])}</table>`)
  sameColumns(t, png, 3, [[2, 95.453], [99.453, 150.938]], '120px')
  t.equal(png.width, 253, 'Chromium\'s table is 252.39px wide')
})

t.test('a colspan cell spreads over its columns; a cell with a width keeps it', async (t) => {
  const spanned = await render(`<table style="width:400px;font:16px Roboto">${row([{ text: 'a long spanning header cell', attrs: ' colspan="2"' }, 'z'])}${row(['a', 'bb', 'ccc'])}</table>`)
  sameColumns(t, spanned, 3, [[2, 345.969], [349.969, 48.031]], 'colspan row')
  sameColumns(t, spanned, 25, [[2, 120.016], [124.016, 223.953], [349.969, 48.031]], 'row under it')
  const fixed = await render(`<table style="width:500px;font:16px Roboto">${row([{ text: 'fixed', style: ';width:100px' }, 'auto one', 'auto column two'])}</table>`)
  sameColumns(t, fixed, 3, [[2, 102], [106, 135.016], [243.016, 254.984]], 'fixed first column')
})

t.test('a cell\'s percentage sizes its column; a table in a cell is sized after the outer columns', async (t) => {
  const percent = await render(`<table style="width:400px;font:16px Roboto">${row([{ text: 'a', style: ';width:30%' }, 'bb', 'cccc cccc'])}</table>`)
  sameColumns(t, percent, 3, [[2, 117.594], [121.594, 58.953], [182.547, 215.453]], '30% first column')
  const inner = '<table style="width:100%"><tr><td style="background:#0000ff">x</td><td style="background:#ffa000">yyyy</td></tr></table>'
  const nested = await render(`<div style="width:300px"><table style="width:100%;font:16px Roboto">${row([{ text: `a${inner}` }, 'bb'])}</table></div>`)
  sameColumns(t, nested, 3, [[2, 210.344], [214.344, 83.656]], 'outer table')
  // The inner table starts at x = 3 (outer spacing 2px, cell padding 1px): its cells, without the
  // red of the outer cell around them.
  const runs = colourRuns(nested, 30).filter(([colour]) => colour === 2 || colour === 3)
  t.same(runs.map(([c]) => c), [2, 3], 'inner cells')
  const chromium: [number, number][] = [[5, 52.625], [54.625, 209.344]]
  runs.forEach(([, start, end], i) => {
    t.ok(Math.abs(start - chromium[i]![0]) <= 1 && Math.abs(end - chromium[i]![1]) <= 1, `inner cell ${i}: ${start}-${end}, Chromium ${chromium[i]}`)
  })
})

t.test('the comparison table of fidelity case 65 (600px, border-collapse)', async (t) => {
  const cell = (text: string, i: number) => `<td style="padding:10px 12px;background:${COLOURS[i]}">${text}</td>`
  const rows = [['Monthly renders', '1,000', '50,000', 'Unlimited'], ['Custom fonts and templates with signed URLs', '—', '✔', '✔'],
    ['Support', 'Community', 'Email, 48 h', 'Dedicated engineer']]
  const png = await render(`<table style="width:600px;border-collapse:collapse;font:15px Roboto">${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</table>`)
  sameColumns(t, png, 3, [[0, 272.203], [272.203, 100.844], [373.047, 89.656], [462.703, 137.297]], '600px')
})

t.test('min-content text does not count the space that ends a line (second edit of the same part)', async (t) => {
  // Chromium: 93.453125px, the width of `extraordinary`; satori counted its space too (97.4px).
  const png = await render('<div style="display:flex"><div style="width:min-content;background:#ff0000;font:16px Roboto">extraordinary words</div></div>')
  const [run] = colourRuns(png, 2)
  t.equal(run?.[2], 93, 'red ends where Chromium\'s box does')
})
