/**
 * Backgrounds of table rows and row groups. Rows are not boxes here (tables.ts: cells are the
 * table grid's items), so `tr:nth-child(even) { background: #f5f5f5 }`, the striped table of
 * every invoice and leaderboard, painted nothing. Chromium paints a row's background under each
 * of its cells (not in the border-spacing between them), and a row group's under its rows, with
 * the cell's own background on top: so a cell without a background of its own takes its row's,
 * else its row group's. Colours only: a row's gradient or image spans the whole row, which one
 * layer per cell cannot draw (such a value is left alone).
 */
import type { Element } from 'domhandler'
import { declaredValue, winningDeclaration } from './selector-match.js'
import type { StyleRule } from './css-rewrite.js'
import type { SatoriElement } from './html-to-tree.js'

const PROPERTIES = ['background', 'background-color', 'background-image']
const ROW_GROUPS = new Set(['thead', 'tbody', 'tfoot'])
/** Values that paint nothing: the layer below shows through. */
const CLEAR = new Set(['none', 'transparent', 'initial', 'unset', 'inherit', 'revert', 'rgba(0,0,0,0)'])

export class RowBackgrounds {
  readonly #rules: StyleRule[]
  readonly #rows = new Map<Element, Record<string, string> | null>()

  constructor(
    rules: StyleRule[],
    private readonly inlineStyle: (el: Element) => Record<string, unknown> | undefined,
  ) {
    // Only rules that set a background are matched against cells, rows and row groups.
    this.#rules = rules.filter((r) => r.declarations.some((d) => PROPERTIES.includes(d.property)))
  }

  /** The element's own background, as the style that paints it; null when it paints none. */
  #own(el: Element): Record<string, string> | null {
    const winner = winningDeclaration(el, this.#rules, this.inlineStyle(el), PROPERTIES)
    if (!winner) return null
    const value = declaredValue(winner.value)
    if (CLEAR.has(value.toLowerCase().replace(/\s+/g, ''))) return null
    if (winner.property === 'background-color') return { backgroundColor: value }
    // A shorthand or image that draws an image across the row cannot be split per cell.
    if (winner.property === 'background-image' || /\b(url|[a-z-]*gradient)\s*\(/i.test(value) || /\bvar\s*\(/i.test(value)) return null
    return { background: value }
  }

  #rowBackground(el: Element): Record<string, string> | null {
    let found = this.#rows.get(el)
    if (found === undefined) this.#rows.set(el, (found = this.#own(el)))
    return found
  }

  /** Gives a converted `<td>`/`<th>` its row's (else its row group's) background when it has none of its own. */
  apply(cell: Element, out: SatoriElement): void {
    const row = cell.parent?.type === 'tag' && (cell.parent as Element).name === 'tr' ? (cell.parent as Element) : undefined
    if (!row) return
    const group = row.parent?.type === 'tag' && ROW_GROUPS.has((row.parent as Element).name) ? (row.parent as Element) : undefined
    const beneath = this.#rowBackground(row) ?? (group ? this.#rowBackground(group) : null)
    if (!beneath) return
    // The cell's own background (a rule, its style attribute or its bgcolor) paints over the row's.
    if (cell.attribs.bgcolor !== undefined || this.#own(cell)) return
    out.props.style = { ...(out.props.style as object | undefined), ...beneath }
  }
}
