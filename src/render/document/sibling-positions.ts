/**
 * The structural pseudo-classes (`:nth-child()`, `:nth-of-type()`, `:first-of-type`…) for
 * css-select, reading an element's position from a table built once per sibling list. css-select
 * finds it by walking the siblings on every test, so one rule over a list of n elements costs n²/2
 * steps, and a cascade tests every rule on every element: 1,000 `li:nth-child(…){direction:…}`
 * rules over 3,000 <li> took 14 s of a render. The parsed document is not changed after parsing,
 * so a table stays right; an element not found where its table says is counted again anyway.
 * css-select takes these through its `pseudos` option, which it consults before its own.
 */
import { isTag, type AnyNode, type Element } from 'domhandler'
import nthCheck from 'nth-check'
import { LRUCache } from 'lru-cache'

type Matcher = (el: Element) => boolean

interface Positions {
  /** The element children in order. */
  tags: Element[]
  index: Map<Element, number>
  /** Position among the siblings of its own name, and how many there are of each name. */
  ofType: Map<Element, number>
  typeCount: Map<string, number>
  /** `:nth-child(An+B of S)`: per selector list S, each matching element's position among those matching. */
  of: Map<string, Map<Element, number>>
}

const TABLES = new WeakMap<AnyNode[], Positions>()
const NTH = new LRUCache<string, (n: number) => boolean>({ max: 2000 })
// `of` may touch its selector: css-tree writes `2n+1 of .a` as `2n+1 of.a`.
const OF = /^(.+?)\s+of\b\s*(.+)$/is

function siblingsOf(el: Element): AnyNode[] {
  return el.parent?.children ?? [el]
}

function positions(el: Element): Positions {
  const siblings = siblingsOf(el)
  const known = TABLES.get(siblings)
  if (known && known.tags[known.index.get(el) ?? -1] === el) return known
  const tags = siblings.filter(isTag)
  const index = new Map<Element, number>()
  const ofType = new Map<Element, number>()
  const typeCount = new Map<string, number>()
  tags.forEach((tag, i) => {
    index.set(tag, i)
    const seen = typeCount.get(tag.name) ?? 0
    ofType.set(tag, seen)
    typeCount.set(tag.name, seen + 1)
  })
  const table = { tags, index, ofType, typeCount, of: new Map() }
  TABLES.set(siblings, table)
  return table
}

function check(formula: string): (n: number) => boolean {
  let f = NTH.get(formula)
  if (!f) {
    // css-select would refuse the selector when compiling it; here the test runs while matching,
    // where a throw would fail the render: a formula that does not parse matches nothing.
    try {
      f = nthCheck(formula)
    } catch {
      f = () => false
    }
    NTH.set(formula, f)
  }
  return f
}

/** 0-based position of `el` among its element siblings (from the end when `last`), or among those matching `of`. */
function childPosition(el: Element, last: boolean, of?: { key: string; matches: Matcher }): number {
  const table = positions(el)
  if (!of) {
    const i = table.index.get(el)!
    return last ? table.tags.length - 1 - i : i
  }
  let among = table.of.get(of.key)
  if (!among) {
    among = new Map()
    for (const tag of table.tags) if (of.matches(tag)) among.set(tag, among.size)
    table.of.set(of.key, among)
  }
  const i = among.get(el)
  if (i === undefined) return -1
  return last ? among.size - 1 - i : i
}

function typePosition(el: Element, last: boolean): number {
  const table = positions(el)
  const i = table.ofType.get(el)!
  return last ? table.typeCount.get(el.name)! - 1 - i : i
}

/** `matcherOf` compiles the `S` of `:nth-child(An+B of S)`. */
export function structuralPseudos(matcherOf: (selector: string) => Matcher | null) {
  const nthChild = (last: boolean) => (el: Element, data?: string | null) => {
    const formula = data ?? ''
    const of = OF.exec(formula)
    if (!of) return check(formula.trim())(childPosition(el, last))
    const selector = of[2]!.trim()
    const matches = matcherOf(selector)
    if (!matches) return false
    const i = childPosition(el, last, { key: selector, matches })
    return i >= 0 && check(of[1]!.trim())(i)
  }
  const nthType = (last: boolean) => (el: Element, data?: string | null) => check((data ?? '').trim())(typePosition(el, last))
  return {
    'nth-child': nthChild(false),
    'nth-last-child': nthChild(true),
    'nth-of-type': nthType(false),
    'nth-last-of-type': nthType(true),
    'first-of-type': (el: Element) => typePosition(el, false) === 0,
    'last-of-type': (el: Element) => typePosition(el, true) === 0,
    'only-of-type': (el: Element) => positions(el).typeCount.get(el.name) === 1,
  }
}
