/**
 * An inline `<svg>` flex item is stretched on the cross axis as in Chromium
 * (patches/satori+0.63.2.patch, `vellumSvgStretch`), as images are (`vellumStretchAxis`,
 * satori-intrinsic-images.test.ts). satori turned the svg's attributes into fixed sizes (a
 * viewBox alone into `width: 100%`, one attribute into both sizes through the ratio, none into
 * 300×150), so nothing was left to stretch: in a 80px-tall row an svg with a viewBox was the
 * row's whole width, `<svg height="100" viewBox>` in a column card kept the width its ratio gave,
 * and an svg without a viewBox was 300×150 in any card. Now a stretched size is left to the
 * layout engine and the other one comes from a measure callback (its own size, the viewBox
 * ratio or the default 300/150). Also: one size and no viewBox gave the other size 0 (nothing
 * drawn); Chromium uses the default 150 or 300. Sizes measured in Chromium 156. Fidelity case
 * 116-inline-svg-stretch. Fails loudly when an upgrade drops the patch.
 */
import t from 'tap'
import { satoriBuildsCarry } from './satori-patch.js'
import { near, pixel, renderPng } from '../helper.js'

satoriBuildsCarry({
  'the svg branch asks which size a flex container stretches':
    'vellumSvg=vellumSvgStretch(A,w,B,G,W,vellumStretchAxis(w,vellumParent,vellumContext),vellumParent);',
  'a stretched svg gets no aspect-ratio of its own': 'vellumSvg||G===void 0&&k&&!(',
  'one size and no viewBox: the default for the other': 'W==null?(q=typeof q=="string"&&q.endsWith("%")?q:rA(q,I.fontSize,1,I)??q,J=150):',
  'the measure callback takes the stretched size': 'function vellumSvgStretch(A,w,B,G,W,x,P){',
})

const green = [0x44, 0xcc, 0x11]
/** An inline svg whose drawing fills its box whatever its ratio. */
const svg = (attrs: string, style = '') =>
  `<svg ${attrs} preserveAspectRatio="none"${style ? ` style="${style}"` : ''}><rect width="100%" height="100%" fill="#44cc11"/></svg>`

/** Size of the green box of a render (the bounding box of every green pixel). */
async function greenBox(html: string): Promise<string> {
  const out = await renderPng(`<body style="margin:0;background:#fff">${html}</body>`, { viewportWidth: 600, viewportHeight: 400 })
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      if (!near(pixel(out, x, y).slice(0, 3), green, 24)) continue
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y)
    }
  }
  return x1 < 0 ? 'nothing' : `${x1 - x0 + 1}×${y1 - y0 + 1}`
}

const col = (inner: string, box = '') => `<div style="display:flex;flex-direction:column;width:400px;${box}">${inner}</div>`
const row = (inner: string, box = 'height:80px') => `<div style="display:flex;width:400px;${box}">${inner}</div>`

t.test('column flexbox: a viewBox alone takes the stretched width and its height from the ratio', async (t) => {
  t.equal(await greenBox(col(svg('viewBox="0 0 100 50"'))), '400×200')
  t.equal(await greenBox(col(svg('viewBox="0 0 100 50"', 'margin:0 50px'))), '300×150', 'the stretch leaves the margins out (satori: 400×200, past the card)')
  t.equal(await greenBox(col(svg('viewBox="0 0 100 50"', 'padding:10px'))), '380×190', 'the ratio is the content box\'s (satori: 400×200)')
  // Not stretched, the svg has no natural width: it still takes the available width (Chromium 156).
  t.equal(await greenBox(col(svg('viewBox="0 0 100 50"'), 'align-items:flex-start')), '400×200', 'align-items: flex-start')
  t.equal(await greenBox(col(svg('viewBox="0 0 100 50"'), 'align-items:center')), '400×200', 'align-items: center')
})

t.test('row flexbox of definite height: the height is stretched, the width follows the viewBox', async (t) => {
  t.equal(await greenBox(row(svg('viewBox="0 0 100 50"'))), '160×80', 'satori: 400×80')
  t.equal(await greenBox(row(svg('viewBox="0 0 50 100"'))), '40×80', 'satori: 400×80')
  t.equal(await greenBox(row(svg('viewBox="0 0 100 50"') + '<span>label</span>')), '160×80', 'next to text')
  t.equal(await greenBox(row(svg('viewBox="0 0 100 50"'), 'height:80px;align-items:flex-start')), '400×200', 'not stretched (flex-start): the available width')
  t.equal(await greenBox(row(svg('viewBox="0 0 100 50"'), '')), '400×200', 'a row of auto height: the available width, as before')
  t.equal(await greenBox(row(svg(''))), '300×80', 'no viewBox: the default width, the height stretched (satori: 300×150)')
})

t.test('a width or a height attribute alone', async (t) => {
  t.equal(await greenBox(col(svg('width="100" viewBox="0 0 100 50"'))), '100×50', 'column, width: kept, height by the ratio')
  t.equal(await greenBox(col(svg('height="100" viewBox="0 0 100 50"'))), '400×100', 'column, height: the width stretched (satori: 200×100)')
  t.equal(await greenBox(col(svg('width="100"'))), '100×150', 'column, width and no viewBox: the default height (satori: nothing)')
  t.equal(await greenBox(col(svg('height="100"'))), '400×100', 'column, height and no viewBox: the width stretched (satori: nothing)')
  t.equal(await greenBox(row(svg('width="100" viewBox="0 0 100 50"'))), '100×80', 'row, width: the height stretched (satori: 100×50)')
  t.equal(await greenBox(row(svg('height="40" viewBox="0 0 100 50"'))), '80×40', 'row, height: kept, width by the ratio')
  t.equal(await greenBox(row(svg('width="100"'), '') + ''), '100×150', 'row of auto height, width and no viewBox: the default height')
  t.equal(
    await greenBox(row(svg('width="100" viewBox="0 0 100 50"') + '<div style="width:10px;height:80px"></div>', '')),
    '100×80',
    'row of auto height: a taller item stretches it',
  )
  t.equal(await greenBox(`<div style="width:400px">${svg('width="100"')}</div>`), '100×150', 'outside a flexbox, width and no viewBox (satori: nothing)')
})

t.test('no viewBox and no size', async (t) => {
  t.equal(await greenBox(col(svg(''))), '400×150', 'column: the width stretched, the default height (satori: 300×150)')
  t.equal(await greenBox(col(svg(''), 'align-items:flex-start')), '300×150', 'not stretched: 300×150')
  t.equal(await greenBox(col(svg('', 'align-self:center'))), '300×150', 'align-self: center')
  t.equal(await greenBox(`<div style="width:400px">${svg('')}</div>`), '300×150', 'in a block')
})
