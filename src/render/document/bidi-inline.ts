/**
 * The inline content of a right-to-left block, rebuilt as a wrapping flex row of one item per
 * word (bidi.ts says why): satori's flex rows follow `direction`, so in the right-to-left block
 * the row runs from the right, and the items go in logical order with each left-to-right run
 * (even level) turned around. Read from the right, the row is in visual order (UAX #9 rule L2
 * per line), and lines break between words in logical order, as a browser breaks them. Each
 * item carries its words' inline elements (as nested flex boxes, so that its text stays text
 * alone) and its own direction; a space becomes a no-break space inside a neighbouring word of
 * the same direction, so it is drawn between the right words. An inline box with a background,
 * border or padding of its own, an inline-block, a replaced element, `q` or an element with
 * generated content is one item.
 */
import { bidiTypeAt, embeddingLevels, LRM, markEvenNeutrals, markNeutrals, RLM, visualOrder, type Direction } from './bidi.js'
import type { SatoriChild, SatoriElement } from './html-to-tree.js'

export const NBSP = '\u00a0'
const COLLAPSIBLE = /[ \t\n\f\r]+/g

/** Phrasing elements whose content flows inline. */
export const INLINE_TAGS = new Set([
  'a', 'abbr', 'b', 'bdi', 'bdo', 'cite', 'code', 'data', 'del', 'dfn', 'em', 'i', 'ins', 'kbd',
  'mark', 'q', 's', 'samp', 'small', 'span', 'strong', 'sub', 'sup', 'time', 'u', 'var', 'font', 'label',
])
/**
 * Replaced and atomic inlines, and `q` (its quotes are generated content): one item each,
 * never cut into words (an inline <svg> would be cut into its shapes).
 */
export const ATOMIC_TAGS = new Set(['img', 'svg', 'canvas', 'video', 'picture', 'input', 'button', 'select', 'textarea', 'meter', 'progress', 'q'])
export const GENERATED = /::?(before|after)\b/i
/** The elements the reordered items are made of (no author selector matches them). */
export const RUN_TAG = 'vellum-bidi-run'
const BREAK_TAG = 'vellum-bidi-break'

/** One piece of a block's inline content, with the inline elements it sits in (outermost first). */
type Atom =
  | { kind: 'text'; text: string; chain: SatoriElement[] }
  | { kind: 'atomic'; element: SatoriElement; chain: SatoriElement[]; text: string; box: boolean }
  | { kind: 'break' }

/** A word, a space, an atomic inline or a break, with its level. */
interface Token {
  kind: 'word' | 'space' | 'atomic' | 'break'
  text: string
  level: number
  chain: SatoriElement[]
  element?: SatoriElement
  /** The direction an atomic item's own text is drawn in, when it is not its level's. */
  direction?: Direction
  lead?: boolean
  trail?: boolean
}

const shallow = (el: SatoriElement): SatoriElement => {
  const { children: _children, ...props } = el.props
  return { type: el.type, props }
}

/**
 * How a child element of rebuilt inline content is laid out: `split` into words (a phrasing
 * element), kept `whole` as one item (an image, an inline-block: its text is a paragraph of its
 * own), kept as one item too but its text part of the paragraph around it (`box`: an inline box
 * with its own background, border or padding, which a browser draws as one box on a line), or
 * `block` (not inline content: the block is left to satori).
 */
export type InlineKind = 'split' | 'whole' | 'box' | 'block'

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

/** An element's children as a list (satori takes one child or an array). */
export const childList = (el: SatoriElement): SatoriChild[] => {
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
    else if (kind === 'whole' || kind === 'box') {
      // Its own text is text alone in its item: satori orders it, helped by the marks (a box's
      // are the paragraph's, added once its levels are known: see `drawnAs`).
      const element = kind === 'box' ? child : { ...child, props: { ...child.props, children: childList(child).map((c) => (typeof c === 'string' ? markNeutrals(c) : c)) } }
      out.push({ kind: 'atomic', element, chain, text: textContent(child).replace(COLLAPSIBLE, ' ').trim(), box: kind === 'box' })
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
      else tokens.push({ kind: 'atomic', text: '', level: strongLevel(text, levels, i, j), chain: atom.chain, ...drawnAs(atom, levels.subarray(i, j)) })
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

/**
 * How an atomic item's own text is drawn: satori orders it as text alone in the item's
 * direction. An inline box's text is part of the paragraph (`own`, its levels there: after an
 * Arabic word `20%` is an Arabic number, W2, so the sign, neutral, resolves right to left and
 * is drawn left of the digits, as is the Arabic `٪` after `٢٠`), so its marks follow those
 * levels; an inline-block's is a paragraph of its own in the block's direction (marked in
 * `flatten`). Either runs right to left when any of its characters is at an odd level, else left
 * to right; an image keeps its level's direction.
 */
function drawnAs(atom: Extract<Atom, { kind: 'atomic' }>, own: Uint8Array): { element: SatoriElement; direction?: Direction } {
  if (!atom.text) return { element: atom.element }
  const style = atom.element.props.style as Record<string, unknown> | undefined
  if (!atom.box) {
    if (style?.direction === 'ltr') return { element: atom.element, direction: 'ltr' }
    return { element: atom.element, direction: embeddingLevels(atom.text, 'rtl').some((l) => l % 2 === 1) ? 'rtl' : 'ltr' }
  }
  // The levels of the box's characters other than collapsible spaces, in order: they match its
  // strings' characters other than collapsible spaces one for one (atom.text is them collapsed).
  const solid: number[] = []
  for (let k = 0; k < atom.text.length; k++) if (atom.text[k] !== ' ') solid.push(own[k]!)
  let n = 0
  const mark = (node: SatoriChild): SatoriChild => {
    if (typeof node !== 'string') return { ...node, props: { ...node.props, children: childList(node).map(mark) } }
    const levels = Array.from(node, (ch) => (/[ \t\n\f\r]/.test(ch) ? [1] : Array.from(ch, () => solid[n++] ?? 1))).flat()
    return markEvenNeutrals(node, levels)
  }
  return { element: mark(atom.element) as SatoriElement, direction: own.some((l) => l % 2 === 1) ? 'rtl' : 'ltr' }
}

/** The level of the first strong character in [from, to) (an object's level), else of the first. */
function strongLevel(text: string, levels: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    if (['L', 'R', 'AL', 'EN', 'AN'].includes(bidiTypeAt(text, i))) return levels[i]!
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
  if (t.kind === 'atomic') return wrap(t.chain, t.element!, t.direction ?? direction)
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
