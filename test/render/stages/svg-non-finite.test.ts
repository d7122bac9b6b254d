/**
 * What satori wrote with a number it could not compute is left out before resvg, which panicked
 * on a NaN filter region and took the render worker down with it.
 */
import t from 'tap'
import { leaveOutNonFinite } from '../../../src/render/stages/svg-non-finite.js'
import { rasterizeApart, pageSvg, darkest } from './rasterize-apart.js'

const svg = (body: string) => `<svg width="200" height="100" viewBox="0 0 200 100" xmlns="http://www.w3.org/2000/svg">${body}</svg>`

t.test('a finite drawing is returned as it is', async (t) => {
  const plain = svg('<rect x="10" y="10" width="20" height="20" fill="#f00"/><text>NaNny</text>')
  t.equal(leaveOutNonFinite(plain).svg, plain)
  t.same(leaveOutNonFinite(plain).warnings, [])
})

t.test('a filter with a NaN region hides what it filters; resvg no longer panics on it', async (t) => {
  const bad = svg(
    '<defs><filter id="satori_bs-1" x="NaN%" y="NaN%" width="NaN%" height="NaN%"><feGaussianBlur stdDeviation="NaN"/></filter></defs>' +
      '<g filter="url(#satori_bs-1)"><rect x="24" y="24.5em" width="88" height="32" fill="#fff"/></g><rect x="120" y="10" width="40" height="40" fill="#00f"/>',
  )
  const before = rasterizeApart(bad)
  t.ok('failed' in before, `resvg alone: ${'failed' in before ? before.failed : 'drew it'}`)
  const out = leaveOutNonFinite(bad)
  t.match(out.svg, /<g filter="url\(#satori_bs-1\)" display="none">/)
  t.match(out.warnings[0], /a shape or effect \(a shadow, a filter\) computed from a length the renderer could not resolve was left out/)
  const after = rasterizeApart(out.svg)
  t.notOk('failed' in after, 'drawn')
  if (!('failed' in after)) t.ok(darkest(after, { x: 125, y: 15, w: 30, h: 30 }) < 50, 'the rest of the drawing is there')
})

t.test('a shape with a NaN coordinate is hidden, its neighbours kept', async (t) => {
  const out = leaveOutNonFinite(svg('<rect x="NaN" y="0" width="10" height="10"/><path d="M0 0L10 10"/><circle cx="5" cy="Infinity" r="2"/>'))
  t.equal(out.svg.match(/display="none"/g)?.length, 2)
  t.match(out.warnings[0], /^2 shapes or effects/)
})

t.test('a page whose em shadow satori could not compute renders', async (t) => {
  // On a flex item, `0 .5em 1em` came out as y="24.5em" and stdDeviation="NaN": a worker abort.
  const page = await pageSvg('<div style="display:flex;font-size:20px"><span style="padding:8px;box-shadow:0 .5em 1em rgba(0,0,0,.3)">x</span><b>next</b></div>')
  const picture = rasterizeApart(page.svg)
  t.notOk('failed' in picture, 'drawn without a panic')
  t.notMatch(page.svg, /NaN/, 'nothing non-finite reaches resvg')
})
