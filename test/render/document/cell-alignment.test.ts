/**
 * Table cells place their content by vertical-align as a browser does (middle unless the page
 * says otherwise, inherited from the row and the row group), and a table given a width spreads
 * its columns over it. Checked on the built tree and on pixels.
 */
import t from 'tap'
import { PNG } from 'pngjs'
import { htmlToTree, type SatoriChild, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { renderJob } from '../../helper.js'

const limits = { elements: 5000, depth: 200 }

/** Every converted cell of the page, in document order. */
function cells(html: string, css = ''): SatoriElement[] {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  const out: SatoriElement[] = []
  const walk = (node: SatoriChild): void => {
    if (typeof node !== 'object' || node === null) return
    if (node.type === 'td' || node.type === 'th') out.push(node)
    const children = node.props.children as SatoriChild[] | SatoriChild | undefined
    for (const c of Array.isArray(children) ? children : children === undefined ? [] : [children]) walk(c)
  }
  walk(root)
  return out
}

const justify = (cell: SatoriElement) => (cell.props.style as Record<string, string> | undefined)?.justifyContent ?? 'top'

t.test('middle by default; the row, the row group, the cell and the css parameter can say otherwise', async (t) => {
  const html = `<table>
    <tr><td>a</td><td style="vertical-align: bottom">b</td></tr>
    <tr style="vertical-align: top"><td>c</td><td class="mid">d</td></tr>
  </table>
  <table><tbody class="low"><tr><td>e</td></tr></tbody></table>`
  t.same(cells(html, '.mid { vertical-align: middle } .low { vertical-align: bottom }').map(justify), ['center', 'flex-end', 'top', 'center', 'flex-end'])
})

t.test('the content keeps its inline flow inside one wrapper; a cell the page lays out itself is left alone', async (t) => {
  const [cell] = cells('<table><tr><td>Hello <b>world</b></td></tr></table>')
  t.match(cell!.props.style, { display: 'flex', flexDirection: 'column', justifyContent: 'center' })
  const wrapper = (cell!.props.children as SatoriElement[])[0]!
  t.same(wrapper.props.style, { display: 'block' })
  t.match(wrapper.props.children, ['Hello ', { type: 'b' }])
  const [own] = cells('<table><tr><td class="f">x</td></tr></table>', '.f { display: flex; align-items: flex-end }')
  t.equal(justify(own!), 'top', 'author display wins: not rewritten')
})

t.test('pixels: a short cell beside a tall one is centred; a table 100% wide fills its container', async (t) => {
  const renderer = createRenderer()
  const html = `<div style="width:300px"><table style="width:100%;border-spacing:0"><tr>
    <td style="padding:0;height:60px;background:#fff"><div style="width:10px;height:10px;background:#f00"></div></td>
    <td style="padding:0;background:#00f;color:#00f">x</td></tr></table></div>`
  const out = await renderer.render(renderJob(html, { selector: 'table' }))
  const png = PNG.sync.read(Buffer.from(out.png))
  const redRows: number[] = []
  for (let y = 0; y < png.height; y++) {
    const i = (png.width * y + 2) * 4
    if (png.data[i] === 255 && png.data[i + 1] === 0 && png.data[i + 2] === 0) redRows.push(y)
  }
  t.equal(png.width, 300, 'the table is as wide as its container')
  t.same([redRows[0], redRows[redRows.length - 1]], [25, 34], 'the red square sits in the middle of the 60px row')
  const blue = (x: number) => png.data[(png.width * 30 + x) * 4 + 2] === 255 && png.data[(png.width * 30 + x) * 4] === 0
  t.ok(blue(290), 'the second column reaches the right edge')
})
