/**
 * `li::marker` through patches/satori+0.63.2.patch: satori matches ::before/::after rules but
 * not ::marker, so marker colours and weights were dropped (fidelity case 62: roman numerals in
 * violet bold, green squares). The patch matches ::marker like ::before on list items and styles
 * the marker with its colour, weight, style and family. Fails loudly when an upgrade drops it.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createRenderer } from '../../src/render/pipeline.js'
import { coverage, decodePng, renderJob } from '../helper.js'

const require = createRequire(import.meta.url)
const dist = join(dirname(require.resolve('satori/package.json')), 'dist')

t.test('both satori builds carry the patch once', async (t) => {
  for (const file of ['index.js', 'index.cjs']) {
    t.equal(readFileSync(join(dist, file), 'utf8').split('function vellumMarkerStyle').length - 1, 1, `${file} (npm ci applies patches/satori+0.63.2.patch; regenerate it if satori was upgraded)`)
  }
})

const RED = [255, 0, 0]
const render = async (html: string, css: string) => decodePng(Buffer.from((await createRenderer().render(renderJob(html, { css }))).png))

t.test('the marker takes the ::marker colour, the text keeps the item\'s', async (t) => {
  for (const type of ['decimal', 'disc', 'square', 'upper-roman']) {
    const png = await render(`<ul style="margin:0;padding-left:40px;font:24px Roboto;color:#000;list-style-type:${type}"><li>item</li></ul>`, 'li::marker{color:#ff0000}')
    const marker = { x: 0, y: 0, w: 38, h: png.height }
    const text = { x: 40, y: 0, w: png.width - 40, h: png.height }
    t.ok(coverage(png, RED, marker) > 0.01, `${type}: the marker is red`)
    t.equal(coverage(png, RED, text), 0, `${type}: the text is not`)
  }
})

t.test('a nested list item keeps its own marker colour', async (t) => {
  const png = await render(
    '<ul style="margin:0;padding-left:40px;font:24px Roboto;color:#000"><li class="a">outer<ul style="padding-left:40px"><li>inner</li></ul></li></ul>',
    'li.a::marker{color:#ff0000}',
  )
  const half = Math.floor(png.height / 2)
  t.ok(coverage(png, RED, { x: 0, y: 0, w: 38, h: half }) > 0.01, 'the outer marker is red')
  t.equal(coverage(png, RED, { x: 40, y: half, w: 38, h: png.height - half }), 0, 'the inner one is not')
})
