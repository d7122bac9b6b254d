/**
 * Table captions as Chromium places them: outside the table's border box, above it (or below
 * with `caption-side: bottom`), as wide as the table and not widening it. Here a table is a
 * grid (tables.ts) and a caption inside it would be one of its items, inside its border and
 * border-spacing and as wide as its widest line. So a table with captions is put in an
 * anonymous wrapper, a column that holds the top captions, the table and the bottom captions,
 * as Chromium's table wrapper box does:
 * - the wrapper is as wide as the table (max-content, or the table's percentage width, which
 *   the table then fills); each caption is given no width of its own and `min-width: 100%`,
 *   so its text wraps at the table's width instead of stretching it;
 * - the table's margins are the wrapper's (they are outside the captions in Chromium), and the
 *   table itself gets none.
 * Tables without a caption are left as they are.
 */
import type { Element } from 'domhandler'
import { cascadedValue, type StyleRule } from './css-rewrite.js'
import { rulesMatching, winningDeclaration, declaredValue } from './selector-match.js'
import type { SatoriChild, SatoriElement } from './html-to-tree.js'

const SIDES = ['Top', 'Right', 'Bottom', 'Left'] as const
type Side = (typeof SIDES)[number]
const MARGINS = [
  'margin',
  'margin-top',
  'margin-right',
  'margin-bottom',
  'margin-left',
  'margin-block',
  'margin-block-start',
  'margin-block-end',
  'margin-inline',
  'margin-inline-start',
  'margin-inline-end',
]

const clean = declaredValue

/** The sides one margin declaration sets (horizontal, left-to-right writing). */
function marginSides(property: string, value: string): Array<[Side, string]> {
  const parts = value.split(/\s+(?![^(]*\))/).filter(Boolean)
  const pair = (a: Side, b: Side): Array<[Side, string]> => [
    [a, parts[0]!],
    [b, parts[1] ?? parts[0]!],
  ]
  switch (property) {
    case 'margin': {
      const [t, r = t, b = t, l = r] = parts
      return t ? [['Top', t], ['Right', r!], ['Bottom', b!], ['Left', l!]] : []
    }
    case 'margin-block':
      return parts.length ? pair('Top', 'Bottom') : []
    case 'margin-inline':
      return parts.length ? pair('Left', 'Right') : []
    case 'margin-block-start':
      return [['Top', value]]
    case 'margin-block-end':
      return [['Bottom', value]]
    case 'margin-inline-start':
      return [['Left', value]]
    case 'margin-inline-end':
      return [['Right', value]]
    default:
      return [[(property.slice(7, 8).toUpperCase() + property.slice(8)) as Side, value]]
  }
}

export class TableCaptions {
  readonly #sideRules: StyleRule[]
  readonly #boxRules: StyleRule[]

  constructor(
    rules: StyleRule[],
    private readonly inlineStyle: (el: Element) => Record<string, unknown> | undefined,
  ) {
    this.#sideRules = rules.filter((r) => r.declarations.some((d) => d.property === 'caption-side'))
    this.#boxRules = rules.filter((r) => r.declarations.some((d) => d.property === 'width' || d.property === 'display' || MARGINS.includes(d.property)))
  }

  /** `caption-side` is inherited: the caption's own, else the nearest ancestor's. */
  #side(caption: Element): 'top' | 'bottom' {
    for (let el: Element | null = caption; el; el = el.parent?.type === 'tag' ? (el.parent as Element) : null) {
      const value = clean(winningDeclaration(el, this.#sideRules, this.inlineStyle(el), ['caption-side'])?.value ?? '').toLowerCase()
      if (value === 'bottom' || value === 'block-end') return 'bottom'
      if (value === 'top' || value === 'block-start') return 'top'
      // `inherit`, `unset` or nothing set: the parent's value.
    }
    return 'top'
  }

  /** The table's margins, side by side, in cascade order (shorthands and longhands mixed). */
  #margins(table: Element): Partial<Record<Side, string>> {
    const matching = rulesMatching(table, this.#boxRules)
    const out: Partial<Record<Side, string>> = {}
    for (const d of cascadedValue(matching, this.inlineStyle(table), MARGINS)) {
      for (const [side, value] of marginSides(d.property, clean(d.value))) out[side] = value
    }
    return out
  }

  /** The converted table, or, when it has captions, the wrapper that holds it and them. */
  wrap(table: Element, out: SatoriElement): SatoriElement {
    const kids = out.props.children
    const children = Array.isArray(kids) ? kids : kids === undefined ? [] : [kids]
    const sources = table.children.filter((c): c is Element => c.type === 'tag' && c.name === 'caption')
    const captions = children.filter((c): c is SatoriElement => typeof c === 'object' && c.type === 'caption')
    if (captions.length === 0 || captions.length !== sources.length) return out
    // A table that is not drawn takes its captions with it.
    const display = winningDeclaration(table, this.#boxRules, this.inlineStyle(table), ['display'])?.value
    if (table.attribs.hidden !== undefined || (display !== undefined && clean(display).toLowerCase() === 'none')) return out

    const top: SatoriChild[] = []
    const bottom: SatoriChild[] = []
    captions.forEach((caption, i) => {
      // No width of its own: its text wraps at the table's width instead of widening it.
      caption.props.style = { ...(caption.props.style as object | undefined), width: 0, minWidth: '100%', gridColumn: 'auto' }
      ;(this.#side(sources[i]!) === 'bottom' ? bottom : top).push(caption)
    })
    out.props.children = children.filter((c) => !captions.includes(c as SatoriElement))

    const wrapperStyle: Record<string, unknown> = { display: 'flex', flexDirection: 'column', width: 'max-content' }
    const width = clean(winningDeclaration(table, this.#boxRules, this.inlineStyle(table), ['width'])?.value ?? '')
    // A percentage width is of the table's containing block: the wrapper's now.
    if (width.endsWith('%')) {
      wrapperStyle.width = width
      out.props.style = { ...(out.props.style as object | undefined), width: '100%' }
    }
    const margins = this.#margins(table)
    const tableStyle = (out.props.style ?? {}) as Record<string, unknown>
    for (const side of SIDES) {
      if (margins[side] !== undefined) wrapperStyle[`margin${side}`] = margins[side]
      tableStyle[`margin${side}`] = 0
    }
    out.props.style = tableStyle
    const wrapper: SatoriElement = { type: 'div', props: { style: wrapperStyle, children: [...top, out, ...bottom] } }
    if (out.key !== undefined) {
      // A selector that names the table crops to the whole of it, captions included, as in Chromium.
      wrapper.key = out.key
      delete out.key
    }
    return wrapper
  }
}
