/**
 * Tables as satori can draw them. satori 0.63 has no table layout (display: table* throws),
 * so a table is laid out as a CSS grid (user-agent-css.ts): rows and row groups become
 * `display: contents` and the cells are the grid items. Here the table learns its column count
 * and each cell its colspan/rowspan, written as inline grid placement (no author sheet sets
 * these on table parts, so nothing of theirs is overridden). Grid `auto` tracks size columns
 * from their content, as a browser's automatic table layout does for a table sized by its
 * content. The first grid line is named `vellum-table`: for a table given a width, the satori
 * patch (patches/satori+0.63.2.patch, vellumTableLayout) recognises the grid by it and sizes
 * the columns as Chromium does, in proportion to their content instead of equally.
 */
import type { Element } from 'domhandler'

const ROW_GROUPS = new Set(['thead', 'tbody', 'tfoot'])

const span = (el: Element, attr: string): number => {
  const n = Number.parseInt(el.attribs[attr] ?? '1', 10)
  return Number.isFinite(n) && n >= 1 ? Math.min(n, 1000) : 1
}

function rows(table: Element): Element[] {
  const out: Element[] = []
  for (const child of table.children) {
    if (child.type !== 'tag') continue
    if (child.name === 'tr') out.push(child)
    else if (ROW_GROUPS.has(child.name)) for (const tr of child.children) if (tr.type === 'tag' && tr.name === 'tr') out.push(tr)
  }
  return out
}

const isCell = (el: Element) => el.name === 'td' || el.name === 'th'

/** The number of grid columns: the widest row, counting colspans and cells still spanning down. */
export function tableColumns(table: Element): number {
  let columns = 0
  const carried: number[] = [] // rows each column is still occupied by an earlier rowspan
  for (const tr of rows(table)) {
    let width = carried.filter((n) => n > 0).length
    for (const cell of tr.children) {
      if (cell.type !== 'tag' || !isCell(cell)) continue
      const cs = span(cell, 'colspan')
      const rs = span(cell, 'rowspan')
      if (rs > 1) for (let i = 0; i < cs; i++) carried.push(rs)
      width += cs
    }
    columns = Math.max(columns, width)
    for (let i = 0; i < carried.length; i++) carried[i]!--
  }
  return Math.max(1, columns)
}

/** Inline style a table part gets on top of its own; undefined when it needs none. */
export function tablePartStyle(el: Element): Record<string, string> | undefined {
  if (el.name === 'table') return { gridTemplateColumns: `[vellum-table] repeat(${tableColumns(el)}, auto)` }
  if (isCell(el)) {
    const style: Record<string, string> = {}
    const cs = span(el, 'colspan')
    const rs = span(el, 'rowspan')
    if (cs > 1) style.gridColumn = `span ${cs}`
    if (rs > 1) style.gridRow = `span ${rs}`
    return cs > 1 || rs > 1 ? style : undefined
  }
  return undefined
}
