/**
 * The structural pseudo-classes our cascades match with (sibling-positions.ts) against css-select's
 * own, on the same parsed documents: the same elements match, a formula that does not parse
 * matches nothing instead of throwing mid-render, and a sibling list is read once, not once
 * per element and rule.
 */
import t from 'tap'
import { compile } from 'css-select'
import type { AnyNode, Element } from 'domhandler'
import { isTag } from 'domhandler'
import { parseHtml } from '../../../src/render/document/parse-html.js'
import { matcherFor } from '../../../src/render/document/selector-match.js'

function elements(node: AnyNode, out: Element[] = []): Element[] {
  if (isTag(node)) out.push(node)
  if ('children' in node) for (const c of node.children) elements(c, out)
  return out
}

// Mixed element names, classes, text and comments between siblings, two levels of lists.
const items = Array.from({ length: 30 }, (_, i) => {
  const tag = ['li', 'p', 'li', 'span'][i % 4]
  const inner = i % 7 === 0 ? '<b>x</b> <i>y</i><b class="a">z</b>' : 'text'
  return `<${tag} class="${i % 3 === 0 ? 'a' : 'b'}${i % 5 === 0 ? ' c' : ''}">${inner}</${tag}>${i % 2 ? ' ' : '<!-- c -->'}`
}).join('')
const { doc } = parseHtml(`<ul id="l">${items}</ul><div><p>solo</p></div>`)
const all = elements(doc)

t.test('the same elements match as with css-select alone', async (t) => {
  const selectors = [
    ':nth-child(3n+1)', 'li:nth-child(odd)', 'p:nth-child(even)', ':nth-child(-n+3)', ':nth-child(n+25)', ':nth-last-child(2n)', ':nth-last-child(-n+4)',
    'li:nth-of-type(2n+1)', 'span:nth-of-type(3)', 'p:nth-last-of-type(odd)', ':nth-last-of-type(1)',
    ':first-of-type', 'li:last-of-type', 'p:only-of-type', 'b:first-of-type', 'b:last-of-type',
    ':nth-child(2n of .a)', ':nth-last-child(-n+2 of li.c)', ':nth-child(1 of p, span)', 'ul > :nth-child(4n+2):not(:nth-of-type(2))',
    ':nth-child( 2n + 1 )', ':nth-child(2N+1)',
  ]
  for (const selector of selectors) {
    const ours = matcherFor(selector)!
    const theirs = compile<Element, Element>(selector)
    const want = all.filter((el) => theirs(el))
    t.ok(want.length > 0 && want.length < all.length, `${selector}: tells elements apart (${want.length} of ${all.length})`)
    t.same(all.filter((el) => ours(el)), want, selector)
  }
})

t.test('`of` written without a space after it, as css-tree writes it, still reads its selector', async (t) => {
  const spaced = all.filter((el) => compile<Element, Element>(':nth-child(2n+1 of .a)')(el))
  t.same(all.filter((el) => matcherFor(':nth-child(2n+1 of.a)')!(el)), spaced)
})

t.test('a formula that does not parse matches nothing, without throwing', async (t) => {
  for (const selector of [':nth-child(2n+1 of)', ':nth-child(x of .a)', ':nth-child(2n+1 of !!)']) {
    const m = matcherFor(selector)
    t.doesNotThrow(() => all.filter((el) => m?.(el)), selector)
    t.equal(all.filter((el) => m?.(el) === true).length, 0, `${selector}: no match`)
  }
})

t.test('one read of a sibling list for all its elements and rules', async (t) => {
  const n = 2000
  const { doc: big } = parseHtml(`<ul>${'<li>a</li>'.repeat(n)}</ul>`)
  const list = elements(big).find((el) => el.name === 'ul')!
  let reads = 0
  // Counts every read of an entry of the list, by us or by css-select.
  list.children = new Proxy(list.children, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++
      return Reflect.get(target, key, receiver)
    },
  })
  for (const child of list.children) if ('parent' in child) child.parent = list
  reads = 0
  const rules = Array.from({ length: 20 }, (_, i) => matcherFor(`li:nth-child(${i + 2}n+1)`)!).concat(matcherFor('li:nth-last-of-type(3n)')!)
  let matched = 0
  for (const li of list.children) if (isTag(li)) for (const rule of rules) if (rule(li)) matched++
  t.ok(matched > 0, `${matched} matches`)
  t.ok(reads <= 3 * n, `${reads} reads of ${n} siblings for ${rules.length} rules (css-select alone: ~${((rules.length * n * n) / 2).toExponential(1)})`)
})
