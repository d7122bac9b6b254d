/**
 * A user's SVG read for the raster-cost stage: its style sheet's costly properties are folded
 * into attributes, with structural pseudo-classes matched as css-select matches them (from a
 * table per sibling list, sibling-positions.ts) and names kept as XML writes them.
 */
import t from 'tap'
import { readUserSvg, type SvgNode } from '../../../src/render/stages/svg-tree.js'

const shapes = (root: SvgNode | null) => (root?.children ?? []).filter((n) => n.name !== 'style')

t.test('nth-* rules of a user SVG fold onto the elements they match', async (t) => {
  const rects = Array.from({ length: 7 }, (_, i) => `<rect id="r${i}" width="5" height="5"/>${i === 3 ? '<circle r="1"/>' : ''}`).join('')
  const doc = readUserSvg(
    `<svg xmlns="http://www.w3.org/2000/svg"><style>rect:nth-child(2n){opacity:.5} rect:nth-last-of-type(1){filter:blur(2px)} circle:only-of-type{stroke:red}</style>${rects}</svg>`,
  )
  const els = shapes(doc.root)
  // Children: style, r0, r1, r2, r3, circle, r4, r5, r6 → positions 1..9.
  t.same(els.filter((n) => n.attrs.opacity === '.5').map((n) => n.attrs.id), ['r0', 'r2', 'r5'], 'nth-child counts every element child, the style too')
  t.same(els.filter((n) => n.attrs.filter).map((n) => n.attrs.id), ['r6'], 'the last rect')
  t.same(els.filter((n) => n.attrs.stroke === 'red').map((n) => n.name), ['circle'], 'the only circle')
})

t.test('a thousand nth rules over a thousand siblings fold without a walk per test', async (t) => {
  const sheet = Array.from({ length: 1000 }, (_, i) => `rect:nth-child(${i + 2}n+1){opacity:.${(i % 9) + 1}}`).join('')
  const doc = readUserSvg(`<svg xmlns="http://www.w3.org/2000/svg"><style>${sheet}</style>${'<rect width="1" height="1"/>'.repeat(1000)}</svg>`)
  const els = shapes(doc.root)
  t.equal(els.length, 1000)
  // The last rule that matches wins: rect k (position k + 2, style first) matches rule i when (k + 1) % (i + 2) === 0.
  const expected = els.map((_, k) => {
    let last: string | undefined
    for (let i = 0; i < 1000; i++) if ((k + 1) % (i + 2) === 0) last = `.${(i % 9) + 1}`
    return last
  })
  t.same(els.map((n) => n.attrs.opacity), expected, 'each rect took its last matching rule')
})
