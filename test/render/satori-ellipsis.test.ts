/**
 * Line clamping and `text-overflow: ellipsis` for blocks whose text has inline elements, through
 * patches/satori+0.63.2.patch (eighth part). Unpatched, satori clamped and ellipsed only text
 * alone: a `-webkit-line-clamp: 2` description holding a link kept every line, and a nowrap title
 * with a <b> was cut off without an ellipsis. Fidelity case 78-ellipsis-inline holds the pixels
 * against Chromium's; this test fails loudly when an upgrade drops the patch.
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
const ink = (png: PNG, x: number, y: number) => {
  const i = (y * png.width + x) * 4
  return png.data[i]! < 200 || png.data[i + 1]! < 200 || png.data[i + 2]! < 200
}

t.test('both satori builds carry the patch once', async (t) => {
  for (const file of ['index.js', 'index.cjs']) {
    const text = readFileSync(join(dist, file), 'utf8')
    const hint = '(npm ci applies patches/satori+0.63.2.patch; regenerate it if satori was upgraded)'
    t.equal(text.split('function vellumClampLines').length - 1, 1, `${file}: clamping in the inline layout ${hint}`)
    t.equal(text.split('this.vellumFinalize(),vellumDrawEllipses(this)').length - 1, 1, `${file}: the ellipsis is painted ${hint}`)
  }
})

t.test('-webkit-line-clamp keeps two lines of a paragraph with a link', async (t) => {
  const text = 'Descriptions with <a href="#">a link</a> in them keep two lines and hide the rest of what they say'
  const clamped = await render(`<p style="margin:0;width:200px;font:20px/30px Roboto;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden">${text}</p>`)
  const full = await render(`<p style="margin:0;width:200px;font:20px/30px Roboto">${text}</p>`)
  t.ok(full.height > 90, `unclamped, the text takes more lines (${full.height}px)`)
  t.equal(clamped.height, 60, 'clamped: two 30px lines')
})

t.test('a nowrap line with a <b> ends in an ellipsis, not in a cut letter', async (t) => {
  const page = (overflow: string) =>
    `<div style="width:200px;white-space:nowrap;overflow:hidden;text-overflow:${overflow};font:20px/30px Roboto">Text with <b>bold</b> words overflowing the box</div>`
  const ellipsis = await render(page('ellipsis'))
  const clip = await render(page('clip'))
  // The 14px at the right end, above the baseline's dots: letters have ink there, an ellipsis none.
  const upper = (png: PNG) => {
    let n = 0
    for (let x = 186; x < 200; x++) for (let y = 6; y < 18; y++) if (ink(png, x, y)) n++
    return n
  }
  t.ok(upper(clip) > 0, 'clipped: letters reach the right edge')
  t.equal(upper(ellipsis), 0, 'ellipsed: only the dots of … there')
  let dots = 0
  for (let x = 186; x < 200; x++) for (let y = 18; y < 24; y++) if (ink(ellipsis, x, y)) dots++
  t.ok(dots > 0, 'the dots, on the baseline')
})
