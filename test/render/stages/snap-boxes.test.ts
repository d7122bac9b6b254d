/**
 * Box backgrounds snapped to device pixels, as Chromium paints them: two cells of one colour
 * that meet at a fractional column edge showed a lighter seam where both were anti-aliased.
 */
import t from 'tap'
import { snapBoxFills } from '../../../src/render/stages/snap-boxes.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { decodePng, pixel, renderJob } from '../../helper.js'

const svg = (body: string) => `<svg width="300" height="24" viewBox="0 0 300 24" xmlns="http://www.w3.org/2000/svg">${body}</svg>`

t.test('where two fills of one colour meet, the shared edge moves to the nearest device pixel', async (t) => {
  const cells = (a: string, b: string) => `<rect ${a} fill="#1e3a8a"/><rect ${b} fill="#1e3a8a"/>`
  t.equal(
    snapBoxFills(svg(cells('x="0" y="0" width="101.34375" height="24"', 'x="101.34375" y="0" width="108.8125" height="24"')), 1),
    svg(cells('x="0" y="0" width="101" height="24"', 'x="101" y="0" width="109.15625" height="24"')),
  )
  t.equal(
    snapBoxFills(svg(cells('x="0" y="0" width="101.34375" height="24"', 'x="101.34375" y="0" width="108.8125" height="24"')), 2),
    svg(cells('x="0" y="0" width="101.5" height="24"', 'x="101.5" y="0" width="108.65625" height="24"')),
    'half pixels at device scale 2',
  )
  t.equal(
    snapBoxFills(svg(cells('x="0" y="0" width="50" height="10.4"', 'x="0" y="10.4" width="50" height="10"')), 1),
    svg(cells('x="0" y="0" width="50" height="10"', 'x="0" y="10" width="50" height="10.4"')),
    'stacked rows too',
  )
})

t.test('what is not two plain fills of one colour meeting is left alone', async (t) => {
  const untouched = [
    '<rect x="0.5" y="0" width="10.3" height="4" fill="#f00"/>',
    '<rect x="0" y="0" width="10.3" height="4" fill="#f00"/><rect x="10.3" y="0" width="5" height="4" fill="#00f"/>',
    '<rect x="0" y="0" width="10.3" height="4" fill="#f00"/><rect x="10.3" y="9" width="5" height="4" fill="#f00"/>',
    '<mask id="m"><rect x="0" y="0" width="10.3" height="4" fill="#fff"/><rect x="10.3" y="0" width="5" height="4" fill="#fff"/></mask>',
    '<rect x="0" y="0" width="10.3" height="4" rx="2" fill="#f00"/><rect x="10.3" y="0" width="5" height="4" rx="2" fill="#f00"/>',
    '<g transform="translate(0.5 0)"><rect x="0" y="0" width="10.3" height="4" fill="#f00"/><rect x="10.3" y="0" width="5" height="4" fill="#f00"/></g>',
    '<svg x="1.5" viewBox="0 0 2 2"><rect x="0" y="0" width="1.3" height="1" fill="#f00"/><rect x="1.3" y="0" width="1" height="1" fill="#f00"/></svg>',
  ]
  for (const body of untouched) t.equal(snapBoxFills(svg(body), 1), svg(body), body)
})

t.test('two table cells of one row colour meet without a seam', async (t) => {
  const html =
    '<style>body{margin:0}</style><table style="border-collapse:collapse;width:301px"><tr style="background:#1e3a8a"><td>a</td><td>b</td><td>c</td></tr></table>'
  const png = decodePng(Buffer.from((await createRenderer().render(renderJob(html))).png))
  const row = Array.from({ length: png.width }, (_, x) => pixel(png, x, 3).slice(0, 3).join(','))
  t.same([...new Set(row)], ['30,58,138'], 'one colour across the whole row')
})
