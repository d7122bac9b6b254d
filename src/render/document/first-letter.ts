/**
 * `::first-letter`, which satori does not know (it drops such rules). The first letter of an
 * element a `::first-letter` rule matches is put in an element of its own, given the rules'
 * declarations as its style attribute, before the tree is converted, so the cascades here and
 * satori's treat it as any inline element: its `em` sizes are of the block's font size, as the
 * pseudo-element's are, and `float: left` (the drop cap) is satori's float, which wraps the
 * following lines around it as Chromium does.
 *
 * What counts as the first letter follows CSS Pseudo-Elements 4 §2.3: the first typographic
 * letter unit of the block's first line, found through its inline children and its first
 * in-flow block child, with the punctuation right before and after it; nothing when the first
 * line starts with an image, a form control or a line break.
 *
 * The inserted element is a sibling of the elements after the letter in the same parent, so
 * `:first-child`/`:nth-child()` on those would count it, which the pseudo-element does not;
 * only pages with a `::first-letter` rule get it.
 */
import { Element, Text, type ChildNode } from 'domhandler'
import { cascadedValue, type StyleRule } from './css-rewrite.js'
import { matcherFor, winningDeclaration, declaredValue } from './selector-match.js'
import { userAgentDisplay } from './user-agent-css.js'

/** The element name of a first letter; no author selector names it. */
export const FIRST_LETTER_TAG = 'vellum-first-letter'

const PSEUDO = /::?first-letter$/i
/** Properties that apply to ::first-letter (CSS Pseudo 4 §2.3.1), by name or prefix. */
const APPLIES = /^(font|color$|opacity$|background|margin|padding|border|float$|text-decoration|text-shadow|text-transform$|letter-spacing$|word-spacing$|line-height$|vertical-align$|box-shadow$|-webkit-text-(stroke|fill-color))/
/** Content the first line starts with that is not a letter: no first letter then. */
const STOPS = new Set(['br', 'img', 'svg', 'input', 'button', 'select', 'textarea', 'video', 'canvas', 'iframe', 'object', 'embed', 'hr', 'table', 'math', 'picture', 'meter', 'progress'])
/** Elements that draw nothing (left out of the tree, html-to-tree.ts): looked past. */
const SKIPPED = new Set(['script', 'noscript', 'template', 'style', 'head', 'title', 'meta', 'link', 'base'])
const NOT_BLOCKS = new Set(['inline', 'contents', 'none'])
/** Punctuation, then one letter unit (a base with its combining marks), then punctuation. */
const LETTER = /^(\p{P}*)(\P{P}\p{M}*)(\p{P}*)/u
const LEADING_SPACE = /^[ \t\n\f\r]*/

type Found = Text | 'stop' | null

/** The text node holding the element's first letter; 'stop' when its first line starts with no letter. */
function firstText(el: Element): Found {
  for (const child of el.children) {
    if (child.type === 'text') {
      if (/[^ \t\n\f\r]/.test((child as Text).data)) return child as Text
      continue
    }
    if (child.type !== 'tag' && child.type !== 'script' && child.type !== 'style') continue
    const tag = child as Element
    if (SKIPPED.has(tag.name) || tag.attribs.hidden !== undefined) continue
    if (STOPS.has(tag.name)) return 'stop'
    const found = firstText(tag)
    if (found !== null) return found
  }
  return null
}

function relink(parent: Element): void {
  parent.children.forEach((c, i) => {
    c.parent = parent
    c.prev = parent.children[i - 1] ?? null
    c.next = parent.children[i + 1] ?? null
  })
}

export class FirstLetters {
  readonly #rules: Array<StyleRule & { base: string }>
  readonly #displayRules: StyleRule[]

  constructor(
    rules: StyleRule[],
    private readonly inlineStyle: (el: Element) => Record<string, unknown> | undefined,
  ) {
    // Rules inside @media/@supports may not apply: they are left out rather than guessed in.
    this.#rules = rules
      .filter((r) => !r.conditional && PSEUDO.test(r.selector))
      .map((r) => ({ ...r, base: r.selector.replace(PSEUDO, '') || '*', declarations: r.declarations.filter((d) => APPLIES.test(d.property)) }))
      .filter((r) => r.declarations.length > 0)
    this.#displayRules = this.#rules.length ? rules.filter((r) => !PSEUDO.test(r.selector) && r.declarations.some((d) => d.property === 'display')) : []
  }

  /** ::first-letter applies to block containers only (a `span::first-letter` draws nothing). */
  #isBlock(el: Element): boolean {
    const display = winningDeclaration(el, this.#displayRules, this.inlineStyle(el), ['display'])?.value ?? userAgentDisplay(el.name)
    return !NOT_BLOCKS.has(declaredValue(display).toLowerCase())
  }

  /** Puts the first letter of every element a `::first-letter` rule matches in its own styled element. */
  apply(root: Element): void {
    if (this.#rules.length === 0) return
    // The declarations each text node's first letter gets, outer blocks' first (an inner block's win).
    const letters = new Map<Text, string[]>()
    const stack: Element[] = [root]
    const order: Element[] = []
    while (stack.length) {
      const el = stack.pop()!
      order.push(el)
      for (let i = el.children.length - 1; i >= 0; i--) {
        const c = el.children[i]!
        if (c.type === 'tag') stack.push(c as Element)
      }
    }
    for (const el of order) {
      const matching = this.#rules.filter((r) => matcherFor(r.base)?.(el) === true)
      if (matching.length === 0 || !this.#isBlock(el)) continue
      const text = firstText(el)
      if (text === null || text === 'stop') continue
      const declarations = cascadedValue(matching, undefined, [...new Set(matching.flatMap((r) => r.declarations.map((d) => d.property)))])
      const style = declarations.map((d) => `${d.property}: ${declaredValue(d.value)}`)
      letters.set(text, [...(letters.get(text) ?? []), ...style])
    }
    for (const [text, style] of letters) split(text, style)
  }
}

/** Splits the letter off `text` into a `vellum-first-letter` element styled with `style`. */
function split(text: Text, style: string[]): void {
  const parent = text.parent as Element | null
  if (!parent) return
  const space = LEADING_SPACE.exec(text.data)![0]
  const match = LETTER.exec(text.data.slice(space.length))
  if (!match || !match[2]!.trim()) return
  const letter = match[0]
  const rest = text.data.slice(space.length + letter.length)
  // Inline unless the rules float it: it sits in the line as the pseudo-element does.
  const el = new Element(FIRST_LETTER_TAG, { style: ['display: inline', ...style].join('; ') }, [new Text(letter)])
  ;(el.children[0] as ChildNode).parent = el
  const parts: ChildNode[] = [...(space ? [new Text(space)] : []), el, ...(rest ? [new Text(rest)] : [])]
  parent.children.splice(parent.children.indexOf(text), 1, ...parts)
  relink(parent)
}
