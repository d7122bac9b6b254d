/**
 * Lines of text that fallback fonts draw (Devanagari, Korean, Thai in a Roboto paragraph), placed
 * as Chromium places them, through patches/satori+0.63.2.patch (its line-height wrappers and the
 * line loop of a single text node):
 *
 * - `line-height: normal`: the line is the larger rounded ascent of the inline box's primary font
 *   (the strut) and of every font its text uses, plus the larger rounded descent, taken apart.
 *   Unpatched, satori took the one tallest word's font: a Devanagari line in 20px Roboto was
 *   26px (18 + 8, Noto Devanagari alone) where Chromium has 27 (Roboto's 19 + Devanagari's 8),
 *   and fidelity case 45 ended 2px short.
 * - an explicit line height: the baseline comes from the primary font only (Chromium adds the
 *   used fonts' metrics only for `normal`). Unpatched, Korean text in a 16px/24px Roboto
 *   paragraph sat 2px lower than Latin text would (fidelity case 46, ink mismatch 35.7 %).
 *
 * The figures were measured with Chromium (Debian's chromium through playwright-core, flags
 * --font-render-hinting=none --disable-lcd-text, a standards-mode page) loading the same
 * @fontsource files through their own CSS: the block's height from getBoundingClientRect, and
 * the rows of ink (red channel < 128) of a screenshot. Fails loudly when an upgrade drops the patch.
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

/** Height of the picture and the [first, last] rows of each run of ink rows. */
async function lines(html: string) {
  const out = await createRenderer().render(renderJob(html))
  const png = PNG.sync.read(Buffer.from(out.png))
  const runs: Array<[number, number]> = []
  let start = -1
  for (let y = 0; y <= png.height; y++) {
    let ink = false
    for (let x = 0; y < png.height && x < png.width && !ink; x++) ink = png.data[(y * png.width + x) * 4]! < 128
    if (ink && start < 0) start = y
    if (!ink && start >= 0) {
      runs.push([start, y - 1])
      start = -1
    }
  }
  return { height: png.height, runs }
}

t.test('both satori builds carry the patch once', async (t) => {
  for (const file of ['index.js', 'index.cjs']) {
    const text = readFileSync(join(dist, file), 'utf8')
    t.equal(text.split("Math.max(ascent, engine.ascent(' ')), Math.max(descent, engine.descent(' '))").length - 1, 1, `${file}: normal line height counts the strut and the used fonts (npm ci applies patches/satori+0.63.2.patch; regenerate it if satori was upgraded)`)
    t.equal(text.split('whichever fallback font draws the glyphs').length - 1, 1, `${file}: an explicit line height places text by the primary font`)
    t.equal(text.split('if(typeof h!=="number"&&dA){let vb=').length - 1, 1, `${file}: a text node's line takes the larger ascent and descent apart`)
  }
})

t.test('line-height normal: the primary font\'s ascent and a fallback font\'s descent, as in Chromium', async (t) => {
  // Chromium: 81 (3 × 27) and 54 (2 × 27); Roboto alone 2 × 24.
  t.equal((await lines('<div style="font:20px Roboto;width:300px">नमस्ते<br>आज का<br>मौसम बहुत</div>')).height, 81, 'Devanagari lines separated by <br>')
  t.equal((await lines('<div style="font:20px Roboto;width:300px">नमस्ते आज का मौसम बहुत सुहावना है। नमस्ते आज का मौसम बहुत सुहावना है।</div>')).height, 54, 'one text node wrapping onto two lines')
  t.equal((await lines('<div style="font:20px Roboto;width:300px">HHH<br>HHH</div>')).height, 48, 'Latin lines are unchanged')
  // Thai (ascent 21, descent 9) is 30 either way.
  t.equal((await lines('<div style="font:20px Roboto;width:300px">สวัสดีครับ<br>HHH</div>')).height, 54, 'a Thai line and a Latin line')
  // Korean's ascent (23) with Devanagari's descent (8): 31 in Chromium; satori's tallest word gave 29.
  t.equal((await lines('<div style="font:20px Roboto;width:300px">경복궁 नमस्ते<br>HHH</div>')).height, 55, 'Korean and Devanagari in one text node')
  t.equal((await lines('<div style="font:20px Roboto;width:300px">경복궁 <b>x</b> नमस्ते<br>HHH</div>')).height, 55, 'the same line with an inline element')
})

t.test('an explicit line height: fallback text sits on the primary font\'s baseline, as in Chromium', async (t) => {
  // Chromium draws the Korean ink on rows 4–17 of each 24px line (Latin "HHH" on 5–16).
  const { height, runs } = await lines('<div style="font:16px/24px Roboto;width:300px">경복궁과 북촌<br>경복궁과 북촌</div>')
  t.equal(height, 48)
  t.same(runs, [[4, 17], [28, 41]], 'the ink rows Chromium draws')
})
