/**
 * CSS `filter:` on pages whose height follows their content (a snippet without a viewport, or a
 * viewport_width alone): satori wrote the filter region's height as NaN, resvg put the region
 * above the page, and with a blur wide enough resvg 2.6.2 panicked and aborted the render worker
 * (geom.rs:27); a narrower blur drew nothing. Through the real stages, rasterized in a child
 * process so a panic fails an assertion instead of the run.
 */
import t, { type Test } from 'tap'
import { darkest, pageSvg, rasterizeApart, rgba, type Picture } from './rasterize-apart.js'

/** The picture, or a failed assertion naming what resvg did. */
function drawn(t: Test, svg: string, scale: number, name: string): Picture | null {
  const out = rasterizeApart(svg, scale)
  if ('failed' in out) {
    t.fail(`${name}: resvg did not draw it (${out.failed})`)
    return null
  }
  t.pass(`${name}: drawn`)
  return out
}

t.test('blur() on an auto-height page is drawn blurred, where the text is, as on a page of fixed height', async (t) => {
  // Chromium, measured on the same snippet with the same font: the darkest level of the blurred
  // "Hello" is 218 at 10px and 251 at 40px (Vellum: 221 and 252).
  const expectations: Array<[number, [number, number]]> = [[10, [205, 235]], [40, [245, 254]], [64, [246, 254]], [100, [246, 254]], [1000, [246, 254]]]
  for (const [radius, [low, high]] of expectations) {
    const html = `<div style="filter:blur(${radius}px)">Hello</div>`
    const page = await pageSvg(html)
    t.notMatch(page.svg, /NaN/, `blur(${radius}px): no NaN reaches resvg`)
    const pic = drawn(t, page.svg, 1, `blur(${radius}px)`)
    if (!pic) continue
    t.same([pic.width, pic.height], [1904, 22], 'cropped to the snippet')
    const ink = darkest(pic, { x: 0, y: 0, w: 60, h: 22 })
    t.ok(ink >= low && ink <= high, `blur(${radius}px): blurred ink where the text is (darkest ${ink}, expected ${low}–${high})`)
    t.equal(darkest(pic, { x: 400, y: 0, w: 1504, h: 22 }), 255, 'and nothing far from it')

    // The same page laid out at a fixed height (the path satori sizes the region on) draws the same pixels.
    const fixed = drawn(t, (await pageSvg(html, { viewportWidth: 1920, viewportHeight: 38 })).svg, 1, `blur(${radius}px) at a fixed height`)
    if (!fixed) continue
    let diff = 0
    for (let y = 0; y < 22; y++) for (let x = 0; x < 1904; x++) diff = Math.max(diff, ...rgba(pic, x, y).map((v, i) => Math.abs(v - rgba(fixed, x + 8, y + 8)[i]!)))
    t.ok(diff <= 1, `blur(${radius}px): the same picture as at a fixed height (max difference ${diff})`)
  }
})

t.test('the other ways a page gets an auto height: viewport_width alone, device_scale', async (t) => {
  for (const [name, params] of [['viewport_width 400', { viewportWidth: 400 }], ['device_scale 2', { deviceScale: 2 }]] as const) {
    const page = await pageSvg('<div style="filter:blur(40px)">Hello</div>', params)
    const scale = 'deviceScale' in params ? params.deviceScale : 1
    const pic = drawn(t, page.svg, scale, name)
    if (!pic) continue
    const ink = darkest(pic, { x: 0, y: 0, w: 80 * scale, h: pic.height })
    t.ok(ink >= 240 && ink <= 254, `${name}: blurred ink (darkest ${ink})`)
  }
})

t.test('drop-shadow() with a huge radius: clamped, drawn around sharp text', async (t) => {
  for (const shadow of ['0 0 100000px red', '0 40px 100000px red']) {
    const page = await pageSvg(`<div style="filter:drop-shadow(${shadow})">Hello</div>`)
    t.match(page.warnings, [/filter: blur 100000px clamped to 64px/])
    const pic = drawn(t, page.svg, 1, `drop-shadow(${shadow})`)
    if (!pic) continue
    t.ok(darkest(pic, { x: 0, y: 0, w: 40, h: 22 }) < 60, 'the text itself is sharp')
    // Faint: a 64px blur spreads the red thin.
    const halo = rgba(pic, 50, 11)
    t.ok(halo[0]! === 255 && halo[1]! < 255 && halo[1] === halo[2], `a red halo beside it (${halo})`)
  }
})

t.test('blur() together with layers inside its own: opacity, a nested blur, a translucent span', async (t) => {
  // resvg draws a layer's content from the layer's corner, and the blur's region started 3σ
  // above a 38 px page: the translucent text inside lay out of resvg's reach (it panicked).
  const cases = [
    '<div style="opacity:.5;filter:blur(40px)">Hello</div>',
    '<div style="filter:blur(40px)"><div style="filter:blur(4px)">Hello</div></div>',
    '<div style="filter:blur(20px)"><span style="opacity:.5">Hello</span></div>',
  ]
  for (const html of cases) {
    for (const params of [{}, { viewportWidth: 400 }, { deviceScale: 2 }]) {
      const name = `${html} ${JSON.stringify(params)}`
      const page = await pageSvg(html, params)
      t.same(page.warnings, [], `${name}: nothing left out`)
      const scale = 'deviceScale' in params ? 2 : 1
      const pic = drawn(t, page.svg, scale, name)
      if (!pic) continue
      const ink = darkest(pic, { x: 0, y: 0, w: 80 * scale, h: pic.height })
      t.ok(ink >= 235 && ink <= 254, `${name}: blurred ink where the text is (darkest ${ink})`)
    }
  }
})

t.test('blur() on an inline element, on boxes of no width or height, on the root', async (t) => {
  const inline = await pageSvg('<p>Some <span style="filter:blur(40px)">inline</span> text</p>')
  const pic = drawn(t, inline.svg, 1, 'inline')
  if (pic) {
    t.ok(darkest(pic, { x: 0, y: 0, w: 40, h: pic.height }) < 60, '"Some" is sharp')
    t.ok(darkest(pic, { x: 45, y: 0, w: 40, h: pic.height }) > 200, '"inline" is blurred')
  }
  const others = [
    '<div style="filter:blur(40px);width:0">Hello</div>',
    '<div style="filter:blur(40px);height:0">Hello</div>',
    '<div style="filter:blur(40px);width:0;height:0"></div>',
    '<html><body style="filter:blur(40px)">Hello</body></html>',
    '<html style="filter:blur(40px)"><body>Hello</body></html>',
  ]
  for (const html of others) {
    for (const params of [{}, { viewportWidth: 400 }]) drawn(t, (await pageSvg(html, params)).svg, 1, `${html} ${JSON.stringify(params)}`)
  }
  const root = drawn(t, (await pageSvg(others[3]!, { viewportWidth: 400 })).svg, 1, 'blurred body at viewport_width 400')
  if (root) t.ok(darkest(root, { x: 0, y: 0, w: 80, h: root.height }) <= 254, 'blurred ink on the root')
})
