/**
 * Explicit line heights as Chromium lays them out, through patches/satori+0.63.2.patch (its fourth
 * part, `vellumFractionalLineHeight`). Unpatched, satori rounded every line to whole pixels:
 * `16px/1.4` gave 22px lines where Chromium keeps 22.39 (a LayoutUnit, 1/64 px), so seven lines
 * were 154px against Chromium's 156.73 and a paragraph ended pixels short (fidelity case
 * 57-german-long-words: 290×235 against 290×239); `17px/1.45` gave 25px for 24.64. Chromium keeps
 * the fraction and draws each line's glyphs on a whole pixel row: the baseline is the line's
 * top in the page plus round(ascent) + floor(half-leading), rounded.
 *
 * The figures below were measured with Chromium itself (Debian's chromium, driven by
 * playwright-core with the fidelity references' flags --font-render-hinting=none
 * --disable-lcd-text), loading the same Roboto file Vellum bundles
 * (@fontsource/roboto/files/roboto-latin-400-normal.woff2) through @font-face: a 300px block of
 * `HHHH` lines separated by <br>, black on white at the top of the page; the block's height from
 * getBoundingClientRect (the picture is its ceiling, as the hosted API's crop), and the baselines
 * from a screenshot, as the row below the last row of ink of each line ("H" sits on the
 * baseline). Wrapping the second half of each line in a <span> (satori's inline formatting
 * context) gives the same rows in Chromium. Fails loudly when an upgrade drops the patch.
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

t.test('both satori builds carry the patch once', async (t) => {
  for (const file of ['index.js', 'index.cjs']) {
    const text = readFileSync(join(dist, file), 'utf8')
    const hint = `${file} (npm ci applies patches/satori+0.63.2.patch; regenerate it if satori was upgraded)`
    t.equal(text.split('function vellumFractionalLineHeight').length - 1, 1, `${hint}: the engine wrapper`)
    t.equal(text.split('vellumSnapLines(oA,').length - 1, 1, `${hint}: line tops snapped in block text`)
    t.equal(text.split('vellumSnapBaseline(h,q)').length - 1, 1, `${hint}: line tops snapped in inline text`)
    t.equal(text.split('Math.round(W.height(kA))').length - 1, 0, `${hint}: block text keeps fractional line heights`)
  }
})

interface Measured {
  /** font size in px, line-height as a number, lines, height of an empty block above them */
  size: number
  lineHeight: number
  lines: number
  spacer?: number
  /** Chromium: picture height (ceiling of the block's 156.734375 etc.) and baseline rows */
  height: number
  baselines: number[]
}

const CHROMIUM: Measured[] = [
  // 22.4 → 22.390625 per line, 7 lines 156.734375
  { size: 16, lineHeight: 1.4, lines: 7, height: 157, baselines: [16, 38, 61, 83, 106, 128, 150] },
  // 24.65 → 24.640625, 172.484375
  { size: 17, lineHeight: 1.45, lines: 7, height: 173, baselines: [18, 43, 67, 92, 117, 141, 166] },
  // 27.9 → 27.890625, 195.234375
  { size: 18, lineHeight: 1.55, lines: 7, height: 196, baselines: [20, 48, 76, 104, 132, 159, 187] },
  // 20.3 → 20.296875, 142.078125
  { size: 14, lineHeight: 1.45, lines: 7, height: 143, baselines: [15, 35, 56, 76, 96, 116, 137] },
  // The lines start at a fractional offset (10.3px, Chromium 10.296875): the block is 167.03125.
  { size: 16, lineHeight: 1.4, lines: 7, spacer: 10.3, height: 168, baselines: [26, 49, 71, 93, 116, 138, 161] },
  { size: 17, lineHeight: 1.45, lines: 5, spacer: 0.6, height: 124, baselines: [19, 43, 68, 93, 117] },
]

/** Rows just below each run of ink in the first 300 columns: the baselines of "H" lines. */
function baselines(png: PNG): number[] {
  const out: number[] = []
  let inked = false
  for (let y = 0; y < png.height; y++) {
    let row = false
    for (let x = 0; x < Math.min(300, png.width); x++) if (png.data[(y * png.width + x) * 4]! < 250) row = true
    if (inked && !row) out.push(y)
    inked = row
  }
  if (inked) out.push(png.height)
  return out
}

for (const inline of [false, true]) {
  t.test(`line boxes and baselines as in Chromium (same Roboto file${inline ? ', inline formatting context' : ''})`, async (t) => {
    const renderer = createRenderer()
    for (const m of CHROMIUM) {
      const line = inline ? 'HH<span>HH</span>' : 'HHHH'
      const text = Array.from({ length: m.lines }, () => line).join('<br>')
      const spacer = m.spacer === undefined ? '' : `<div style="height:${m.spacer}px"></div>`
      const html = `<div style="font:${m.size}px/${m.lineHeight} Roboto;width:300px;background:#fff;color:#000">${spacer}${text}</div>`
      const png = PNG.sync.read(Buffer.from((await renderer.render(renderJob(html))).png))
      const label = `${m.size}px/${m.lineHeight}${m.spacer === undefined ? '' : ` after ${m.spacer}px`}`
      t.equal(png.height, m.height, `${label}: height`)
      t.same(baselines(png), m.baselines, `${label}: baselines`)
    }
  })
}
