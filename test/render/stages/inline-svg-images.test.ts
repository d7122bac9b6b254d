/**
 * SVG images drawn as symbols (inline-svg-images.ts): the same picture as resvg's nested
 * document, up to anti-aliasing, cut to the image's box; nothing inherited from the page, ids
 * kept apart; and every image that could reach outside itself left nested.
 */
import t from 'tap'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { inlineSvgImages } from '../../../src/render/stages/inline-svg-images.js'
import { rasterize, type Raster } from '../../../src/render/stages/rasterize.js'
import { TWEMOJI_DIR } from '../../../src/fonts/twemoji.js'

const uri = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
const page = (body: string, w = 200, h = 100) => `<svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" xmlns="http://www.w3.org/2000/svg"><rect width="${w}" height="${h}" fill="#fff"/>${body}</svg>`
const draw = (svg: string): Raster => rasterize(svg, { scale: 1, transparent: false })

/** Pixels whose largest channel difference is over 40 (edges anti-aliased apart differ by less). */
function pixelsApart(a: Raster, b: Raster): number {
  let n = 0
  for (let i = 0; i < a.pixels.length; i += 4) {
    let d = 0
    for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(a.pixels[i + c]! - b.pixels[i + c]!))
    if (d > 40) n++
  }
  return n
}
const rgbAt = (r: Raster, x: number, y: number) => [...r.pixels.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 3)]

t.test('Twemoji: use and symbol, the same picture as the nested image', async (t) => {
  const files = readdirSync(TWEMOJI_DIR).filter((f) => f.endsWith('.svg')).filter((_, i) => i % 60 === 0)
  t.ok(files.length > 50, `${files.length} emoji`)
  let inlined = 0
  let apart = 0
  let drawn = 0
  for (let k = 0; k < files.length; k += 8) {
    // Each emoji twice (one symbol), in satori's line box (30 × 41: letterboxed) and in a square.
    const images = files
      .slice(k, k + 8)
      .map((f, i) => {
        const href = uri(readFileSync(join(TWEMOJI_DIR, f), 'utf8'))
        return `<image href="${href}" x="${4 + i * 48}" y="4" width="30" height="41"/><image href="${href}" x="${4 + i * 48}" y="52" width="40" height="40"/>`
      })
      .join('')
    const svg = page(images, 390, 100)
    const out = inlineSvgImages(svg)
    inlined += out.inlined
    t.notMatch(out.svg, /<image/, 'no nested image left')
    t.equal(out.svg.match(/<symbol /g)?.length, files.slice(k, k + 8).length, 'one symbol per emoji, however often drawn')
    const before = draw(svg)
    apart += pixelsApart(before, draw(out.svg))
    drawn += before.width * before.height
  }
  t.equal(inlined, files.length * 2, 'every emoji inlined')
  t.ok(apart / drawn < 0.002, `${apart} of ${drawn} pixels apart by more than anti-aliasing`)
})

t.test('nothing is inherited from around the image; the root element styles its drawing', async (t) => {
  // The path sets no fill: black in a document of its own, whatever the page's group says.
  const icon = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><path d="M0 0h10v10H0z"/></svg>'
  const teal = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" fill="#008080"><path d="M0 0h10v10H0z"/></svg>'
  const svg = page(`<g fill="#f00" stroke="#00f" stroke-width="6" opacity="1"><image href="${uri(icon)}" x="10" y="10" width="40" height="40"/><image href="${uri(teal)}" x="100" y="10" width="40" height="40"/></g>`)
  const out = inlineSvgImages(svg)
  t.equal(out.inlined, 2)
  const r = draw(out.svg)
  t.same(rgbAt(r, 30, 30), [0, 0, 0], 'no fill of its own: black, not the page group’s red')
  t.same(rgbAt(r, 10, 30), [0, 0, 0], 'no stroke from the page group at its edge')
  t.same(rgbAt(r, 120, 30), [0, 128, 128], 'the root’s fill applies')
  t.same(rgbAt(r, 30, 30), rgbAt(draw(svg), 30, 30), 'as the nested image drew it')
})

t.test('ids stay apart: two images that both define #g each paint with their own', async (t) => {
  const grad = (colour: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="${colour}"/><stop offset="1" stop-color="${colour}"/></linearGradient><clipPath id="c"><rect width="5" height="10"/></clipPath></defs><rect width="10" height="10" fill="url(#g)" clip-path="url('#c')"/></svg>`
  const svg = page(`<image href="${uri(grad('#0a0'))}" x="0" y="0" width="80" height="80"/><image href="${uri(grad('#00f'))}" x="100" y="0" width="80" height="80"/>`)
  const out = inlineSvgImages(svg)
  t.equal(out.inlined, 2)
  const r = draw(out.svg)
  t.same(rgbAt(r, 20, 40), [0, 170, 0], 'first: its green')
  t.same(rgbAt(r, 120, 40), [0, 0, 255], 'second: its blue')
  t.same(rgbAt(r, 60, 40), [255, 255, 255], 'its own clip path, renamed with it')
})

t.test('an image is cut to its box, as a browser cuts it', async (t) => {
  // Drawn 20 units past its viewBox on the left: visible inside the letterboxed box, not beyond it.
  const wide = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect x="-20" y="-20" width="60" height="50" fill="#c00"/></svg>'
  const out = inlineSvgImages(page(`<image href="${uri(wide)}" x="50" y="20" width="40" height="40"/>`))
  const r = draw(out.svg)
  t.same(rgbAt(r, 52, 22), [204, 0, 0], 'inside the box, outside the viewBox: drawn')
  t.same(rgbAt(r, 45, 30), [255, 255, 255], 'left of the box: not drawn')
  t.same(rgbAt(r, 70, 65), [255, 255, 255], 'below the box: not drawn')
})

t.test("satori's own attributes on the image apply to the drawing", async (t) => {
  const square = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#00f"/></svg>'
  const svg = page(
    `<defs><clipPath id="satori_cp"><rect x="0" y="0" width="30" height="100"/></clipPath></defs>` +
      `<image href="${uri(square)}" x="10" y="10" width="40" height="40" preserveAspectRatio="none" clip-path="url(#satori_cp)" opacity="0.5" transform="translate(100 0)"/>`,
  )
  const out = inlineSvgImages(svg)
  t.equal(out.inlined, 1)
  t.match(out.svg, /<g clip-path="url\(#satori_cp\)" opacity="0.5" transform="translate\(100 0\)"><use /, 'clip, opacity and transform on a group around it')
  const before = draw(svg)
  const after = draw(out.svg)
  t.equal(pixelsApart(before, after), 0, 'the same picture')
  t.same(rgbAt(after, 115, 30), [128, 128, 255], 'half opaque, moved by the transform')
  t.same(rgbAt(after, 140, 30), [255, 255, 255], 'cut by the page’s clip path')
})

t.test('images that could reach outside themselves stay nested', async (t) => {
  const svgs: Record<string, string> = {
    'a style sheet (would style the page)': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><style>rect{fill:red}</style><rect width="10" height="10"/></svg>',
    'text (fonts of its own)': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text y="8">A</text></svg>',
    'an image of its own (resvg draws none there)': `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><image href="data:image/png;base64,AAAA" width="10" height="10"/></svg>`,
    'a reference to an id it does not define (would reach the page’s)': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="url(#satori_cp)"/></svg>',
    'a link out': '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><use xlink:href="http://example.com/a.svg#x"/></svg>',
    'XML resvg cannot read (draws nothing)': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"></svg>',
    'entities of its own': '<!DOCTYPE svg [<!ENTITY c "#f00">]><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="&c;"/></svg>',
    'a script': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>1</script><rect width="10" height="10"/></svg>',
    'no size at all': '<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>',
  }
  for (const [why, svg] of Object.entries(svgs)) {
    const out = inlineSvgImages(page(`<image href="${uri(svg)}" x="0" y="0" width="40" height="40"/>`))
    t.equal(out.inlined, 0, why)
    t.match(out.svg, /<image /, `${why}: still an image`)
  }
  const plain = page('<rect width="10" height="10"/>')
  t.equal(inlineSvgImages(plain).svg, plain, 'a page without SVG images is returned as it is')
})

t.test('a page of 3,000 emoji on a tall canvas is drawn in seconds, not minutes', async (t) => {
  // Nested, each emoji had resvg fill a pixmap the size of the canvas (1900×11400 here): 453 s.
  const emoji = readFileSync(join(TWEMOJI_DIR, '1f600.svg'), 'utf8')
  const images = Array.from({ length: 3000 }, (_, i) => `<image href="${uri(emoji)}" x="${(i % 60) * 30}" y="${Math.floor(i / 60) * 220}" width="30" height="41"/>`).join('')
  const out = inlineSvgImages(page(images, 1900, 11400))
  t.equal(out.inlined, 3000)
  t.equal(out.svg.match(/<symbol /g)?.length, 1, 'one symbol')
  t.equal(out.svg.match(/<image /g), null, 'no nested image left')
})
