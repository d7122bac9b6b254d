/**
 * A table's caption is outside its border box, above it or (caption-side: bottom) below it,
 * as wide as the table. Fidelity case 104-table-caption holds it against Chromium; these pin
 * the wrapper on the built tree and the caption's place in pixels.
 */
import t from 'tap'
import { body, kids } from './tree.js'
import { coverage, pixel, renderPng } from '../../helper.js'


t.test('captions leave the table for a wrapper, on the side caption-side names', async (t) => {
  const [wrapper] = kids(body('<table><caption>A</caption><caption class="b">B</caption><tr><td>x</td></tr></table>', '.b { caption-side: bottom }'))
  t.same(kids(wrapper!).map((c) => c.type), ['caption', 'table', 'caption'])
  t.same(kids(kids(wrapper!)[1]!).map((c) => c.type), ['tbody'], 'the table keeps its rows only')
})

t.test('caption-side is inherited from the table (or further up)', async (t) => {
  const [wrapper] = kids(kids(body('<div class="d"><table><caption>A</caption><tr><td>x</td></tr></table></div>', '.d { caption-side: bottom }'))[0]!)
  t.same(kids(wrapper!).map((c) => c.type), ['table', 'caption'])
})

t.test('the table’s margins move to the wrapper; a percentage width too', async (t) => {
  const [wrapper] = kids(body('<table style="width: 50%"><caption>A</caption><tr><td>x</td></tr></table>', 'table { margin: 10px auto; margin-bottom: 3px }'))
  const style = wrapper!.props.style as Record<string, unknown>
  t.match(style, { marginTop: '10px', marginRight: 'auto', marginBottom: '3px', marginLeft: 'auto', width: '50%' })
  t.match(kids(wrapper!)[1]!.props.style, { marginTop: 0, marginBottom: 0, width: '100%' })
})

t.test('a table without a caption is not wrapped', async (t) => {
  t.same(kids(body('<table><tr><td>x</td></tr></table>')).map((c) => c.type), ['table'])
})

// A black-bordered table; the caption's text is red.
const page = (side: string) => `<style>body { margin: 0; font: 16px sans-serif } table { border: 4px solid #000; border-spacing: 0 }
  caption { color: #f00; caption-side: ${side} } td { padding: 10px }</style>
  <table><caption>A long caption that is wider than the table</caption><tr><td>one</td></tr></table>`

t.test('pixels: the caption is outside the border, as wide as the table', async (t) => {
  for (const side of ['top', 'bottom']) {
    const png = await renderPng(page(side))
    // The border's top-left corner: at the very top with the caption below, under it otherwise.
    const rows = Array.from({ length: png.height }, (_, y) => y)
    const borderRows = rows.filter((y) => coverage(png, [0, 0, 0], { x: 0, y, w: 4, h: 1 }, 40) === 1)
    const redRows = rows.filter((y) => coverage(png, [255, 0, 0], { x: 0, y, w: png.width, h: 1 }, 60) > 0)
    t.ok(borderRows.length > 0 && redRows.length > 0, `${side}: border and caption drawn`)
    if (side === 'top') t.ok(Math.max(...redRows) < Math.min(...borderRows), 'top: the caption is above the table box')
    else t.ok(Math.min(...redRows) > Math.max(...borderRows), 'bottom: the caption is below the table box')
    // The caption wraps at the table's width instead of widening it: the right border is the
    // picture's right edge.
    t.same(pixel(png, png.width - 2, Math.min(...borderRows) + 2).slice(0, 3), [0, 0, 0], `${side}: the table is the widest box`)
  }
})

t.test('a hidden table keeps its captions inside (hidden with it)', async (t) => {
  t.same(kids(body('<table class="h"><caption>A</caption><tr><td>x</td></tr></table>', '.h { display: none }')).map((c) => c.type), ['table'])
  t.same(kids(body('<table hidden><caption>A</caption><tr><td>x</td></tr></table>')).map((c) => c.type), ['table'])
})
