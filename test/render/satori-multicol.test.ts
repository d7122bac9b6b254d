/**
 * Multi-column layout through patches/satori+0.63.2.patch (sixth part), and the sign of HarfBuzz's
 * vertical glyph offsets in satori's text drawing (the same patch). Unpatched, `columns` was
 * ignored (one column, as tall as all the content), and every mark HarfBuzz places with a y
 * offset was drawn mirrored about its base: Noto Sans Arabic builds ق ة ي from a dotless letter
 * and dot marks, so their dots fell into the letter and قائمة read فائمه (fidelity case
 * 77-arabic-dots holds the pixels against Chromium's). Fails loudly when an upgrade drops the patch.
 *
 * The figures are what CSS Multi-column Layout prescribes and Chromium draws: the used column
 * width is (content width − (count − 1) × gap) / count, columns are balanced, the margin before a
 * column break is dropped, and a paragraph keeps two lines on each side of a break when it can.
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
const rgb = (png: PNG, x: number, y: number) => {
  const i = (Math.floor(y) * png.width + Math.floor(x)) * 4
  return '#' + [0, 1, 2].map((k) => png.data[i + k]!.toString(16).padStart(2, '0')).join('')
}

t.test('both satori builds carry the patch once', async (t) => {
  for (const file of ['index.js', 'index.cjs']) {
    const text = readFileSync(join(dist, file), 'utf8')
    const hint = '(npm ci applies patches/satori+0.63.2.patch; regenerate it if satori was upgraded)'
    t.equal(text.split('function vellumColumnsLayout').length - 1, 1, `${file}: the multicol layout ${hint}`)
    t.equal(text.split('computeLayout(E,O){return vellumColumnsLayout(E,O,').length - 1, 1, `${file}: computeLayout goes through it ${hint}`)
    t.equal(text.split('z=c-Y.dy*b').length - 1, 1, `${file}: glyph y offsets drawn upwards ${hint}`)
  }
})

t.test('blocks are balanced over column-count columns of the used width', async (t) => {
  const colours = ['#ff0000', '#00c000', '#0000ff', '#ffa000', '#00c0c0', '#c000c0']
  const blocks = colours.map((c) => `<div style="height:30px;background:${c}"></div>`).join('')
  const png = await render(`<div style="width:320px;column-count:3;column-gap:20px;background:#ffffff">${blocks}</div>`)
  t.equal(png.height, 60, 'the container is as tall as the balanced columns (two blocks each)')
  const width = (320 - 2 * 20) / 3
  colours.forEach((colour, i) => {
    const column = Math.floor(i / 2)
    const x = column * (width + 20)
    const y = (i % 2) * 30
    t.equal(rgb(png, x + width / 2, y + 15), colour, `block ${i + 1} in column ${column + 1}`)
    if (column < 2) t.equal(rgb(png, x + width + 10, y + 15), '#ffffff', `the gap after column ${column + 1}`)
  })
})

t.test('the columns shorthand: a width makes as many columns as fit', async (t) => {
  const blocks = ['#ff0000', '#0000ff'].map((c) => `<div style="height:20px;background:${c}"></div>`).join('')
  // 400 + 10 fits two columns of at least 150px + 10px of gap, not three: two of 195px.
  const png = await render(`<div style="width:400px;columns:150px;column-gap:10px;background:#ffffff">${blocks}</div>`)
  t.equal(png.height, 20)
  t.equal(rgb(png, 190, 10), '#ff0000')
  t.equal(rgb(png, 200, 10), '#ffffff', 'the gap')
  t.equal(rgb(png, 210, 10), '#0000ff')
})

t.test('lines of one paragraph go to the next column, the margin before a break is dropped', async (t) => {
  const text = 'one two three four five six seven eight nine ten eleven twelve'
  const png = await render(
    `<div style="width:400px;columns:2;column-gap:40px;background:#ffffff;font:20px/30px Roboto">` +
      `<p style="margin:0 0 30px">${text} ${text}</p><p style="margin:0">${text}</p></div>`,
  )
  const rowsWithInk = (from: number, to: number) => {
    const rows: number[] = []
    for (let y = 0; y < png.height; y++) {
      for (let x = from; x < to; x++) if (rgb(png, x, y) !== '#ffffff') {
        rows.push(Math.floor(y / 30))
        break
      }
    }
    return [...new Set(rows)]
  }
  // Chromium draws this 400×210: the first paragraph's seven lines fill the first column (a
  // break after its sixth line would leave one line, fewer than widows: 2, and the rest would
  // not fit in two columns of six), the second paragraph's four lines start the second column
  // at its top, without the 30px margin before them.
  t.equal(png.height, 210)
  t.same(rowsWithInk(0, 180), [0, 1, 2, 3, 4, 5, 6], 'seven lines in the first column')
  t.same(rowsWithInk(220, 400), [0, 1, 2, 3], 'four in the second, from its top')
})

t.test('a flex container ignores columns; right-to-left blocks stay one column', async (t) => {
  const blocks = ['#ff0000', '#0000ff'].map((c) => `<div style="height:20px;width:100px;background:${c}"></div>`).join('')
  const flex = await render(`<div style="display:flex;flex-direction:column;width:400px;columns:2">${blocks}</div>`)
  t.equal(flex.height, 40)
  const rtl = await render(`<div dir="rtl" style="width:400px;columns:2">${blocks}</div>`)
  t.equal(rtl.height, 40)
})
