/**
 * `text-align: justify` widens the spaces between words, not every break opportunity, through
 * patches/satori+0.63.2.patch (seventh part). Unpatched, the break after a hyphen counted as a
 * gap: a justified line starting `two-year` was drawn `two- year` (fidelity case 76 shows it
 * against Chromium). Fails loudly when an upgrade drops the patch.
 *
 * Checked without a reference: a justified line moves its words right of the first space only,
 * so the first word of a justified line must be drawn exactly as in the same paragraph set
 * left-aligned. Both of satori's text paths are covered: text alone, and text with an inline
 * element (its inline layout).
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

/** The pixels of the first `width` columns of rows [0, height). */
const region = (png: PNG, width: number, height: number) => {
  const rows: string[] = []
  for (let y = 0; y < height; y++) rows.push(png.data.subarray(y * png.width * 4, (y * png.width + width) * 4).toString('hex'))
  return rows
}

t.test('both satori builds carry the patch once', async (t) => {
  for (const file of ['index.js', 'index.cjs']) {
    const text = readFileSync(join(dist, file), 'utf8')
    t.equal(text.split('function vellumJustifyGap').length - 1, 1, `${file}: justification opportunities (npm ci applies patches/satori+0.63.2.patch; regenerate it if satori was upgraded)`)
  }
})

const words = 'two-year pause, then the river line will run through the night from Friday on'
for (const [label, body] of [
  ['text alone', words],
  ['text with an inline element', words.replace('river', '<b>river</b>')],
]) {
  t.test(`a hyphenated first word stays whole on a justified line: ${label}`, async (t) => {
    const page = (align: string) => `<p style="margin:0;width:250px;font:20px/30px Roboto;text-align:${align}">${body}</p>`
    const justified = await render(page('justify'))
    const left = await render(page('left'))
    t.equal(justified.height, left.height, 'the same lines')
    // `two-year` is about 82px wide at 20px Roboto; the justified line's first space comes after it.
    t.same(region(justified, 82, 30), region(left, 82, 30), '`two-year` drawn where left-aligned text has it')
    t.notSame(region(justified, 250, 30), region(left, 250, 30), 'the rest of the line is justified')
  })
}
