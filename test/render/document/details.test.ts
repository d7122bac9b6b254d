/**
 * `<details>`: closed, only the summary is drawn, after a disclosure triangle pointing right;
 * open, the content too and the triangle points down. Fidelity case 103-details-faq holds it
 * against Chromium; these pin the tree and the marker's pixels.
 */
import t from 'tap'
import { htmlToTree, type SatoriChild, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { coverage, renderPng } from '../../helper.js'

const limits = { elements: 5000, depth: 200 }

function find(node: SatoriChild, type: string): SatoriElement | undefined {
  if (typeof node !== 'object' || node === null) return undefined
  if (node.type === type) return node
  const kids = node.props.children
  for (const c of Array.isArray(kids) ? kids : kids === undefined ? [] : [kids]) {
    const hit = find(c as SatoriChild, type)
    if (hit) return hit
  }
  return undefined
}

const childList = (el: SatoriElement | undefined) => {
  const kids = el?.props.children
  return (Array.isArray(kids) ? kids : kids === undefined ? [] : [kids]).filter((c) => typeof c !== 'string' || c.trim() !== '')
}

const tree = (html: string, css = '') => htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits }).root

t.test('a closed details keeps only its first summary; an open one keeps everything', async (t) => {
  const closed = find(tree('<details><summary>Q</summary><p>A</p>loose text<summary>second</summary></details>'), 'details')
  t.same(childList(closed).map((c) => (typeof c === 'string' ? c : c.type)), ['summary'])
  const open = find(tree('<details open><summary>Q</summary><p>A</p></details>'), 'details')
  t.same(childList(open).map((c) => (typeof c === 'string' ? c : c.type)), ['summary', 'p'])
})

t.test('a details without a summary gets Chromium’s generated “Details” one', async (t) => {
  const closed = find(tree('<details>hidden</details>'), 'details')
  t.same(childList(closed).map((c) => (typeof c === 'string' ? c : c.type)), ['summary'])
  t.same(childList(childList(closed)[0] as SatoriElement), ['Details'])
  const open = find(tree('<details open>shown</details>'), 'details')
  t.same(childList(open).map((c) => (typeof c === 'string' ? c : c.type)), ['summary', 'shown'])
})

t.test('::-webkit-details-marker { display: none } takes the marker away', async (t) => {
  const summary = find(tree('<details><summary>Q</summary></details>', 'summary::-webkit-details-marker { display: none }'), 'summary')
  t.equal((summary?.props.style as Record<string, unknown> | undefined)?.listStyleType, 'none')
  const kept = find(tree('<details><summary>Q</summary></details>', '.other::-webkit-details-marker { display: none }'), 'summary')
  t.notOk((kept?.props.style as Record<string, unknown> | undefined)?.listStyleType, 'a rule for another element changes nothing')
})

// Black text on white; the marker sits in the first ~12 px of the summary line.
const page = (details: string, css = '') =>
  `<style>body { margin: 0; font: 20px sans-serif; color: #000 } p { margin: 0; color: #f00 } ${css}</style>${details}`
const marker = { x: 0, y: 0, w: 14, h: 24 }

t.test('pixels: the triangle is drawn before the summary, and the closed content is not', async (t) => {
  const closed = await renderPng(page('<details><summary>Question</summary><p>Answer in red</p></details>'))
  t.ok(coverage(closed, [0, 0, 0], marker) > 0.1, 'a filled marker left of the summary text')
  t.equal(coverage(closed, [255, 0, 0]), 0, 'no red answer text while closed')
  const open = await renderPng(page('<details open><summary>Question</summary><p>Answer in red</p></details>'))
  t.ok(coverage(open, [255, 0, 0]) > 0, 'the answer is drawn when open')
  // ▶ is widest at its middle row, ▼ at its top: compare the ink of the two halves of the box.
  const top = (png: typeof open) => coverage(png, [0, 0, 0], { x: 0, y: 0, w: 14, h: 12 })
  const bottom = (png: typeof open) => coverage(png, [0, 0, 0], { x: 0, y: 12, w: 14, h: 12 })
  t.ok(top(open) > bottom(open), 'open: the triangle points down (its ink is in the upper half)')
})

t.test('pixels: list-style: none and display: block summaries have no marker', async (t) => {
  for (const css of ['summary { list-style: none }', 'summary { display: block }', 'summary::-webkit-details-marker { display: none }']) {
    const png = await renderPng(page('<details><summary>Question</summary></details>', css))
    // The text starts at x=0 then: the first 14 px hold "Q", never a triangle's share of ink beside it.
    const plain = await renderPng(page('<div>Question</div>'))
    t.equal(coverage(png, [0, 0, 0], marker), coverage(plain, [0, 0, 0], marker), css)
  }
})
