/**
 * An `<img>` with neither a width nor a height takes its natural size, as in Chromium
 * (patches/satori+0.63.2.patch, `vellumNaturalWidth`). satori gave such an image `width: 100%`
 * and the image's ratio, so every badge and logo written as a plain `<img src>` grew to its
 * container's width: two 88×20 badges in a 400 px paragraph were 400×91 each, on two lines. Now
 * the natural size goes through the min/max sizes as CSS 2.1 §10.4 does (the ratio is kept); a
 * percentage max-width, which the layout engine's ratio would not follow, is resolved by a measure
 * callback against the width the engine offers. An SVG with a viewBox and no width or height has
 * a ratio but no natural size: it still fills its container's width, as in Chromium. Fidelity case
 * 106-intrinsic-images. A flex item is the exception (`vellumStretchAxis`): with `align-self`
 * resolving to stretch, no auto margin and an auto cross size, the container stretches that size
 * and the other follows through the ratio, so the hero image of a column card fills the card; the
 * natural size had been a fixed width that nothing could stretch. Fidelity case
 * 114-stretched-images. The layout engine gives the stretched size with padding and border: the
 * measure callback takes them off before applying the ratio (a 200×100 image with 20px padding and
 * a 5px border in a 600px column was 600×350, Chromium 600×325). Fails loudly when an upgrade
 * drops the patch.
 */
import t from 'tap'
import sharp from 'sharp'
import { satoriBuildsCarry } from './satori-patch.js'
import { near, pixel, renderPng } from '../helper.js'

satoriBuildsCarry({
  'an SVG without width and height has a ratio only': ':[o[0],o[1],"ratio"]}',
  'the image is told whether it has a natural size and which size a flex container stretches':
    'B.height,vellumRatioOnly,vellumStretchAxis(w,vellumParent,vellumContext)),w.__src=X}',
  'no size: the natural one, not 100%': '?(s="100%",A.style.aspectRatio=1/Q):s=vellumNaturalWidth(A,g,I,C,o,e)):',
  'the measure callback gets the known sizes': 'h=g[E].measure(c/C,D/C,r,Number.isNaN(Q)&&o<0,Q/C,i/C)',
  'the style step sees the parent layout node': 'vellumContext,vellumFont,vellumParent){',
  'a stretched size is left to the layout engine': 'vellumStretchFits(vellumStretch,vellumRatioOnly,I,C,s,a)?vellumNaturalWidth(A,g,I,C,o,e,!0):',
  'the stretched size loses padding and border before the ratio':
    'A.measure=(c,D,r,f,kw,kh)=>{if(kw>=0)return kw=Math.max(0,kw-ph),{width:kw,height:kw*C/I};if(kh>=0)return kh=Math.max(0,kh-pv),',
})

const green = [0x44, 0xcc, 0x11]
const png = async (w: number, h: number) =>
  'data:image/png;base64,' + (await sharp({ create: { width: w, height: h, channels: 3, background: '#44cc11' } }).png().toBuffer()).toString('base64')
const svg = (attrs: string) =>
  'data:image/svg+xml;base64,' + Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" ${attrs}><rect width="88" height="20" fill="#44cc11"/></svg>`).toString('base64')

/** The green boxes of a render, left to right: each run of columns holding green, with its rows. */
async function greenBoxes(html: string): Promise<Array<{ x: number; y: number; w: number; h: number }>> {
  const out = await renderPng(`<body style="margin:0;background:#fff">${html}</body>`, { viewportWidth: 600, viewportHeight: 400 })
  const isGreen = (x: number, y: number) => near(pixel(out, x, y).slice(0, 3), green, 24)
  const rows = (x: number) => {
    const ys: number[] = []
    for (let y = 0; y < out.height; y++) if (isGreen(x, y)) ys.push(y)
    return ys
  }
  const boxes: Array<{ x: number; y: number; w: number; h: number }> = []
  let start = -1
  for (let x = 0; x <= out.width; x++) {
    const hit = x < out.width && rows(x).length > 0
    if (hit && start < 0) start = x
    if (!hit && start >= 0) {
      const ys = rows(start + Math.floor((x - start) / 2))
      boxes.push({ x: start, y: ys[0]!, w: x - start, h: ys[ys.length - 1]! - ys[0]! + 1 })
      start = -1
    }
  }
  return boxes
}

const size = (b: { w: number; h: number } | undefined) => (b ? `${b.w}×${b.h}` : 'nothing')

t.test('badges in a paragraph keep their 88×20 and share one line', async (t) => {
  for (const src of [await png(88, 20), svg('width="88" height="20"')]) {
    const boxes = await greenBoxes(`<div style="width:400px"><p><img src="${src}"> <img src="${src}"></p></div>`)
    t.equal(boxes.length, 2, `two images side by side (satori: one 400 px column): ${boxes.map(size)}`)
    // The second one starts at a fractional x (after the space): its edge columns are blended.
    t.ok(boxes.every((b) => Math.abs(b.w - 88) <= 1 && b.h === 20), `each 88×20: ${boxes.map(size)}`)
    t.equal(boxes[0]?.y, boxes[1]?.y, 'on the same line')
  }
})

t.test('a flex row of images does not stretch them; a taller item stretches their height, as in Chromium', async (t) => {
  const src = await png(88, 20)
  const row = await greenBoxes(`<div style="display:flex;gap:4px;width:400px"><img src="${src}"><img src="${src}"></div>`)
  t.same(row.map(size), ['88×20', '88×20'], 'satori: 198×45 each')
  t.equal(row[1]?.x, 92, 'the gap between them')
  const tall = await greenBoxes(`<div style="display:flex;width:400px"><img src="${src}"><div style="width:10px;height:50px"></div></div>`)
  t.same(tall.map(size), ['88×50'], 'align-items: stretch on the cross axis only')
  const narrow = await greenBoxes(`<div style="display:flex;width:100px"><img src="${src}"><img src="${src}"></div>`)
  t.same(narrow.map(size), ['176×20'], 'an image flex item does not shrink below its natural width (min-width: auto)')
})

t.test('a flex container stretches an image on its cross axis, the other size by the ratio, as in Chromium', async (t) => {
  const src = await png(88, 20)
  const col = (img: string, box = 'width:400px') => `<div style="display:flex;flex-direction:column;${box}">${img}</div>`
  const boxes = async (html: string) => (await greenBoxes(html)).map(size)
  const stretched = (await greenBoxes(col(`<img src="${src}">`)))[0]
  t.equal(stretched?.w, 400, `column: the card's width (was 88×20): ${size(stretched)}`)
  t.ok(Math.abs((stretched?.h ?? 0) - 91) <= 1, `height through the ratio: ${size(stretched)}`)
  t.same(await boxes(col(`<img src="${src}" style="align-self:flex-start">`)), ['88×20'], 'align-self: flex-start is not stretched')
  t.same(await boxes(col(`<img src="${src}">`, 'width:400px;align-items:center')), ['88×20'], 'align-items: center')
  t.same(await boxes(col(`<img src="${src}" style="margin:0 auto">`)), ['88×20'], 'auto margins on the cross axis')
  t.same(await boxes(col(`<img src="${src}" style="height:10px">`)), ['400×10'], 'a given height is kept, the width still stretched')
  t.same(await boxes(col(`<img src="${await png(600, 300)}" style="max-width:100px">`)), ['100×50'], 'max-width caps the stretch')
  t.same(await boxes(`<div style="display:flex;width:400px;height:80px"><img src="${await png(40, 20)}"></div>`), ['160×80'], 'row of definite height: height stretched, width by the ratio')
  t.same(await boxes(`<div style="display:flex;width:400px;height:80px"><img src="${src}" style="width:44px"></div>`), ['44×80'], 'row: a given width is kept')
  t.same(
    await boxes(`<div style="display:flex;width:400px"><img src="${src}" style="width:44px"><div style="width:10px;height:50px"></div></div>`),
    ['44×50'],
    'row: a taller item stretches an image of given width',
  )
  t.same(
    await boxes(`<div style="display:flex;flex-direction:column;width:400px;position:relative;height:40px"><img src="${src}" style="position:absolute"></div>`),
    ['88×20'],
    'an absolutely positioned image is no flex item',
  )
})

t.test('a stretched image with padding and a border: the ratio is the content box\'s, as in Chromium', async (t) => {
  // The layout engine gives the measure callback the stretched size with padding and border.
  // Sizes measured in Chromium 156 (getBoundingClientRect; box-sizing changes nothing, no size being given).
  const src = await png(200, 100)
  /** Border box (the red border's outer edge) and content box (the green picture) of a render. */
  const boxes = async (html: string) => {
    const out = await renderPng(`<body style="margin:0;background:#fff">${html}</body>`, { viewportWidth: 800, viewportHeight: 600 })
    const box = (test: (c: number[]) => boolean) => {
      let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1
      for (let y = 0; y < out.height; y++) {
        for (let x = 0; x < out.width; x++) {
          if (!test(pixel(out, x, y).slice(0, 3))) continue
          x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y)
        }
      }
      return x1 < 0 ? 'nothing' : `${x1 - x0 + 1}×${y1 - y0 + 1}`
    }
    return { border: box((c) => !near(c, [255, 255, 255], 16)), content: box((c) => near(c, green, 24)) }
  }
  for (const sizing of ['', 'box-sizing:border-box;']) {
    const img = `<img src="${src}" style="${sizing}padding:20px;border:5px solid red">`
    t.same(
      await boxes(`<div style="display:flex;flex-direction:column;width:600px">${img}</div>`),
      { border: '600×325', content: '550×275' },
      `column ${sizing || 'content-box'} (was 600×350, the picture 550×300)`,
    )
    t.same(
      await boxes(`<div style="display:flex;height:200px">${img}</div>`),
      { border: '350×200', content: '300×150' },
      `row of height 200px ${sizing || 'content-box'} (was 450×200, the picture 400×150)`,
    )
  }
  t.same(
    (await boxes(`<div style="display:flex;flex-direction:column;width:600px"><img src="${src}" style="padding:10px 30px;background:red"></div>`)).border,
    '600×290',
    'unequal padding (was 600×320)',
  )
})

t.test('one given size gives the other by the ratio; CSS wins over the attributes', async (t) => {
  const src = await png(88, 20)
  t.same((await greenBoxes(`<div style="width:400px"><img src="${src}" style="width:176px"></div>`)).map(size), ['176×40'])
  t.same((await greenBoxes(`<div style="width:400px"><img src="${src}" height="40"></div>`)).map(size), ['176×40'])
  t.same((await greenBoxes(`<div style="width:400px"><img src="${src}" width="44" height="10" style="width:88px"></div>`)).map(size), ['88×10'])
  t.same((await greenBoxes(`<div style="width:400px"><img src="${src}" style="min-width:176px"></div>`)).map(size), ['176×40'])
})

t.test('max-width shrinks a wide image keeping its ratio, and leaves a small one alone', async (t) => {
  const wide = await png(600, 300)
  for (const display of ['inline-block', 'block']) {
    const boxes = await greenBoxes(`<div style="width:200px"><img src="${wide}" style="display:${display};max-width:100%"></div>`)
    t.same(boxes.map(size), ['200×100'], `${display}, max-width: 100%`)
  }
  t.same((await greenBoxes(`<div style="display:flex;width:200px"><img src="${wide}" style="max-width:100%"></div>`)).map(size), ['200×100'], 'flex item')
  t.same((await greenBoxes(`<div style="width:400px"><img src="${wide}" style="max-width:100px"></div>`)).map(size), ['100×50'], 'max-width in px')
  t.same((await greenBoxes(`<div style="width:400px"><img src="${wide}" style="max-height:50px"></div>`)).map(size), ['100×50'], 'max-height')
  t.same(
    (await greenBoxes(`<div style="width:200px"><img src="${await png(88, 20)}" style="max-width:100%"></div>`)).map(size),
    ['88×20'],
    'satori: 200×45',
  )
})

t.test('an SVG with only a viewBox has no natural size: it fills the container, as in Chromium', async (t) => {
  const boxes = await greenBoxes(`<div style="width:400px"><img src="${svg('viewBox="0 0 88 20"')}"></div>`)
  t.equal(boxes[0]?.w, 400, size(boxes[0]))
  t.ok(Math.abs((boxes[0]?.h ?? 0) - 91) <= 1, `height from the ratio: ${size(boxes[0])}`)
  const withWidth = await greenBoxes(`<div style="width:400px"><img src="${svg('width="44" viewBox="0 0 88 20"')}"></div>`)
  t.same(withWidth.map(size), ['44×10'], 'a width attribute and a viewBox: natural width, height by the ratio')
})

t.test('object-fit still fits the picture into a given box', async (t) => {
  const boxes = await greenBoxes(`<div style="width:400px"><img src="${await png(600, 300)}" style="width:100px;height:100px;object-fit:cover"></div>`)
  t.same(boxes.map(size), ['100×100'])
})
