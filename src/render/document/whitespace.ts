/**
 * Whitespace-only text that CSS never draws, removed before layout.
 *
 * Pages are written with indentation, so most elements have "\n    " text between their
 * children. satori 0.63 lays each such run out as text (measuring, line breaking) only for it to
 * collapse to nothing: on the bench cards that is 10–20 % of the layout stage. A browser
 * generates no box for it when it is
 * - a child of a flex or grid container (CSS Flexbox §4, Grid §6: whitespace-only text is not
 *   rendered), or
 * - in a block container, between block-level siblings (or at the edge next to one): it sits in
 *   an anonymous block whose only line is collapsible whitespace, which has no line box.
 * Only those runs go. Anything undecided is kept and left to satori's own collapsing: an element
 * whose `display` depends on a selector css-select cannot evaluate, on a `@media`/`@supports`
 * rule, on `var()`, or is `contents`; and whitespace anywhere a rule or an ancestor's inline
 * style preserves it (`white-space: pre*`, `break-spaces`, `<pre>`, `<textarea>`).
 */
import type { Element } from 'domhandler'
import { cascadedValue, type StyleRule } from './css-rewrite.js'
import { declaredValue, matcherFor, type Matcher } from './selector-match.js'
import { userAgentDisplay } from './user-agent-css.js'
import type { SatoriChild, SatoriElement } from './html-to-tree.js'

/** block: block-level block container; flex: block-level flex/grid; inline-flex; inline. */
type Kind = 'block' | 'flex' | 'inline-flex' | 'inline' | 'unknown'

const PRESERVING_TAGS = new Set(['pre', 'textarea', 'listing', 'xmp', 'plaintext'])
const WHITE_SPACE_PROPS = ['white-space', 'white-space-collapse']
const COLLAPSING = /^\s*(normal|nowrap|collapse|initial|unset|inherit|revert)?\s*(!important)?\s*$/i
const WHITESPACE_ONLY = /^[ \t\n\f\r]*$/

function kindOf(display: string): Kind {
  const v = declaredValue(display).toLowerCase()
  switch (v) {
    case 'block':
    case 'flow-root':
    case 'list-item':
    case 'block flow':
    case 'block flow-root':
    case 'block list-item':
      return 'block'
    case 'flex':
    case 'grid':
    case 'block flex':
    case 'block grid':
      return 'flex'
    case 'inline-flex':
    case 'inline-grid':
    case 'inline flex':
    case 'inline grid':
      return 'inline-flex'
    case 'inline':
    case 'inline-block':
    case 'inline flow':
    case 'inline flow-root':
      return 'inline'
    default:
      return 'unknown' // contents, none, var(), keywords satori or the rewrite may change
  }
}

export class WhitespacePruner {
  private readonly enabled: boolean
  private readonly displayRules: Array<{ rule: StyleRule; matches: Matcher | null }> = []

  constructor(rules: StyleRule[]) {
    this.enabled = !rules.some((r) => r.declarations.some((d) => WHITE_SPACE_PROPS.includes(d.property) && !COLLAPSING.test(d.value)))
    for (const rule of rules) {
      // A selector css-select cannot evaluate (null) leaves every element it might match undecided.
      if (rule.declarations.some((d) => d.property === 'display')) this.displayRules.push({ rule, matches: matcherFor(rule.selector) })
    }
  }

  /** Whether an element's inline style or tag makes its subtree keep whitespace. */
  preserves(el: Element, style: Record<string, unknown> | undefined): boolean {
    if (PRESERVING_TAGS.has(el.name)) return true
    for (const key of ['whiteSpace', 'whiteSpaceCollapse']) {
      const v = style?.[key]
      if (v !== undefined && !COLLAPSING.test(String(v))) return true
    }
    return false
  }

  private kind(el: Element, style: Record<string, unknown> | undefined): Kind {
    const matching: StyleRule[] = []
    for (const { rule, matches } of this.displayRules) {
      if (rule.conditional || !matches) {
        // A rule that may or may not apply: undecided if it could concern this element at all.
        if (!matches || matches(el)) return 'unknown'
        continue
      }
      if (matches(el)) matching.push(rule)
    }
    const decls = cascadedValue(matching, style, ['display'])
    const winner = decls[decls.length - 1]
    return kindOf(winner ? winner.value : userAgentDisplay(el.name))
  }

  /**
   * The children of `parent` without the whitespace-only text a browser would not draw.
   * `items` pairs each converted child with its source element (null for text).
   */
  prune(
    parent: Element,
    parentStyle: Record<string, unknown> | undefined,
    items: Array<{ out: SatoriChild; source: Element | null }>,
    preserving: boolean,
  ): SatoriChild[] {
    const all = items.map((i) => i.out)
    if (!this.enabled || preserving || !items.some((i) => typeof i.out === 'string' && WHITESPACE_ONLY.test(i.out))) return all
    const parentKind = this.kind(parent, parentStyle)
    if (parentKind !== 'block' && parentKind !== 'flex' && parentKind !== 'inline-flex') return all
    const kinds = new Map<number, Kind>()
    const blockLevel = (i: number): boolean => {
      const item = items[i]
      if (!item) return true // the edge of the container
      if (!item.source) return false // text
      if (!kinds.has(i)) kinds.set(i, this.kind(item.source, (item.out as SatoriElement).props.style as Record<string, unknown>))
      const k = kinds.get(i)
      return k === 'block' || k === 'flex'
    }
    return all.filter((out, i) => {
      if (typeof out !== 'string' || !WHITESPACE_ONLY.test(out)) return true
      if (parentKind !== 'block') return false // flex or grid container
      return !(blockLevel(i - 1) && blockLevel(i + 1))
    })
  }
}
