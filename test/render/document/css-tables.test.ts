/**
 * display: table / table-row / table-cell on divs are laid out as real tables are (css-tables.ts):
 * a grid of auto tracks inside the table's own box, anonymous rows, cells and tables where the
 * parts are missing, vertical-align on the cell. Fidelity case 110-css-table-layout holds the
 * picture against Chromium; these pin the tree and a few pixel facts.
 */
import t from 'tap'
import type { SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { body, kids } from './tree.js'
import { coverage, renderPng } from '../../helper.js'

const style = (el: SatoriElement) => (el.props.style ?? {}) as Record<string, unknown>

t.test('a display:table element holds a table grid; cells directly in it get an anonymous row', async (t) => {
  const [table] = kids(body('<div class="t"><div class="c">a</div><div class="c">b</div></div>', '.t { display: table; border-spacing: 8px } .c { display: table-cell }'))
  t.match(style(table!), { display: 'flow-root', width: 'fit-content' }, 'shrink-to-fit, its own box kept')
  const [grid] = kids(table!)
  t.match(style(grid!), { display: 'grid', gridTemplateColumns: '[vellum-table] repeat(2, auto)', columnGap: '8px', rowGap: '8px', padding: '8px 8px', width: 'max-content' })
  const [row] = kids(grid!)
  t.match(style(row!), { display: 'contents' })
  t.same(kids(row!).length, 2, 'both cells in the one anonymous row')
})

t.test('the display value comes from the cascade: a later rule or the style attribute wins', async (t) => {
  const css = '.t { display: table } .c { display: table-cell } .plain { display: block }'
  const [notTable] = kids(body('<div class="t plain"><div class="c">a</div></div>', css))
  t.not(style(notTable!).display, 'flow-root', 'display: block, later, wins over display: table')
  t.match(style(kids(notTable!)[0]!), { display: 'flow-root' }, 'its lone cell gets an anonymous table')
  const [inline] = kids(body('<div style="display: table"><div style="display: table-row"><div style="display: table-cell">x</div></div></div>'))
  t.match(style(kids(inline!)[0]!), { display: 'grid', gridTemplateColumns: '[vellum-table] repeat(1, auto)' })
})

t.test('a table with a width fills it; rows are display: contents; short rows are filled', async (t) => {
  const [table] = kids(
    body(
      '<div class="t"><div class="r"><div class="c">a</div><div class="c">b</div></div><div class="r"><div class="c">c</div></div></div>',
      '.t { display: table; width: 300px } .r { display: table-row } .c { display: table-cell }',
    ),
  )
  t.notOk('width' in style(table!) && style(table!).width === 'fit-content')
  const [grid] = kids(table!)
  t.match(style(grid!), { width: '100%', gridTemplateColumns: '[vellum-table] repeat(2, auto)', columnGap: '0px' })
  const rows = kids(grid!)
  t.same(rows.map((r) => style(r).display), ['contents', 'contents'])
  t.same(kids(rows[1]!).length, 2, 'an empty cell keeps the next row from moving up')
})

t.test('text and blocks in a row go into anonymous cells; white space between parts is dropped', async (t) => {
  const [table] = kids(body('<div class="r"> loose text <div class="c">cell</div> </div>', '.r { display: table-row } .c { display: table-cell }'))
  // The row has no table: an anonymous one is put around it.
  t.match(style(table!), { display: 'flow-root', width: 'fit-content' })
  const [row] = kids(kids(table!)[0]!)
  const cells = row!.props.children as Array<SatoriElement | string>
  t.same(cells.length, 2, 'the text and the cell, no white-space cell')
  t.same((cells[0] as SatoriElement).props.children, [' loose text '])
})

t.test('vertical-align middle/bottom on a cell places its content; height becomes a minimum', async (t) => {
  const [table] = kids(
    body('<div class="t"><div class="c m">a</div><div class="c b">b</div><div class="c">c</div></div>', '.t { display: table } .c { display: table-cell; height: 60px } .m { vertical-align: middle } .b { vertical-align: bottom }'),
  )
  const [m, b, plain] = kids(kids(kids(table!)[0]!)[0]!)
  t.match(style(m!), { display: 'flex', flexDirection: 'column', justifyContent: 'center', height: 'auto', minHeight: '60px' })
  t.match(style(b!), { justifyContent: 'flex-end' })
  t.not(style(plain!).display, 'flex', 'baseline (the initial value) stays at the top')
})

t.test('HTML tables are left to tables.ts', async (t) => {
  const [table] = kids(body('<table><tr><td>x</td></tr></table>'))
  t.equal(table!.type, 'table')
  t.match(kids(table!).map((c) => c.type), ['tbody'])
})

t.test('pixels: a shrink-to-fit table box is as wide as its content, not the body', async (t) => {
  const png = await renderPng(
    '<div style="display:table;background:#ddd;padding:4px"><div style="display:table-cell;background:#fff;padding:6px;font: 16px sans-serif">auto-width table</div></div>',
  )
  // Chromium: 146px (4 + 6 + the text + 6 + 4).
  t.ok(png.width > 120 && png.width < 170, `cropped to the table: ${png.width}px`)
})

t.test('pixels: border-spacing shows the table background between and around cells; middle centres', async (t) => {
  const png = await renderPng(
    '<style>body{margin:0}</style><div style="display:table;border-spacing:8px;background:#00ff00;width:300px"><div style="display:table-row">' +
      '<div style="display:table-cell;background:#ff0000;height:60px;width:80px"></div>' +
      '<div style="display:table-cell;background:#0000ff;vertical-align:middle;color:#0000ff">middle text</div></div></div>',
  )
  t.equal(png.width, 300)
  t.equal(png.height, 76, '60px row and 8px of spacing above and below')
  const green = (x: number, y: number) => coverage(png, [0, 255, 0], { x, y, w: 1, h: 1 }) === 1
  t.ok(green(2, 2) && green(92, 30) && green(297, 30), 'spacing at the edge and between the cells')
  t.equal(coverage(png, [255, 0, 0], { x: 8, y: 8, w: 80, h: 60 }), 1, 'the fixed-width cell: 80 × 60')
  t.equal(coverage(png, [0, 0, 255], { x: 96, y: 8, w: 196, h: 60 }, 40), 1, 'the other cell takes the rest of the row, full height')
})
