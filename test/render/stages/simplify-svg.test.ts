/**
 * One-tile gradient patterns become plain gradient fills: same pixels, no pattern left; every
 * other pattern is left exactly as satori wrote it. Real satori output, rasterized by resvg.
 */
import t from 'tap'
import { layout } from '../../../src/render/stages/layout.js'
import { rasterize } from '../../../src/render/stages/rasterize.js'
import { simplifySvg } from '../../../src/render/stages/simplify-svg.js'
import { loadBundledFonts } from '../../../src/fonts/bundled-fonts.js'
import type { SatoriElement } from '../../../src/render/document/html-to-tree.js'

const fonts = loadBundledFonts()

async function svgOf(style: Record<string, string | number>, child?: SatoriElement): Promise<string> {
  const root: SatoriElement = {
    type: 'div',
    props: { style: { display: 'flex', width: 300, height: 200, backgroundColor: '#fff' }, children: [{ type: 'div', props: { style: { display: 'flex', margin: 13, ...style }, children: child ? [child] : [] } }] },
  }
  return (await layout(root, { width: 300, height: 200, fonts })).svg
}

function maxChannelDiff(a: string, b: string): number {
  const pa = rasterize(a, { scale: 1, transparent: false }).pixels
  const pb = rasterize(b, { scale: 1, transparent: false }).pixels
  let max = 0
  for (let i = 0; i < pa.length; i++) max = Math.max(max, Math.abs(pa[i]! - pb[i]!))
  return max
}

t.test('a gradient filling its whole box is drawn without a pattern, to the same pixels', async (t) => {
  const cases: Array<[string, Record<string, string | number>]> = [
    ['linear, whole box', { width: 240, height: 150, backgroundImage: 'linear-gradient(135deg, #4f46e5 0%, #9333ea 50%, #db2777 100%)' }],
    ['rounded corners', { width: 240, height: 150, borderRadius: 24, backgroundImage: 'linear-gradient(to right, red, blue)' }],
    ['over a background colour', { width: 200, height: 120, backgroundColor: '#0f0', backgroundImage: 'linear-gradient(to right, rgba(0,0,0,.5), transparent)' }],
    ['two layers', { width: 200, height: 120, backgroundImage: 'linear-gradient(90deg, red, transparent), linear-gradient(#00f, #ff0)' }],
    ['repeating', { width: 200, height: 120, backgroundImage: 'repeating-linear-gradient(45deg, red 0 10px, blue 10px 20px)' }],
    ['radial circle', { width: 200, height: 120, backgroundImage: 'radial-gradient(circle, red, blue)' }],
    ['radial ellipse at a corner, rounded box', { width: 200, height: 100, borderRadius: 10, backgroundImage: 'radial-gradient(ellipse at top left, red, blue)' }],
    ['radial glow at a position', { width: 220, height: 140, backgroundColor: '#123', backgroundImage: 'radial-gradient(circle at 30% 40%, #fff 0%, rgba(255,255,255,0) 60%)' }],
    ['radial with stops', { width: 200, height: 100, backgroundImage: 'radial-gradient(red 10%, blue 80%)' }],
  ]
  for (const [name, style] of cases) {
    const svg = await svgOf(style)
    const simple = simplifySvg(svg)
    t.match(svg, /<pattern /, `${name}: satori wrote a pattern`)
    t.notMatch(simple, /<pattern /, `${name}: none is left`)
    t.ok(maxChannelDiff(svg, simple) <= 2, `${name}: the same pixels`)
  }
})

t.test('other patterns are left as satori wrote them', async (t) => {
  const cases: Array<[string, Record<string, string | number>]> = [
    ['tiled by background-size', { width: 200, height: 120, backgroundImage: 'linear-gradient(red, blue)', backgroundSize: '50px 40px' }],
    ['offset by a border', { width: 200, height: 120, border: '6px solid #000', backgroundImage: 'linear-gradient(red, blue)' }],
    ['rotated box (resvg antialiases a pattern tile\'s edges its own way)', { width: 200, height: 120, transform: 'rotate(12deg)', backgroundImage: 'linear-gradient(red, blue)' }],
  ]
  for (const [name, style] of cases) {
    const svg = await svgOf(style)
    t.match(svg, /<pattern /, `${name}: satori wrote a pattern`)
    t.equal(simplifySvg(svg), svg, `${name}: unchanged`)
  }
})

t.test('a page of many gradient boxes: every pattern goes, the pixels stay', async (t) => {
  const boxes: SatoriElement[] = Array.from({ length: 60 }, (_, i) => ({
    type: 'div',
    props: { style: { width: 20, height: 20, margin: 2, borderRadius: i % 3, backgroundImage: i % 2 ? 'linear-gradient(red, blue)' : 'radial-gradient(circle, #fff, #000)' } },
  }))
  const root: SatoriElement = { type: 'div', props: { style: { display: 'flex', flexWrap: 'wrap', width: 300, backgroundColor: '#fff' }, children: boxes } }
  const svg = (await layout(root, { width: 300, height: 200, fonts })).svg
  const simple = simplifySvg(svg)
  t.equal(svg.split('<pattern ').length - 1, 60, 'satori wrote one pattern per box')
  t.notMatch(simple, /<pattern /, 'none is left')
  t.ok(maxChannelDiff(svg, simple) <= 2, 'the same pixels')
})
