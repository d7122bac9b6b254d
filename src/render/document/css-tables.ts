/**
 * `display: table`, `table-row`, `table-cell`… on elements that are not HTML table parts: the
 * old centring trick (`display: table; height: 100%` around a `vertical-align: middle` cell) and
 * e-mail templates built of divs. satori has no table layout (css-rewrite.ts maps these values
 * to flex and block so it does not throw), so such a box was a full-width flex row, its cells
 * ignored vertical-align and border-spacing, and its columns were not shared as a table's.
 *
 * Here they are laid out as real tables are (tables.ts): the cells are the items of a grid of
 * `auto` tracks named `vellum-table`, rows and row groups are `display: contents`, and the satori
 * patch (vellumTableLayout) sizes the columns as Chromium does. The element's kind comes from the
 * cascade (css-rewrite.ts keeps the table value in TABLE_DISPLAY_PROPERTY next to its rewrite).
 *
 * - A `display: table` element keeps its own box (width, height, padding, border, background,
 *   margins, box-sizing, all as the author gave them) and holds one anonymous grid, which carries
 *   border-spacing as gaps and padding: in Chromium the spacing is inside the table's content
 *   box, so it cannot be the element's own padding without breaking `width` and box-sizing.
 *   Without a width the element is `fit-content` (shrink-to-fit, CSS 2.1 §17.5.2) and the grid
 *   `max-content`, which the patch shrinks to the element when the content does not fit.
 * - Missing parts are generated as CSS 2.1 §17.2.1 says: content of a table or row group that is
 *   not a row goes into an anonymous row, content of a row that is not a cell into an anonymous
 *   cell, and rows or cells whose parent is not a table into an anonymous table.
 * - A cell's `height` is only a minimum in Chromium: every cell of a row is as tall as the row.
 *   It becomes `min-height`, so the grid stretches the cell.
 * - vertical-align is the cell's own (it is not inherited; the HTML table's `middle` default
 *   comes from the user-agent sheet of tbody), placed as cell-alignment.ts places td content.
 * - Short rows get empty cells up to the column count: grid auto-placement would otherwise move
 *   the next row's first cells up into them. An empty cell without a style paints nothing.
 */
import type { Element } from 'domhandler'
import { TABLE_DISPLAY_PROPERTY, type StyleRule } from './css-rewrite.js'
import { winningDeclaration, declaredValue } from './selector-match.js'
import type { SatoriChild, SatoriElement } from './html-to-tree.js'

type Part = 'table' | 'group' | 'row' | 'cell' | 'caption'
/** What a child is in a table context: a table part, a box that is not drawn, or other content. */
type Kind = Part | 'none' | 'other'

const PARTS: Record<string, Part> = {
  table: 'table',
  'inline-table': 'table',
  'table-row-group': 'group',
  'table-header-group': 'group',
  'table-footer-group': 'group',
  'table-row': 'row',
  'table-cell': 'cell',
  'table-caption': 'caption',
}

/** HTML table elements: laid out by tables.ts from their names, never here. */
const HTML_TABLE = new Set(['table', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'caption', 'col', 'colgroup'])

const SPACING = ['border-spacing', 'border-collapse', '--vellum-bs-x', '--vellum-bs-y']
const PROPERTIES = ['display', TABLE_DISPLAY_PROPERTY, 'width', 'height', 'vertical-align', ...SPACING]
const WHITESPACE = /^[ \t\n\f\r]*$/
const JUSTIFY: Record<string, string> = { middle: 'center', bottom: 'flex-end' }

const clean = declaredValue
const childList = (out: SatoriElement): SatoriChild[] => {
  const c = out.props.children
  return Array.isArray(c) ? c : c === undefined ? [] : [c]
}
const styleOf = (out: SatoriElement) => (out.props.style ?? {}) as Record<string, unknown>
const anonymous = (style: Record<string, unknown>, children: SatoriChild[]): SatoriElement => ({ type: 'div', props: { style, children } })

export class CssTables {
  readonly #rules: StyleRule[]
  /** False when no rule sets a table display: then only style attributes can. */
  readonly #inRules: boolean
  readonly #parts = new Map<Element, Part | null>()
  /** The part each converted or generated element plays (anonymous ones have no source). */
  readonly #roles = new WeakMap<SatoriElement, Part>()

  constructor(
    rules: StyleRule[],
    private readonly inlineStyle: (el: Element) => Record<string, unknown> | undefined,
    private readonly sourceOf: (out: SatoriElement) => Element | undefined,
  ) {
    // Only rules that could change an answer here are matched.
    this.#rules = rules.filter((r) => r.declarations.some((d) => PROPERTIES.includes(d.property)))
    this.#inRules = rules.some((r) => r.declarations.some((d) => d.property === TABLE_DISPLAY_PROPERTY))
  }

  #value(el: Element, properties: string[]) {
    const d = winningDeclaration(el, this.#rules, this.inlineStyle(el), properties)
    return d && { property: d.property, value: clean(d.value).toLowerCase() }
  }

  /** The table part an element's computed display makes it; null for anything else. */
  part(el: Element): Part | null {
    let part = this.#parts.get(el)
    if (part === undefined) {
      part = null
      if (!HTML_TABLE.has(el.name) && (this.#inRules || /table/i.test(el.attribs.style ?? ''))) {
        // Rules carry the rewritten display and the table value beside it; a style attribute is
        // read as written (`display: table`).
        const d = this.#value(el, ['display', TABLE_DISPLAY_PROPERTY])
        part = (d && PARTS[d.value]) ?? null
      }
      this.#parts.set(el, part)
    }
    return part
  }

  #kind(child: SatoriChild): Kind {
    if (typeof child === 'string') return 'other'
    const role = this.#roles.get(child)
    if (role) return role
    const source = this.sourceOf(child)
    if (!source) return 'other'
    const part = this.part(source)
    if (part) return part
    if (source.attribs.hidden !== undefined && source.attribs.hidden !== 'until-found') return 'none'
    return this.#value(source, ['display'])?.value === 'none' ? 'none' : 'other'
  }

  /** border-spacing (inherited) as [horizontal, vertical]; border-collapse: collapse makes it 0. */
  #spacing(el: Element | null): [string, string] {
    let x: string | undefined
    let y: string | undefined
    for (; el && (x === undefined || y === undefined); el = el.parent?.type === 'tag' ? (el.parent as Element) : null) {
      // Rules hold the rewritten custom properties, a style attribute the properties as written.
      for (const axis of ['x', 'y'] as const) {
        if ((axis === 'x' ? x : y) !== undefined) continue
        const d = this.#value(el, ['border-spacing', 'border-collapse', `--vellum-bs-${axis}`])
        if (!d || d.value === 'inherit' || d.value === 'unset') continue
        let v = d.value
        if (d.property === 'border-collapse') {
          if (v !== 'collapse') continue
          v = '0px'
        } else if (d.property === 'border-spacing') {
          const [h, w = h] = v.split(/\s+/)
          v = axis === 'x' ? h! : w!
        }
        if (axis === 'x') x = v
        else y = v
      }
    }
    return [x ?? '0px', y ?? '0px']
  }

  /** The anonymous grid that lays a table's rows out; `fill` when the table's box has a width. */
  #grid(rows: SatoriChild[], spacing: [string, string], fill: { width: boolean; height: boolean }): SatoriElement {
    let columns = 1
    const rowList: SatoriElement[] = []
    for (const child of rows) {
      if (typeof child === 'string') continue
      const kind = this.#kind(child)
      if (kind === 'row') rowList.push(child)
      else if (kind === 'group') for (const r of childList(child)) if (typeof r === 'object' && this.#kind(r) === 'row') rowList.push(r)
    }
    const cellsOf = (row: SatoriElement) => childList(row).filter((c): c is SatoriElement => typeof c === 'object' && this.#kind(c) === 'cell')
    for (const row of rowList) columns = Math.max(columns, cellsOf(row).length)
    for (const row of rowList) {
      const missing = columns - cellsOf(row).length
      if (missing > 0) {
        const fillers = Array.from({ length: missing }, () => this.#role(anonymous({ display: 'block' }, []), 'cell'))
        row.props.children = [...childList(row), ...fillers]
      }
    }
    for (const child of rows) {
      // A caption spans the grid, in its place among the rows (Chromium draws it outside the
      // table's border, above or below: here it is inside, where the source puts it).
      if (typeof child === 'object' && this.#kind(child) === 'caption') child.props.style = { ...styleOf(child), gridColumn: '1 / -1' }
    }
    const [x, y] = spacing
    const style: Record<string, unknown> = {
      display: 'grid',
      gridTemplateColumns: `[vellum-table] repeat(${columns}, auto)`,
      columnGap: x,
      rowGap: y,
      padding: `${y} ${x}`,
      // The spacing is inside the width the table's box gives its content.
      boxSizing: 'border-box',
      width: fill.width ? '100%' : 'max-content',
    }
    if (fill.height) style.height = '100%'
    return anonymous(style, rows)
  }

  #role(out: SatoriElement, part: Part): SatoriElement {
    this.#roles.set(out, part)
    return out
  }

  /**
   * `children` with every run of content that is not of `keep` kinds put in a generated element
   * (`wrap`); runs of white space only are dropped, as between table parts.
   */
  #group(children: SatoriChild[], keep: ReadonlySet<Kind>, wrap: (run: SatoriChild[]) => SatoriElement): SatoriChild[] {
    const out: SatoriChild[] = []
    let run: SatoriChild[] = []
    const flush = () => {
      if (run.some((c) => !(typeof c === 'string' && WHITESPACE.test(c)))) out.push(wrap(run))
      run = []
    }
    for (const child of children) {
      const kind = this.#kind(child)
      if (keep.has(kind)) {
        flush()
        out.push(child)
      } else if (kind === 'none' && run.length === 0) out.push(child)
      else run.push(child)
    }
    flush()
    return out
  }

  #row = (run: SatoriChild[]): SatoriElement => this.#role(anonymous({ display: 'contents' }, this.#cells(run)), 'row')
  #cells(children: SatoriChild[]): SatoriChild[] {
    return this.#group(children, new Set<Kind>(['cell']), (run) => this.#role(anonymous({ display: 'block' }, this.#orphans(run, null)), 'cell'))
  }
  #rows(children: SatoriChild[], inTable: boolean): SatoriChild[] {
    const keep = new Set<Kind>(inTable ? ['row', 'group', 'caption'] : ['row'])
    return this.#group(children, keep, this.#row)
  }

  /**
   * Rows, row groups, cells and captions among the children of a box that is not a table (or
   * of a generated cell) get the anonymous table CSS 2.1 §17.2.1 puts around each run of them.
   */
  #orphans(children: SatoriChild[], parent: Element | null): SatoriChild[] {
    const parts = new Set<Kind>(['group', 'row', 'cell', 'caption'])
    if (!children.some((c) => typeof c === 'object' && parts.has(this.#kind(c)))) return children
    const out: SatoriChild[] = []
    let run: SatoriChild[] = []
    let pending: SatoriChild[] = [] // white space after a run: inside it if another part follows
    const flush = () => {
      if (run.length) {
        const grid = this.#grid(this.#rows(run, true), this.#spacing(parent), { width: false, height: false })
        out.push(this.#role(anonymous({ display: 'flow-root', width: 'fit-content' }, [grid]), 'table'))
      }
      out.push(...pending)
      run = []
      pending = []
    }
    for (const child of children) {
      const kind = this.#kind(child)
      if (parts.has(kind)) {
        run.push(...pending, child)
        pending = []
      } else if (run.length && (kind === 'none' || (typeof child === 'string' && WHITESPACE.test(child)))) pending.push(child)
      else {
        flush()
        out.push(child)
      }
    }
    flush()
    return out
  }

  /** Lays out a converted element as the table part it is, and wraps table parts it holds out of place. */
  apply(el: Element, out: SatoriElement, alignCell: (out: SatoriElement, justify: string) => void): void {
    const part = this.part(el)
    const children = childList(out)
    if (part) this.#role(out, part)
    switch (part) {
      case 'table': {
        const width = this.#value(el, ['width'])?.value
        const height = this.#value(el, ['height'])?.value
        const sized = width !== undefined && width !== 'auto'
        const grid = this.#grid(this.#rows(children, true), this.#spacing(el), { width: sized, height: height !== undefined && height !== 'auto' })
        const inline = this.#value(el, ['display', TABLE_DISPLAY_PROPERTY])?.value === 'inline-table'
        out.props.style = { ...styleOf(out), display: inline ? 'inline-block' : 'flow-root', ...(sized ? {} : { width: 'fit-content' }) }
        out.props.children = [grid]
        return
      }
      case 'group':
        out.props.style = { ...styleOf(out), display: 'contents' }
        out.props.children = this.#rows(children, false)
        return
      case 'row':
        out.props.style = { ...styleOf(out), display: 'contents' }
        out.props.children = this.#cells(children)
        return
      case 'cell': {
        out.props.style = { ...styleOf(out), display: 'block', ...this.#cellHeight(el) }
        out.props.children = this.#orphans(children, el)
        const justify = JUSTIFY[this.#value(el, ['vertical-align'])?.value ?? '']
        if (justify && childList(out).length) alignCell(out, justify)
        return
      }
      default:
        if (children.length) out.props.children = this.#orphans(children, el)
    }
  }

  /** A cell's `height`, only a minimum in Chromium, as the min-height the grid stretches the cell past. */
  #cellHeight(el: Element): Record<string, unknown> {
    const height = this.#value(el, ['height'])?.value
    return height === undefined || height === 'auto' ? {} : { height: 'auto', minHeight: height }
  }
}
