/**
 * Form controls drawn as Chromium draws them (form-controls.ts): satori left checkboxes, radios,
 * ranges, progress and meter bars blank. Fidelity cases 101-task-list and 102-form-controls hold
 * the drawings against Chromium; these pin the pixels and the cascade decisions.
 */
import t from 'tap'
import { coverage, renderPng } from '../../helper.js'
import { htmlToTree, type SatoriChild, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'

const limits = { elements: 5000, depth: 200 }
const BLUE = [0, 0x75, 0xff]
const EDGE = [0x76, 0x76, 0x76]
// The card the controls sit in (the picture spans the page's width: the div is a block).
const CARD = { x: 0, y: 0, w: 160, h: 36 }

function find(html: string, type: string, css = ''): SatoriElement[] {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  const out: SatoriElement[] = []
  const walk = (node: SatoriChild): void => {
    if (typeof node !== 'object' || node === null) return
    if (node.type === type) out.push(node)
    const children = node.props.children as SatoriChild[] | SatoriChild | undefined
    for (const c of Array.isArray(children) ? children : children === undefined ? [] : [children]) walk(c as SatoriElement)
  }
  walk(root)
  return out
}

const page = (body: string) => `<body style="margin:0;background:#fff"><div style="padding:10px;width:140px">${body}</div></body>`

t.test('a checked checkbox is a blue box with a white check; an unchecked one a grey-edged box', async (t) => {
  const checked = await renderPng(page('<input type="checkbox" checked>'))
  t.ok(coverage(checked, BLUE, CARD) > 0.01, 'the accent fill is drawn')
  const box = { x: 14, y: 13, w: 13, h: 13 }
  t.ok(coverage(checked, BLUE, box) > 0.6, 'where Chromium puts it: 4px margin left, 3px top')
  t.ok(coverage(checked, [255, 255, 255], box) > 0.1, 'with the check mark')
  const unchecked = await renderPng(page('<input type="checkbox">'))
  t.equal(coverage(unchecked, BLUE, CARD), 0, 'no accent when unchecked')
  t.ok(coverage(unchecked, EDGE, box) > 0.1, 'the 1px #767676 edge')
})

t.test('accent-color colours the check; appearance: none leaves the page’s box alone', async (t) => {
  const red = await renderPng(page('<input type="checkbox" checked>'), { css: 'div { accent-color: rgb(220, 20, 60) }' })
  t.ok(coverage(red, [220, 20, 60], CARD) > 0.01, 'inherited accent-color')
  t.equal(coverage(red, BLUE, CARD), 0)
  const [none] = find(page('<input type="checkbox" checked class="x">'), 'input', '.x { appearance: none }')
  t.notOk((none!.props.style as Record<string, unknown> | undefined)?.backgroundImage, 'no drawing under appearance: none')
})

t.test('a radio, a progress bar, a meter and a range are drawn', async (t) => {
  const radio = await renderPng(page('<input type="radio" checked>'))
  t.ok(coverage(radio, BLUE, CARD) > 0.003, 'the checked radio’s dot')
  const progress = await renderPng(page('<progress value="50" max="100">50 %</progress>'))
  t.ok(coverage(progress, BLUE, CARD) > 0.01, 'progress value bar')
  t.ok(coverage(progress, [0xef, 0xef, 0xef], CARD) > 0.01, 'and its track')
  const meter = await renderPng(page('<meter value="0.6"></meter>'))
  t.ok(coverage(meter, [0x10, 0x7c, 0x10], CARD) > 0.01, 'meter in the optimum green')
  const range = await renderPng(page('<input type="range" value="30">'))
  t.ok(coverage(range, BLUE, CARD) > 0.01, 'range thumb and filled track')
})

t.test('progress fallback text is not shown; a checkbox’s margin below is made up under the baseline', async (t) => {
  const [progress] = find('<progress value="1">one</progress>', 'progress')
  const text = JSON.stringify(progress!.props.children)
  t.notMatch(text, /one/, 'the fallback content is replaced by the bar')
  const [input] = find('<input type="checkbox">', 'input')
  const sheets = find('<input type="checkbox">', 'style').map((s) => String(s.props.children)).join('\n')
  const rule = new RegExp(`data-vellum-control="${String(input!.props['data-vellum-control'])}"\\]\\) \\{ ([^}]*) \\}`).exec(sheets)
  t.ok(input!.props['data-vellum-control'], 'marked for its zero-specificity rule')
  t.match(rule?.[1], /vertical-align: -3px/, 'the default 3px bottom margin')
  const [zero] = find('<input type="checkbox">', 'input', 'input { margin: 0 }')
  t.notOk(zero!.props['data-vellum-control'], 'no adjustment when the page takes the margin away')
})

t.test('text fields are sized as Chromium sizes them', async (t) => {
  const styles = find('<input value="a"><textarea rows="3" cols="30"></textarea>', 'style').map((s) => String(s.props.children)).join('\n')
  t.match(styles, /width: 152\.\d+px/, 'size 20 at 13.33px: ceil(20 × avg) + round(max) − avg')
  t.match(styles, /height: 54px/, 'textarea: 3 rows of 18px')
  t.match(styles, /width: 255\.\d+px/, '30 columns of 8px and the 15px scroll bar')
  const own = find('<input value="a" class="f">', 'style', '.f { font-family: serif }').map((s) => String(s.props.children)).join('\n')
  t.notMatch(own, /width: 152/, 'the page’s own face: satori’s own sizing')
})
