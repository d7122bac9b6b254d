/**
 * A box-shadow's filter has an id of its own (patches/satori+0.63.2.patch). satori named it
 * `satori_s-<box id>-<n>`, which is also the name of the text-shadow filter of the box's first
 * text (`satori_s-<text id>`, text ids being `<box id>-<n>`): with both shadows on one element,
 * resvg took the first definition, and the box was drawn with the text's pink offset shadow, an L
 * along its bottom and right. Fails loudly when an upgrade drops the patch.
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
    t.equal(text.split('c=`satori_bs-${C}-${i}`').length - 1, 1, hint)
  }
})

t.test('a box with a box-shadow and a text-shadow: each shadow with its own colour', async (t) => {
  const html = `<style>body{margin:0;background:#fff}</style>
    <div style="padding:20px"><div style="width:200px;height:60px;font:40px sans-serif;box-shadow:0 0 0 4px #000;text-shadow:6px 6px 0 #f0f">Price</div></div>`
  const png = decodePng(Buffer.from((await createRenderer().render(renderJob(html))).png))
  // The 4px spread ring around the box, right edge at mid-height: black, never the text's magenta.
  const ring = pixel(png, 20 + 200 + 2, 20 + 30)
  t.ok(ring[0] < 40 && ring[1] < 40 && ring[2] < 40, `black ring: ${ring}`)
  const below = pixel(png, 20 + 100, 20 + 60 + 2)
  t.ok(below[0] < 40 && below[2] < 40, `black ring below: ${below}`)
})
