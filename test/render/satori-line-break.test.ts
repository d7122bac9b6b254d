/**
 * Line breaks after "/" as Chromium takes them, through patches/satori+0.63.2.patch: UAX#14 (the
 * `linebreak` package satori uses) allows a break after a solidus before a letter or digit, and
 * Firefox takes it; Chromium does not, so a URL or a date in a card stays whole and wraps at a
 * space or after a hyphen instead (fidelity case 48). Fails loudly when an upgrade drops the patch.
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
    t.equal(text.split('function vellumKeepSolidus').length - 1, 1, `${file} (npm ci applies patches/satori+0.63.2.patch; regenerate it if satori was upgraded)`)
  }
})

const lines = async (text: string, width: number): Promise<number> => {
  const out = await createRenderer().render(renderJob(`<div style="font:20px Roboto;line-height:30px;width:${width}px;background:#000;color:#fff">${text}</div>`))
  return PNG.sync.read(Buffer.from(out.png)).height / 30
}

t.test('no break after "/" before a letter or digit; spaces, hyphens and "/ " still break', async (t) => {
  // Each box is narrower than the text: where it wraps shows the break opportunities. The line
  // counts are what Chromium gives for the same boxes and Roboto files.
  t.equal(await lines('see example.com/releases', 150), 2, 'the URL moves to the next line whole')
  t.equal(await lines('2026/12/01', 60), 1, 'a date stays whole (and overflows, as in Chromium)')
  t.equal(await lines('vellum-rendering', 90), 2, 'after a hyphen it breaks')
  t.equal(await lines('either / or', 60), 2, 'a spaced solidus breaks at the space')
  t.equal(await lines('https://a.example/very/long/path', 80), 1, 'no opportunity at all: one overflowing line, as in Chromium')
})
