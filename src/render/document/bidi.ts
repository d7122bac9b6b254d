/**
 * Right-to-left and mixed-direction text, ordered by the Unicode Bidirectional Algorithm (UAX #9,
 * computed by bidi-js) before satori lays it out.
 *
 * What satori 0.63 does itself (read from its src/text/bidi.ts and src/text/inline.ts):
 * - A block whose content is text alone is broken into lines first, then each line's pieces
 *   (words, and parts of words that change direction) are reordered by a simplified bidi
 *   algorithm over whole pieces: no W4/W5 (so `09:30` in a right-to-left line is drawn `30:09`,
 *   the `:` being a neutral between two numbers; `₪120` puts the sign on the wrong side), no
 *   bracket pairs, no explicit embeddings. Arabic is shaped (joining forms) by HarfBuzz, and a
 *   piece shaped right-to-left has its brackets mirrored by HarfBuzz.
 * - A block whose content has inline elements (`<b>`, `<span>`, a list item's marker) is laid
 *   out by its inline layout, which aligns right-to-left lines but never reorders them: the
 *   words come out left to right in logical order, an inline element on the wrong side.
 *
 * So, per right-to-left block (`dir`, `direction`, `dir="auto"` resolved from the first strong
 * character):
 * - Text alone stays satori's: it breaks lines in logical order and reorders per line, which is
 *   right for paragraphs of any length. Its only mistake, the level of neutral and weak
 *   characters the simplified algorithm resolves differently, is corrected by writing a
 *   LEFT-TO-RIGHT MARK after each such character that UAX #9 puts at an even (left-to-right)
 *   level: satori's piece then counts as left-to-right (`markNeutrals`).
 * - Inline content is rebuilt as a wrapping flex row of one item per word. satori's flex rows
 *   follow `direction`, so in the right-to-left block the row runs from the right: the items
 *   go in logical order with each left-to-right run (even level) turned around, so that the
 *   row read from the right is in visual order and lines break between words in logical
 *   order, as a browser breaks them (`reorderInline`). Each item carries its words' inline
 *   elements (as nested flex boxes, so that its text stays text alone) and its own direction;
 *   a space becomes a no-break space inside a neighbouring word of the same direction (so it
 *   is drawn between the right words). An inline box with a background, border or padding of
 *   its own, an inline-block or an image is one item.
 * - A right-to-left list item gets its marker on the right (a disc, circle, square or decimal
 *   number); other marker types keep satori's.
 *
 * Limits: a left-to-right block is left to satori (right-to-left words inside its inline
 * elements are not reordered across elements); inline content is rebuilt only when every
 * child is inline (by the cascade: text, `<br>`, images, phrasing elements, inline-blocks); a
 * left-to-right run is laid out as separate words reversed, so if one run wraps, its later
 * words land on the earlier line; spaces at a wrap point are kept (a browser hangs them), and a
 * line box's height is that of its tallest word (baseline-aligned), not the CSS inline model's;
 * `unicode-bidi` and embedding levels deeper than 2 in text alone (satori resolves two) are not
 * honoured; `<bdi>`/`<bdo>` are plain inline elements.
 */
import type { Element } from 'domhandler'
import bidiModule from 'bidi-js'
import { matcherFor, winningDeclaration } from './selector-match.js'
import type { StyleRule } from './css-rewrite.js'
import { userAgentDisplay } from './user-agent-css.js'
import type { SatoriChild, SatoriElement } from './html-to-tree.js'

export type Direction = 'ltr' | 'rtl'

// bidi-js's types declare an ES default export; its CommonJS build is the factory itself.
const bidi = (bidiModule as unknown as typeof bidiModule.default)()

const LRM = '\u200e'
const RLM = '\u200f'
const NBSP = '\u00a0'
/** Characters of right-to-left scripts: only text holding one can need any of this. */
const RTL_CHAR = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u
/** Neutral and weak types whose level satori's simplified algorithm may get wrong. */
const MARKED_TYPES = new Set(['ON', 'ES', 'ET', 'CS'])
/** After these a mark would split a grapheme or an emoji sequence. */
const JOINS_PREVIOUS = /^[\p{M}\u200d\ufe0e\ufe0f\u{1f3fb}-\u{1f3ff}]/u
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u
const COLLAPSIBLE = /[ \t\n\f\r]+/g

/** Phrasing elements whose content flows inline. */
const INLINE_TAGS = new Set([
  'a', 'abbr', 'b', 'bdi', 'bdo', 'cite', 'code', 'data', 'del', 'dfn', 'em', 'i', 'ins', 'kbd',
  'mark', 'q', 's', 'samp', 'small', 'span', 'strong', 'sub', 'sup', 'time', 'u', 'var', 'font', 'label',
])
/**
 * Replaced and atomic inlines, and `q` (its quotes are generated content): one item each,
 * never cut into words (an inline <svg> would be cut into its shapes).
 */
const ATOMIC_TAGS = new Set(['img', 'svg', 'canvas', 'video', 'picture', 'input', 'button', 'select', 'textarea', 'meter', 'progress', 'q'])
const GENERATED = /::?(before|after)\b/i
/** The elements the reordered items are made of (no author selector matches them). */
export const RUN_TAG = 'vellum-bidi-run'
const BREAK_TAG = 'vellum-bidi-break'
const MARKER_TAG = 'vellum-bidi-marker'

const DIRECTION_PROPS = ['direction']
const DISPLAY_PROPS = ['display']
const ALIGN_PROPS = ['text-align']
const WRAP_PROPS = ['white-space', 'text-wrap', 'text-wrap-mode']
const LIST_PROPS = ['list-style-type', 'list-style']
/** An inline box declaring one of these draws a box of its own: its words stay together. */
const BOX_PROPS = [
  'background', 'background-color', 'background-image', 'border', 'border-width', 'border-style', 'border-left', 'border-right',
  'border-top', 'border-bottom', 'padding', 'padding-left', 'padding-right', 'padding-inline', 'padding-inline-start',
  'padding-inline-end', 'box-shadow', 'outline', 'border-radius', 'position', 'float',
]
const NO_BOX = /^(none|0|0px|transparent|initial|unset|normal|static|auto)$/

const clean = (value: string) => value.replace(/\s*!important\s*$/i, '').trim().toLowerCase()

/** A BMP character of each bidi type, standing in for characters outside the BMP. */
const STAND_INS: Record<string, string> = {
  L: 'a', R: '\u05d0', AL: '\u0627', EN: '0', AN: '\u0660', ES: '+', ET: '#', CS: ',', NSM: '\u0300', BN: '\u200b', WS: ' ', ON: '!',
}

/**
 * UAX #9 levels of `text` in a paragraph of direction `base`, one per UTF-16 unit. bidi-js
 * types each UTF-16 unit, so a surrogate half (an emoji, most of them neutral) would count as a
 * strong left-to-right letter: each character outside the BMP is given as two BMP characters of
 * its own type (the string keeps its length and indices).
 */
export function embeddingLevels(text: string, base: Direction | 'auto'): Uint8Array {
  const safe = text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, (pair) => (STAND_INS[bidi.getBidiCharTypeName(pair)] ?? '!').repeat(2))
  return bidi.getEmbeddingLevels(safe, base).levels
}

/** The direction of the first strong character of `text` (HTML's `dir="auto"`); ltr without one. */
export function firstStrongDirection(text: string): Direction {
  for (const ch of text) {
    const type = bidi.getBidiCharTypeName(ch)
    if (type === 'L') return 'ltr'
    if (type === 'R' || type === 'AL') return 'rtl'
  }
  return 'ltr'
}

/**
 * `text` of a right-to-left block with a LEFT-TO-RIGHT MARK after each neutral or weak
 * character (`:` `/` `₪` `%` `@` …) that UAX #9 resolves left-to-right, so that satori's
 * per-piece algorithm, which reads a piece's first strong character, keeps `09:30`, `₪120` and
 * `12/06/2026` in left-to-right order. Marks are zero-width and default-ignorable.
 */
export function markNeutrals(text: string): string {
  if (!RTL_CHAR.test(text) && !/\p{Nd}/u.test(text)) return text
  const levels = embeddingLevels(text, 'rtl')
  let out = ''
  let changed = false
  for (let i = 0; i < text.length; ) {
    const ch = String.fromCodePoint(text.codePointAt(i)!)
    out += ch
    const next = i + ch.length
    if (levels[i]! % 2 === 0 && MARKED_TYPES.has(bidi.getBidiCharTypeName(ch)) && !PICTOGRAPHIC.test(ch) && !JOINS_PREVIOUS.test(text.slice(next))) {
      out += LRM
      changed = true
    }
    i = next
  }
  return changed ? out : text
}

/** One piece of a block's inline content, with the inline elements it sits in (outermost first). */
type Atom =
  | { kind: 'text'; text: string; chain: SatoriElement[] }
  | { kind: 'atomic'; element: SatoriElement; chain: SatoriElement[]; text: string }
  | { kind: 'break' }

/** A word, a space, an atomic inline or a break, with its level. */
interface Token {
  kind: 'word' | 'space' | 'atomic' | 'break'
  text: string
  level: number
  chain: SatoriElement[]
  element?: SatoriElement
  lead?: boolean
  trail?: boolean
}

const shallow = (el: SatoriElement): SatoriElement => {
  const { children: _children, ...props } = el.props
  return { type: el.type, props }
}

/**
 * How a child element of rebuilt inline content is laid out: `split` into words (a phrasing
 * element), kept `whole` as one item (an image, an inline-block, or an inline box with its own
 * background, border or padding, which a browser draws as one box on a line), or `block`
 * (not inline content: the block is left to satori).
 */
export type InlineKind = 'split' | 'whole' | 'block'

/** The tag-only answer, for elements built without a source element. */
export function inlineKindByTag(el: SatoriElement): InlineKind {
  const style = el.props.style as Record<string, unknown> | undefined
  if (style?.position === 'absolute' || style?.position === 'fixed') return 'block'
  if (ATOMIC_TAGS.has(el.type)) return 'whole'
  if (style?.display !== undefined) return /^inline-/.test(String(style.display)) ? 'whole' : 'block'
  return INLINE_TAGS.has(el.type) || el.type === 'br' ? 'split' : 'block'
}

const textContent = (n: SatoriChild): string =>
  typeof n === 'string' ? n : childList(n).map(textContent).join('')

const childList = (el: SatoriElement): SatoriChild[] => {
  const c = el.props.children
  return c === undefined ? [] : Array.isArray(c) ? c : [c]
}

/** The block's content as atoms, or false when something in it is not inline content. */
function flatten(children: SatoriChild[], chain: SatoriElement[], out: Atom[], kindOf: (el: SatoriElement) => InlineKind): boolean {
  for (const child of children) {
    if (typeof child === 'string') {
      out.push({ kind: 'text', text: child, chain })
      continue
    }
    const kind = kindOf(child)
    if (kind === 'block') return false
    if (child.type === 'br') out.push({ kind: 'break' })
    else if (kind === 'whole') {
      // Its own text is text alone in its item: satori orders it, helped by the marks.
      const element = { ...child, props: { ...child.props, children: childList(child).map((c) => (typeof c === 'string' ? markNeutrals(c) : c)) } }
      out.push({ kind: 'atomic', element, chain, text: textContent(child).replace(COLLAPSIBLE, ' ').trim() })
    } else if (!flatten(childList(child), [...chain, shallow(child)], out, kindOf)) return false
  }
  return true
}

/** Words, spaces (collapsed, trimmed at the edges of lines) and objects, with UAX #9 levels. */
function tokenize(atoms: Atom[], base: Direction): Token[] {
  const tokens: Token[] = []
  let text = ''
  const owner: Array<Atom> = []
  let lastSpace = true
  for (const atom of atoms) {
    if (atom.kind === 'text') {
      for (const ch of atom.text.replace(COLLAPSIBLE, ' ')) {
        if (ch === ' ' && lastSpace) continue
        lastSpace = ch === ' '
        text += ch
        for (let k = 0; k < ch.length; k++) owner.push(atom)
      }
    } else {
      // A break is a paragraph separator for the algorithm; an image a neutral object.
      if (atom.kind === 'break' && text.endsWith(' ')) {
        text = text.slice(0, -1)
        owner.pop()
      }
      // An object's own text decides its level (an image is one neutral object character).
      const own = atom.kind === 'break' ? '\u2029' : atom.text || '\ufffc'
      text += own
      for (let k = 0; k < own.length; k++) owner.push(atom)
      lastSpace = atom.kind === 'break'
    }
  }
  if (text.endsWith(' ')) {
    text = text.slice(0, -1)
    owner.pop()
  }
  const levels = embeddingLevels(text, base)
  for (let i = 0; i < text.length; ) {
    const atom = owner[i]!
    const level = levels[i]!
    const ch = text[i]!
    if (atom.kind !== 'text') {
      let j = i + 1
      while (j < text.length && owner[j] === atom) j++
      if (atom.kind === 'break') tokens.push({ kind: 'break', text: '', level, chain: [] })
      else tokens.push({ kind: 'atomic', text: '', level: strongLevel(text, levels, i, j), chain: atom.chain, element: atom.element })
      i = j
      continue
    }
    if (ch === ' ') {
      tokens.push({ kind: 'space', text: ' ', level, chain: atom.chain })
      i++
      continue
    }
    let j = i + 1
    while (j < text.length && owner[j] === atom && text[j] !== ' ' && levels[j] === level) j++
    tokens.push({ kind: 'word', text: text.slice(i, j), level, chain: atom.chain })
    i = j
  }
  return tokens
}

/** The level of the first strong character in [from, to) (an object's level), else of the first. */
function strongLevel(text: string, levels: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    if (['L', 'R', 'AL', 'EN', 'AN'].includes(bidi.getBidiCharTypeName(String.fromCodePoint(text.codePointAt(i)!)))) return levels[i]!
  }
  return levels[from]!
}

/**
 * Each space joins the word before it when they share a direction (it is then drawn at that
 * word's end), else the word after it (drawn at its start), else stays an item of its own.
 */
function attachSpaces(tokens: Token[]): Token[] {
  const out: Token[] = []
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t.kind !== 'space') {
      out.push(t)
      continue
    }
    const before = out[out.length - 1]
    const after = tokens[i + 1]
    // A leading space is preferred: a trailing one counts in the width of its word's item, so a
    // line that Chromium fills (its hanging space not counted) would wrap a word early here; a
    // leading one costs a space's shift at the start of a wrapped line instead (measured on
    // fidelity case 58: 6.6 % against 7.7 % of pixels).
    if (after?.kind === 'word' && after.level % 2 === t.level % 2) after.lead = true
    else if (before?.kind === 'word' && !before.trail && before.level % 2 === t.level % 2) before.trail = true
    else out.push(t)
  }
  return out
}

/** UAX #9 rule L2 over the tokens of one line: from the highest level down to the lowest odd one. */
export function visualOrder<T extends { level: number }>(items: T[]): T[] {
  const order = [...items]
  if (order.length === 0) return order
  const highest = Math.max(...order.map((t) => t.level))
  const lowestOdd = Math.min(...order.map((t) => (t.level % 2 === 1 ? t.level : t.level + 1)))
  for (let level = highest; level >= lowestOdd; level--) {
    for (let start = 0; start < order.length; ) {
      if (order[start]!.level < level) {
        start++
        continue
      }
      let end = start
      while (end < order.length && order[end]!.level >= level) end++
      order.splice(start, end - start, ...order.slice(start, end).reverse())
      start = end
    }
  }
  return order
}

/** Nested boxes for `chain` around `inner`, each a flex box so that its text stays text alone. */
function wrap(chain: SatoriElement[], inner: SatoriChild, direction: Direction): SatoriElement {
  let node: SatoriChild = inner
  for (let k = chain.length - 1; k >= 0; k--) {
    const el = chain[k]!
    node = { type: el.type, props: { ...el.props, style: { ...(el.props.style as object | undefined), display: 'flex' }, children: [node] } }
  }
  return { type: RUN_TAG, props: { style: { display: 'flex', direction, flexShrink: 0 }, children: [node] } }
}

function item(t: Token): SatoriElement {
  if (t.kind === 'break') return { type: BREAK_TAG, props: { style: { flexBasis: '100%', height: 0 } } }
  const direction: Direction = t.level % 2 === 1 ? 'rtl' : 'ltr'
  if (t.kind === 'atomic') return wrap(t.chain, t.element!, direction)
  // A no-break space at the end of a line is dropped by satori like a collapsible one: a mark
  // of the item's own direction after it keeps it.
  const mark = direction === 'rtl' ? RLM : LRM
  const text = t.kind === 'space' ? NBSP + mark : (t.lead ? NBSP : '') + t.text + (t.trail ? NBSP + mark : '')
  return wrap(t.chain, text, direction)
}

/**
 * The children of a right-to-left block whose content is inline, rebuilt as items of a
 * wrapping flex row running from the right (see the header), or null when the content is not simple
 * inline content or holds no inline element (text alone is left to satori).
 */
export function reorderInline(
  children: SatoriChild[],
  evenTextAlone = false,
  kindOf: (el: SatoriElement) => InlineKind = inlineKindByTag,
): SatoriElement[] | null {
  if (!evenTextAlone && !children.some((c) => typeof c !== 'string')) return null
  const atoms: Atom[] = []
  if (!flatten(children, [], atoms, kindOf)) return null
  const tokens = attachSpaces(tokenize(atoms, 'rtl'))
  const items: SatoriElement[] = []
  // Per line between breaks: visual order, turned around (the row runs from the right).
  let line: Token[] = []
  const flush = () => {
    for (const t of visualOrder(line).reverse()) items.push(item(t))
    line = []
  }
  for (const t of tokens) {
    if (t.kind === 'break') {
      flush()
      items.push(item(t))
    } else line.push(t)
  }
  flush()
  return items
}

/** `text-align` of a right-to-left block → where its flex row (main start: the right) puts its items. */
function justifyFor(textAlign: string): string {
  switch (textAlign) {
    case 'center':
    case '-webkit-center':
      return 'center'
    case 'left':
    case 'end':
      return 'flex-end'
    default:
      return 'flex-start' // start, right, justify
  }
}

/** The small cascades bidi needs: direction, display, text-align and list-style-type. */
export class BidiCascade {
  readonly #rules: StyleRule[]
  /** Some rule sets `direction`: without one only attributes and inline styles can. */
  readonly #anyDirectionRule: boolean
  /** Rules for `::before`/`::after`, as matchers of the element they belong to. */
  readonly #generated: Array<(el: Element) => boolean>

  constructor(
    rules: StyleRule[],
    private readonly inlineStyle: (el: Element) => Record<string, unknown> | undefined,
  ) {
    const props = [...DIRECTION_PROPS, ...DISPLAY_PROPS, ...ALIGN_PROPS, ...WRAP_PROPS, ...LIST_PROPS, ...BOX_PROPS]
    this.#rules = rules.filter((r) => r.declarations.some((d) => props.includes(d.property)))
    this.#anyDirectionRule = this.#rules.some((r) => r.declarations.some((d) => d.property === 'direction'))
    this.#generated = rules
      .filter((r) => GENERATED.test(r.selector))
      .map((r) => matcherFor(r.selector.replace(new RegExp(GENERATED.source, 'gi'), '')) ?? (() => true))
  }

  #value(el: Element, properties: string[]): string | undefined {
    const winner = winningDeclaration(el, this.#rules, this.inlineStyle(el), properties)
    return winner ? clean(winner.value) : undefined
  }

  /**
   * The direction of `el`, given its parent's: author CSS `direction`, else the `dir` attribute
   * (a user-agent rule in HTML, so author rules beat it; `auto` looks at the first strong
   * character of its text), else inherited.
   */
  direction(el: Element, inherited: Direction): Direction {
    if (this.#anyDirectionRule || this.inlineStyle(el)?.direction !== undefined) {
      const css = this.#value(el, DIRECTION_PROPS)
      if (css === 'rtl' || css === 'ltr') return css
      if (css === 'initial') return 'ltr'
    }
    const dir = el.attribs.dir?.trim().toLowerCase()
    if (dir === 'rtl' || dir === 'ltr') return dir
    if (dir === 'auto') return firstStrongDirection(textOf(el))
    return inherited
  }

  #display(el: Element): string {
    return this.#value(el, DISPLAY_PROPS) ?? userAgentDisplay(el.name)
  }

  /** Whether `el` lays its children out as a block container (where inline content flows). */
  isBlockContainer(el: Element): boolean {
    const display = this.#display(el)
    return display === 'block' || display === 'list-item' || display === 'flow-root'
  }

  /** How the element `el` is laid out inside rebuilt inline content (see InlineKind). */
  inlineKind(el: Element): InlineKind {
    if (el.name === 'br') return 'split'
    if (ATOMIC_TAGS.has(el.name)) return 'whole'
    const display = this.#display(el)
    if (display === 'none' || /^inline[- ](block|flex|grid|flow-root)$/.test(display)) return 'whole'
    if (display !== 'inline') return 'block'
    // Generated content would be repeated on every word.
    if (this.#generated.some((matches) => matches(el))) return 'whole'
    for (const property of BOX_PROPS) {
      const winner = winningDeclaration(el, this.#rules, this.inlineStyle(el), [property])
      if (winner && !NO_BOX.test(clean(winner.value))) return property === 'position' || property === 'float' ? 'block' : 'whole'
    }
    return 'split'
  }

  /** The `text-align` `el` has (inherited), lower-cased; `start` when nothing sets it. */
  textAlign(el: Element): string {
    for (let node: Element | null = el; node && node.type === 'tag'; node = node.parent as Element | null) {
      const value = this.#value(node, ALIGN_PROPS)
      if (value && value !== 'inherit' && value !== 'unset') return value
      if (node.name === 'th' || node.name === 'center') return 'center'
    }
    return 'start'
  }

  /** Whether lines of `el` may wrap (`white-space: nowrap` and `text-wrap: nowrap` are inherited). */
  wraps(el: Element): boolean {
    for (let node: Element | null = el; node && node.type === 'tag'; node = node.parent as Element | null) {
      const winner = winningDeclaration(node, this.#rules, this.inlineStyle(node), WRAP_PROPS)
      const value = winner ? clean(winner.value) : undefined
      if (value && value !== 'inherit' && value !== 'unset') return !/\bnowrap\b/.test(value)
    }
    return true
  }

  /** The marker type of a list item (inherited from its list), or undefined when unsure. */
  listStyleType(li: Element): string | undefined {
    for (let node: Element | null = li; node && node.type === 'tag'; node = node.parent as Element | null) {
      const winner = winningDeclaration(node, this.#rules, this.inlineStyle(node), LIST_PROPS)
      if (winner) {
        const value = clean(winner.value)
        if (winner.property === 'list-style-type') return value
        const type = value.split(/\s+/).find((v) => ['none', 'disc', 'circle', 'square', 'decimal'].includes(v))
        return type ?? undefined
      }
      if (node !== li && (node.name === 'ul' || node.name === 'ol' || node.name === 'menu')) {
        const type = node.attribs.type?.trim()
        if (node.name === 'ol') return !type || type === '1' ? 'decimal' : undefined
        if (type) return type.toLowerCase()
        let depth = 0
        for (let up = node.parent as Element | null; up && up.type === 'tag'; up = up.parent as Element | null) {
          if (up.name === 'ul' || up.name === 'ol' || up.name === 'menu') depth++
        }
        return depth === 0 ? 'disc' : depth === 1 ? 'circle' : 'square'
      }
    }
    return undefined
  }

  /**
   * `out` (converted from the right-to-left block `el`) with its inline content reordered and
   * its list marker on the right, when it is a block container of simple inline content.
   */
  layOut(el: Element, out: SatoriElement, preservesWhitespace: boolean, sourceOf: (el: SatoriElement) => Element | undefined): void {
    const kids = out.props.children
    const children = kids === undefined ? [] : Array.isArray(kids) ? kids : [kids]
    if (!preservesWhitespace && this.isBlockContainer(el) && this.#reorder(el, out, children, sourceOf)) return
    // Text left to satori as text alone gets its neutrals marked. An inline element's text is
    // either rebuilt with its block's (which reads the unmarked text) or in a line satori does
    // not reorder at all.
    if (this.#display(el) !== 'inline' && children.some((c) => typeof c === 'string')) {
      out.props.children = children.map((c) => (typeof c === 'string' ? markNeutrals(c) : c))
    }
  }

  #reorder(el: Element, out: SatoriElement, children: SatoriChild[], sourceOf: (el: SatoriElement) => Element | undefined): boolean {
    const isListItem = el.name === 'li' && (this.#value(el, DISPLAY_PROPS) ?? 'list-item') === 'list-item'
    const marker = isListItem ? this.#marker(el) : null
    // A list item keeps satori's marker (on the left) unless we draw one on the right.
    if (isListItem && marker === null) return false
    // A list item's text alone is rebuilt too: its marker is an inline box to satori.
    const kindOf = (child: SatoriElement): InlineKind => {
      const source = sourceOf(child)
      return source ? this.inlineKind(source) : inlineKindByTag(child)
    }
    const items = reorderInline(children, isListItem, kindOf)
    if (!items) return false
    if (marker) items.unshift(...marker)
    out.props.children = items
    out.props.style = {
      ...(out.props.style as object | undefined),
      display: 'flex',
      // satori's flex rows follow \`direction\`: in this right-to-left box a row runs from the right.
      flexDirection: 'row',
      flexWrap: this.wraps(el) ? 'wrap' : 'nowrap',
      alignItems: 'baseline',
      justifyContent: justifyFor(this.textAlign(el)),
    }
    return true
  }

  /**
   * The marker of a right-to-left list item as row items: the first item, at the right
   * of the content, takes no width and draws the marker beyond it as Chromium does (a disc
   * 0.9em from the content, a number followed by a space); [] for `none`, null for types
   * left to satori.
   */
  #marker(li: Element): SatoriElement[] | null {
    const type = this.listStyleType(li)
    if (type === 'none') return []
    // The item sits at the right edge of the content, takes no width, and its content overflows
    // to the right (left to right from there).
    const box = (child: SatoriElement): SatoriElement[] => [
      { type: MARKER_TAG, props: { style: { display: 'flex', direction: 'ltr', width: 0, flexShrink: 0, alignItems: 'baseline', whiteSpace: 'nowrap' }, children: [child] } },
    ]
    if (type === 'disc' || type === 'circle' || type === 'square') {
      // Chromium's symbol, mirrored (its LayoutListMarker sizes, as satori's own list-marker.ts
      // does in px from the ascent; here in em for a 16px Arial-like ascent): 0.31em wide, its
      // left 0.75em right of the content, its bottom 0.19em above the baseline (an item with no
      // text has its bottom margin edge as its baseline).
      const shape: Record<string, string | number> = { width: '0.31em', height: '0.31em', marginLeft: '0.75em', marginBottom: '0.19em', flexShrink: 0 }
      if (type === 'disc') Object.assign(shape, { borderRadius: '50%', backgroundColor: 'currentColor' })
      if (type === 'square') shape.backgroundColor = 'currentColor'
      if (type === 'circle') Object.assign(shape, { borderRadius: '50%', border: '1px solid currentColor', boxSizing: 'border-box' })
      return box({ type: RUN_TAG, props: { style: shape } })
    }
    if (type !== 'decimal') return null
    const list = li.parent as Element | null
    const siblings = (list?.children ?? []).filter((c): c is Element => c.type === 'tag' && c.name === 'li')
    const start = Number.parseInt(list?.attribs.start ?? '1', 10)
    const index = siblings.indexOf(li)
    const value = li.attribs.value !== undefined ? Number.parseInt(li.attribs.value, 10) : (Number.isNaN(start) ? 1 : start) + (list?.attribs.reversed !== undefined ? -index : index)
    // "1. " in a right-to-left line: the space (at the content) then ".1".
    return box({ type: RUN_TAG, props: { style: { display: 'flex', direction: 'rtl', flexShrink: 0, whiteSpace: 'nowrap' }, children: [`${value}.${NBSP}${RLM}`] } })
  }
}

/** The text content of an element (for `dir="auto"`), skipping elements that never render. */
function textOf(el: Element): string {
  let out = ''
  for (const c of el.children) {
    if (c.type === 'text') out += c.data
    else if (c.type === 'tag' && !['script', 'style', 'template', 'bdi'].includes(c.name) && (c as Element).attribs.dir === undefined) out += textOf(c as Element)
  }
  return out
}
