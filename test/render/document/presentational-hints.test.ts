/**
 * Presentational attributes of tables (src/render/document/presentational-hints.ts) and the
 * specificity-zero user-agent sheet they sit after (user-agent-css.ts). Fidelity case
 * 80-table-attributes holds the pixels of an attribute-styled table against Chromium's.
 */
import t from 'tap'
import { parseDocument } from 'htmlparser2'
import type { Element } from 'domhandler'
import { PNG } from 'pngjs'
import { presentationalHints } from '../../../src/render/document/presentational-hints.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { renderJob } from '../../helper.js'

const elements = (html: string) => {
  const out = new Map<string, Element>()
  const walk = (node: { children?: unknown[] }) => {
    for (const child of (node.children ?? []) as Element[]) {
      if (child.type === 'tag') {
        if (child.attribs.id) out.set(child.attribs.id, child)
        walk(child)
      }
    }
  }
  walk(parseDocument(html))
  return out
}

t.test('attributes become the declarations the HTML standard maps them to', async (t) => {
  const el = elements(
    '<table id="t" border="2" cellpadding="6" cellspacing="0" width="100%" align="center" bgcolor="ffeecc">' +
      '<tr id="r" bgcolor="#dbeafe" align="right"><td id="a" nowrap width="60" valign="top">1</td><td id="b" align="center">2</td></tr></table>' +
      '<table id="plain"><tr><td id="c">3</td></tr></table><table id="zero" border="0"><tr><td id="d">4</td></tr></table>',
  )
  t.same(presentationalHints(el.get('t')!), [
    'border: 2px outset',
    '--vellum-bs-x: 0px',
    '--vellum-bs-y: 0px',
    'width: 100%',
    'margin-left: auto',
    'margin-right: auto',
    'background-color: #ffeecc',
  ])
  t.same(presentationalHints(el.get('a')!), ['border: 1px inset', 'padding: 6px', 'width: 60px', 'text-align: right', 'white-space: nowrap', 'background-color: #dbeafe'], "a cell: the table's border and cellpadding, the row's align and bgcolor")
  t.same(presentationalHints(el.get('b')!), ['border: 1px inset', 'padding: 6px', 'text-align: center', 'background-color: #dbeafe'], "its own align over the row's")
  t.same(presentationalHints(el.get('c')!), [], 'no attributes, no hints')
  t.same(presentationalHints(el.get('zero')!), [], 'border="0": no border')
  t.same(presentationalHints(el.get('d')!), [])
})

const renderer = createRenderer()
const pixel = async (html: string, x: number, y: number) => {
  const png = PNG.sync.read(Buffer.from((await renderer.render(renderJob(html))).png))
  const i = (y * png.width + x) * 4
  return '#' + [0, 1, 2].map((k) => png.data[i + k]!.toString(16).padStart(2, '0')).join('')
}

t.test('any rule of the page wins over a hint, and over the user-agent sheet', async (t) => {
  const cell = '<table cellspacing="0" cellpadding="0"><tr><td bgcolor="#ff0000" style="width:20px;height:20px"></td></tr></table>'
  t.equal(await pixel(cell, 10, 10), '#ff0000', 'bgcolor paints the cell')
  t.equal(await pixel(`<style>td { background: #00ff00 }</style>${cell}`, 10, 10), '#00ff00', 'a type selector wins over bgcolor')
  t.equal(await pixel(`<style>* { background: #0000ff }</style>${cell}`, 10, 10), '#0000ff', 'so does `*`, later in the cascade')
  // The user-agent rule is `a[href] { color: #0000ee }` (specificity 0,1,1 were it not wrapped in :where).
  const link = '<a href="#" style="display:block;width:20px;height:20px;background:currentColor"></a>'
  t.equal(await pixel(link, 10, 10), '#0000ee', "a link is the user agent's blue")
  t.equal(await pixel(`<style>a { color: #ff0000 }</style>${link}`, 10, 10), '#ff0000', '`a { color }` wins over `a[href]`')
})

t.test('<font size color face> as Chromium maps them', async (t) => {
  const { legacyColour, legacyFontSize } = await import('../../../src/render/document/presentational-hints.js')
  t.same(['1', '3', '4', '7', '9', '0', '+1', '-1', '+9', '-5', ' 2px', 'x', ''].map(legacyFontSize), [
    'x-small', 'medium', 'large', 'xxx-large', 'xxx-large', 'x-small', 'large', 'small', 'xxx-large', 'x-small', 'small', undefined, undefined,
  ])
  t.same(['red', '#F00', 'ff0000', 'f00', 'transparent', '', ' #abc '].map(legacyColour), ['red', '#f00', '#ff0000', '#0f0000', undefined, undefined, '#abc'])
  const el = elements('<font id="f" size="+2" color="008000" face="Arial, \'Comic Sans MS\', sans-serif">x</font><font id="bad" face="1px">y</font>')
  t.same(presentationalHints(el.get('f')!, (f) => f.toUpperCase()), ['font-size: x-large', 'color: #008000', "font-family: ARIAL, 'COMIC SANS MS', SANS-SERIF"], 'face goes through the family rewrite')
  t.same(presentationalHints(el.get('bad')!), [], 'a face that is no family list is ignored')
  t.equal(await pixel('<p style="margin:0;line-height:1"><font color="#ff0000" size="7">&#9608;</font></p>', 10, 30), '#ff0000', 'drawn red, and 48px tall')
  t.equal(await pixel('<style>font { color: #0000ff }</style><p style="margin:0;line-height:1"><font color="#ff0000" size="7">&#9608;</font></p>', 10, 30), '#0000ff', 'a page rule wins over the attribute')
})
