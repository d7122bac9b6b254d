/**
 * `::first-letter`: the first letter of a matching block gets the rules' styling (colour, size,
 * weight, family, float for drop caps). Fidelity case 105-first-letter holds it against
 * Chromium; these pin which letter is taken and that its styling is drawn.
 */
import t from 'tap'
import { htmlToTree, type SatoriChild, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { FIRST_LETTER_TAG } from '../../../src/render/document/first-letter.js'
import { coverage, renderPng } from '../../helper.js'

const limits = { elements: 5000, depth: 200 }

/** Each first-letter element's text and style, in document order. */
function letters(html: string, css: string): Array<{ text: string; style: Record<string, unknown> }> {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  const out: Array<{ text: string; style: Record<string, unknown> }> = []
  const walk = (node: SatoriChild): void => {
    if (typeof node !== 'object' || node === null) return
    const kids = node.props.children
    const list = (Array.isArray(kids) ? kids : kids === undefined ? [] : [kids]) as SatoriChild[]
    if (node.type === FIRST_LETTER_TAG) out.push({ text: list.join(''), style: node.props.style as Record<string, unknown> })
    for (const c of list) walk(c as SatoriElement)
  }
  walk(root)
  return out
}

t.test('the first letter, with the punctuation around it, through inline children', async (t) => {
  t.same(letters('<p>  Hello</p>', 'p::first-letter { color: red }').map((l) => l.text), ['H'])
  t.same(letters('<p>“Quoted,” she said</p>', 'p::first-letter { color: red }').map((l) => l.text), ['“Q'])
  t.same(letters('<p><b><i>Nested</i></b> text</p>', 'p:first-letter { color: red }').map((l) => l.text), ['N'], 'the legacy one-colon form too')
  t.same(letters('<div><p>First block</p><p>Second</p></div>', 'div::first-letter { color: red }').map((l) => l.text), ['F'], 'into the first block child only')
})

t.test('no first letter on inline elements, after an image, or for another element', async (t) => {
  t.same(letters('<p><span>Inline</span></p>', 'span::first-letter { color: red }'), [])
  t.same(letters('<p><img src="x.png">After</p>', 'p::first-letter { color: red }'), [])
  t.same(letters('<p class="a">A</p><p>B</p>', '.a::first-letter { color: red }').map((l) => l.text), ['A'])
  t.same(letters('<p>Plain</p>', ''), [], 'a page without the rule is left alone')
})

t.test('the cascade among ::first-letter rules; properties that do not apply are left out', async (t) => {
  const [l] = letters('<p class="x">Hi</p>', '.x::first-letter { color: blue; display: block; width: 40px } p::first-letter { color: red; font-size: 2em; float: left }')
  t.match(l!.style, { color: 'blue', fontSize: '2em', float: 'left', display: 'inline' })
  t.notOk('width' in l!.style)
})

const page = (css: string) =>
  `<style>body { margin: 0; width: 300px; font: 20px/1.2 sans-serif; color: #000 } p { margin: 0 } ${css}</style>` +
  '<p>Wide words keep going along the line and wrap onto another line and a third one here.</p>'

t.test('pixels: the first letter is drawn in its colour and size; a float spans lines', async (t) => {
  const colored = await renderPng(page('p::first-letter { color: #f00 }'))
  t.ok(coverage(colored, [255, 0, 0], { x: 0, y: 0, w: 20, h: 24 }) > 0.05, 'the W is red')
  t.equal(coverage(colored, [255, 0, 0], { x: 30, y: 0, w: 270, h: colored.height }), 0, 'nothing else is')
  const dropped = await renderPng(page('p::first-letter { color: #f00; float: left; font-size: 3.6em; line-height: 1 }'))
  // A three-line float: red ink in the left strip on the second line, where plain text would be black.
  t.ok(coverage(dropped, [255, 0, 0], { x: 0, y: 30, w: 40, h: 20 }) > 0.1, 'the drop cap reaches the second line')
  t.equal(coverage(dropped, [0, 0, 0], { x: 0, y: 24, w: 30, h: 40 }, 60), 0, 'the text wraps beside it, not under it')
})
