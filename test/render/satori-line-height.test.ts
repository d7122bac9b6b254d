/**
 * `line-height: normal` as Chromium computes it, through patches/satori+0.63.2.patch: the line is
 * round(ascent) + round(descent) of the font at its size, the baseline round(ascent). Unpatched,
 * satori used the exact sum (a 20px Roboto line 23.44 → 23px where Chromium has 24, a 22px one
 * 25.78 → 26 where Chromium has 25), so paragraphs ended pixels short or long and 12 of the
 * fidelity cases had a different height. Fails loudly when an upgrade drops the patch.
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
    const count = text.split('function vellumNormalLineHeight').length - 1
    t.equal(count, 1, `${file}: the normal line-height wrapper (npm ci applies patches/satori+0.63.2.patch; regenerate it if satori was upgraded)`)
  }
})

t.test('ten lines at each size are as tall as in Chromium (measured with the same Roboto files)', async (t) => {
  const renderer = createRenderer()
  // Chromium 13–24px: round(1900/2048·s) + round(500/2048·s) per line.
  const chromium: Record<number, number> = { 13: 150, 15: 180, 17: 200, 20: 240, 22: 250, 24: 280 }
  for (const [size, height] of Object.entries(chromium)) {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('<br>')
    const out = await renderer.render(renderJob(`<div style="font:${size}px Roboto;width:200px;background:#000;color:#fff">${lines}</div>`))
    t.equal(PNG.sync.read(Buffer.from(out.png)).height, height, `${size}px`)
  }
})

t.test('emoji pictures do not make a line taller: 1em squares 0.1em below the baseline, as Twemoji in Chromium', async (t) => {
  for (const file of ['index.js', 'index.cjs']) {
    const text = readFileSync(join(dist, file), 'utf8')
    t.equal(text.split('function vellumRunMetrics').length - 1, 1, `${file}: emoji measured as pictures`)
    t.equal(text.split('vellumRunMetrics(fontSize, text, font, (').length - 1, 2, `${file}: by both line-height wrappers (normal, fractional)`)
  }
  // Chromium, the reference harness (twemoji <img> at 1em, vertical-align -0.1em) with the same
  // Roboto files: a 22px line is 25px with or without emoji (fidelity cases 12 and 36).
  const renderer = createRenderer()
  for (const text of ['plain', 'launch 🚀', 'we ❤️ you', '🎉🎉', 'flags 🇫🇷 and 👍🏽']) {
    const out = await renderer.render(renderJob(`<div style="font:22px Roboto;width:400px">${text}</div>`))
    t.equal(PNG.sync.read(Buffer.from(out.png)).height, 25, text)
  }
})
