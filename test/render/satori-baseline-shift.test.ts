/**
 * `vertical-align: sub` and `super` shift the baseline as Blink does: by the parent's font size
 * / 5 + 1 and / 3 + 1 (patches/satori+0.63.2.patch). satori used 0.2 and 0.34 of it, so a line
 * with a superscript was shorter than Chromium's and everything below moved up: fidelity case
 * 87-sup-sub-lines 4.52 → 0.09 %, case 11-inline-formatting 3.04 → 0.37 %. Fails loudly when an
 * upgrade drops the patch.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createRenderer } from '../../src/render/pipeline.js'
import { decodePng, pixel, renderJob } from '../helper.js'

const require = createRequire(import.meta.url)
const dist = join(dirname(require.resolve('satori/package.json')), 'dist')

t.test('both satori builds carry the patch once', async (t) => {
  for (const file of ['index.js', 'index.cjs']) {
    const text = readFileSync(join(dist, file), 'utf8')
    const hint = `${file} (npm ci applies patches/satori+0.63.2.patch; regenerate it if satori was upgraded)`
    t.equal(text.split('if(I==="sub")return-(C/5+1);if(I==="super")return C/3+1;').length - 1, 1, hint)
  }
})

t.test('a sub is lowered by the parent size / 5 + 1, a super raised by / 3 + 1', async (t) => {
  const renderer = createRenderer()
  // Three H of one size: the base, the sub and the super, each in its own 60px column; the
  // shifted ones with no line height, so their boxes do not grow the line and move its baseline.
  const html = `<div style="display:flex;font:40px sans-serif;line-height:120px;padding:0 10px">
    <span style="width:60px">H</span><span style="width:60px"><sub style="font-size:40px;line-height:0">H</sub></span><span style="width:60px"><sup style="font-size:40px;line-height:0">H</sup></span></div>`
  const png = decodePng(Buffer.from((await renderer.render(renderJob(html, { viewportWidth: 200, viewportHeight: 120 }))).png))
  const inkRows = (x0: number) => {
    const rows: number[] = []
    for (let y = 0; y < png.height; y++) for (let x = x0; x < x0 + 60; x++) if (pixel(png, x, y)[0] < 128) { rows.push(y); break }
    return { top: rows[0]!, bottom: rows[rows.length - 1]! }
  }
  const base = inkRows(10)
  const sub = inkRows(70)
  const sup = inkRows(130)
  t.equal(sub.bottom - base.bottom, 9, `sub: 40 / 5 + 1 = 9 px lower (satori: 8)`)
  t.ok(base.top - sup.top >= 14 && base.top - sup.top <= 15, `super: 40 / 3 + 1 = 14.3 px higher (satori: 13.6): ${base.top - sup.top}`)
})
