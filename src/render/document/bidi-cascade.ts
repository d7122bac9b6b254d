/**
 * The small cascades bidi needs, run on the parsed document like small-caps.ts and
 * cell-alignment.ts: an element's direction (`direction`, `dir`, `dir="auto"`), its `display`
 * (whether it holds inline content, how an inline child is laid out), `text-align` and
 * `white-space` of a rebuilt row, and the marker of a right-to-left list item, which is drawn
 * on the right (a disc, circle, square or decimal number; other types keep satori's marker).
 * `layOut` applies bidi.ts's plan to one converted right-to-left element; `isolateRightToLeft`
 * sets the right-to-left runs of a left-to-right element's inline content apart.
 */
import type { Element } from 'domhandler'
import { declaredValue, matcherFor, winningDeclaration } from './selector-match.js'
import type { StyleRule } from './css-rewrite.js'
import { userAgentDisplay } from './user-agent-css.js'
import type { SatoriChild, SatoriElement } from './html-to-tree.js'
import { firstStrongDirection, markNeutrals, rightToLeftRuns, RLM, RTL_CHAR, type Direction } from './bidi.js'
import { ATOMIC_TAGS, childList, GENERATED, inlineKindByTag, NBSP, RUN_TAG, reorderInline, type InlineKind } from './bidi-inline.js'

const MARKER_TAG = 'vellum-bidi-marker'
/** A right-to-left run of left-to-right inline content (no author selector matches it). */
const ISOLATE_TAG = 'vellum-bidi-isolate'
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

const clean = (value: string) => declaredValue(value).toLowerCase()

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
      if (winner && !NO_BOX.test(clean(winner.value))) return property === 'position' || property === 'float' ? 'block' : 'box'
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
    const children = childList(out)
    if (!preservesWhitespace && this.isBlockContainer(el) && this.#reorder(el, out, children, sourceOf)) return
    // Text left to satori as text alone gets its neutrals marked. An inline element's text is
    // either rebuilt with its block's (which reads the unmarked text) or in a line satori does
    // not reorder at all.
    if (this.#display(el) !== 'inline' && children.some((c) => typeof c === 'string')) {
      out.props.children = children.map((c) => (typeof c === 'string' ? markNeutrals(c) : c))
    }
  }

  /**
   * `out`, converted from the left-to-right element `el` inside left-to-right content, with each
   * right-to-left run of its text (bidi.ts's `rightToLeftRuns`) as an inline element of its own
   * when satori lays that text out as inline content (`el` is inline or a list item, or holds
   * inline elements). satori's inline layout shapes every stretch of text in one font as one
   * HarfBuzz buffer in the direction of its script, and the space or comma after a Hebrew or
   * Arabic word is in that stretch when the script's font has it: `<b>A:</b> שלום world` came
   * out `A:␣␣םולשworld`, the space turned around with the word. Text alone in a block goes
   * through satori's own bidi ordering, which gets this right.
   */
  isolateRightToLeft(el: Element, out: SatoriElement, sourceOf: (el: SatoriElement) => Element | undefined): void {
    const children = childList(out)
    // The cheap test first: it runs for every left-to-right element of every page.
    if (!holdsRightToLeft(children)) return
    // A list item's marker is an inline box to satori: its text is inline content too.
    const display = this.#display(el)
    const inline =
      display === 'inline' ||
      display === 'list-item' ||
      children.some((c) => {
        const source = typeof c === 'object' && c !== null ? sourceOf(c) : undefined
        return source !== undefined && this.#display(source).startsWith('inline')
      })
    if (inline) isolateRuns(out, children)
  }

  /**
   * The same for a span the pipeline made of a text node (small caps splits its text into
   * spans): its text is inline content whatever its element.
   */
  isolateGenerated(span: SatoriElement): void {
    const children = childList(span)
    if (holdsRightToLeft(children)) isolateRuns(span, children)
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

const holdsRightToLeft = (children: SatoriChild[]) => children.some((c) => typeof c === 'string' && RTL_CHAR.test(c))

/** `out` with each right-to-left run of its text children (bidi.ts's `rightToLeftRuns`) as an inline element. */
function isolateRuns(out: SatoriElement, children: SatoriChild[]): void {
  let changed = false
  const next = children.flatMap((c): SatoriChild[] => {
    const runs = typeof c === 'string' ? rightToLeftRuns(c) : undefined
    if (!runs) return [c]
    changed = true
    return runs.map((r) => (r.embedded ? { type: ISOLATE_TAG, props: { style: { display: 'inline' }, children: r.text } } : r.text))
  })
  if (changed) out.props.children = next
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
