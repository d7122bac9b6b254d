/**
 * Vertical alignment of table cells. A browser stretches every cell of a row to the row's height
 * and places the cell's content by `vertical-align`, which is `middle` unless the page says
 * otherwise (Chromium's sheet: `tbody, thead, tfoot { vertical-align: middle }`, rows and cells
 * inherit it). Here cells are grid items (tables.ts), stretched to the row by the grid, with
 * their content at the top. A cell whose alignment is `middle` or `bottom` becomes a column
 * flex container that centres (or bottoms) one block wrapping its content: the wrapper keeps the
 * content's own inline flow, which flex items would break into separate blocks.
 */
import type { Element } from 'domhandler'
import { declaredValue, winningDeclaration } from './selector-match.js'
import type { StyleRule } from './css-rewrite.js'
import type { SatoriChild, SatoriElement } from './html-to-tree.js'

const ROW_GROUPS = new Set(['thead', 'tbody', 'tfoot'])
const JUSTIFY: Record<string, string> = { middle: 'center', bottom: 'flex-end' }
const PROPERTIES = ['vertical-align', 'display']

export class CellAligner {
  readonly #rules: StyleRule[]

  constructor(
    rules: StyleRule[],
    private readonly inlineStyle: (el: Element) => Record<string, unknown> | undefined,
  ) {
    // Only rules that could change the answer are matched against cells and rows.
    this.#rules = rules.filter((r) => r.declarations.some((d) => PROPERTIES.includes(d.property)))
  }

  #cascaded(el: Element, property: string): string | undefined {
    const winner = winningDeclaration(el, this.#rules, this.inlineStyle(el), [property])
    return winner && declaredValue(winner.value).toLowerCase()
  }

  /** The cell's vertical-align: its own, else its row's, else its row group's (middle by default). */
  #alignment(cell: Element): string {
    let el: Element | null = cell
    while (el) {
      // The page's rules first, then the element's `valign` (a presentational hint, which any
      // rule overrides: presentational-hints.ts).
      const v = this.#cascaded(el, 'vertical-align') ?? el.attribs.valign?.trim().toLowerCase()
      if (v !== undefined && v !== 'inherit' && v !== 'unset') return v
      if (ROW_GROUPS.has(el.name)) return 'middle'
      const parent: Element | null = el.parent?.type === 'tag' ? (el.parent as Element) : null
      el = parent && (parent.name === 'tr' || ROW_GROUPS.has(parent.name)) ? parent : null
    }
    return 'middle'
  }

  /** Rewrites a converted `<td>`/`<th>` so its content sits where a browser puts it. */
  align(cell: Element, out: SatoriElement): void {
    const justify = JUSTIFY[this.#alignment(cell)]
    if (!justify || this.#cascaded(cell, 'display') !== undefined) return
    placeCellContent(out, justify)
  }
}

/** Puts a cell's content in one block that the cell, a column flex container, places by `justify`. */
export function placeCellContent(out: SatoriElement, justify: string): void {
  const children = out.props.children as SatoriChild[] | SatoriChild | undefined
  if (children === undefined) return
  const content: SatoriElement = { type: 'div', props: { style: { display: 'block' }, children } }
  out.props.style = { ...(out.props.style as object | undefined), display: 'flex', flexDirection: 'column', justifyContent: justify }
  out.props.children = [content]
}
