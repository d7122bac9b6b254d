/**
 * A table row's (or row group's) background reaches the cells that have none of their own, as
 * Chromium paints it under them (rows are not boxes here). Fidelity case 82-table-row-backgrounds
 * holds it against Chromium; these pin the cascade on the built tree.
 */
import t from 'tap'
import { htmlToTree, type SatoriChild, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'

const limits = { elements: 5000, depth: 200 }

/** The background style of every converted cell, in document order. */
function cellBackgrounds(html: string, css = ''): Array<Record<string, unknown>> {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  const out: Array<Record<string, unknown>> = []
  const walk = (node: SatoriChild): void => {
    if (typeof node !== 'object' || node === null) return
    if (node.type === 'td' || node.type === 'th') {
      const style = (node.props.style ?? {}) as Record<string, unknown>
      out.push(Object.fromEntries(Object.entries(style).filter(([k]) => k.startsWith('background'))))
    }
    const children = node.props.children as SatoriChild[] | SatoriChild | undefined
    for (const c of Array.isArray(children) ? children : children === undefined ? [] : [children]) walk(c as SatoriElement)
  }
  walk(root)
  return out
}

t.test('striped rows: every cell of an even row takes its colour', async (t) => {
  const html = '<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>'
  t.same(cellBackgrounds(html, 'tr:nth-child(even) { background-color: #eee }'), [{}, {}, { backgroundColor: '#eee' }, { backgroundColor: '#eee' }])
  t.same(cellBackgrounds(html, 'tr:nth-child(even) { background: #eee !important }'), [{}, {}, { background: '#eee' }, { background: '#eee' }], 'the shorthand, !important dropped')
})

t.test('the cell’s own background wins, from a rule, its style attribute or its bgcolor', async (t) => {
  const html = `<table><tr class="r">
    <td class="own">a</td><td style="background: #00f">b</td><td bgcolor="#0f0">c</td><td>d</td><td class="clear">e</td>
  </tr></table>`
  const got = cellBackgrounds(html, '.r { background: #fee } .own { background-color: #f00 } .clear { background: transparent }')
  t.same(got[0], {}, 'its rule paints it (from the sheet): the row adds nothing')
  t.same(got[1], { background: '#00f' })
  t.notOk('background' in got[2]! || got[2]!.backgroundColor === '#fee', 'bgcolor is its own (drawn by its hint)')
  t.same(got[3], { background: '#fee' })
  t.same(got[4], { background: '#fee' }, 'a transparent cell shows its row')
})

t.test('a row without one shows its row group’s; a row’s own style attribute counts', async (t) => {
  const html = `<table>
    <tbody class="g"><tr><td>a</td></tr><tr style="background-color: rgba(0, 0, 0, 0.5)"><td>b</td></tr></tbody>
    <tbody><tr><td>c</td></tr></tbody>
  </table>`
  t.same(cellBackgrounds(html, '.g { background: #ffd }'), [{ background: '#ffd' }, { backgroundColor: 'rgba(0, 0, 0, 0.5)' }, {}])
})

t.test('a row’s gradient or image spans the row: it is not repeated per cell', async (t) => {
  const html = '<table><tr><td>a</td><td>b</td></tr></table>'
  t.same(cellBackgrounds(html, 'tr { background: linear-gradient(90deg, #fff, #000) }'), [{}, {}])
  t.same(cellBackgrounds(html, 'tr { background-image: url(x.png) }'), [{}, {}])
  t.same(cellBackgrounds(html, 'tr { background: var(--stripe) }'), [{}, {}], 'nor an unresolved variable')
})
