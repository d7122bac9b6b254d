/**
 * Text inside SVG images (svg-image-text.ts): a shields.io badge's labels are drawn, with the
 * bundled fonts, where Chromium draws them (text-anchor, textLength, transform, inherited font
 * size and weight, fill-opacity), for data: URIs and fetched images alike; the rewritten image is
 * then drawn as a symbol; images whose text depends on what is not read stay as they were.
 */
import t from 'tap'
import { PNG } from 'pngjs'
import { htmlToTree, type SatoriChild, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { SVG_TEXT_RUNS, type SvgTextRun } from '../../../src/render/document/svg-text.js'
import { drawSvgImageText, readSvgImageText } from '../../../src/render/stages/svg-image-text.js'
import { inlineSvgImages } from '../../../src/render/stages/inline-svg-images.js'
import { rasterize } from '../../../src/render/stages/rasterize.js'
import { loadBundledFonts } from '../../../src/fonts/bundled-fonts.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { renderJob } from '../../helper.js'

const uri = (svg: string) => `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
const decoded = (src: string) => Buffer.from(src.slice(src.indexOf(',') + 1), 'base64').toString('utf8')

/** A flat shields.io badge, as shields.io writes it: a shadow copy under each label, scaled text. */
const BADGE =
  '<svg xmlns="http://www.w3.org/2000/svg" width="88" height="20" role="img" aria-label="build: passing"><title>build: passing</title>' +
  '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>' +
  '<clipPath id="r"><rect width="88" height="20" rx="3" fill="#fff"/></clipPath>' +
  '<g clip-path="url(#r)"><rect width="37" height="20" fill="#555"/><rect x="37" width="51" height="20" fill="#4c1"/><rect width="88" height="20" fill="url(#s)"/></g>' +
  '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">' +
  '<text aria-hidden="true" x="195" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="270">build</text>' +
  '<text x="195" y="140" transform="scale(.1)" fill="#fff" textLength="270">build</text>' +
  '<text aria-hidden="true" x="615" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="410">passing</text>' +
  '<text x="615" y="140" transform="scale(.1)" fill="#fff" textLength="410">passing</text></g></svg>'

const treeOf = (html: string) => htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: '', limits: { elements: 5000, depth: 200 } }).root

function imgs(root: SatoriChild): SatoriElement[] {
  const out: SatoriElement[] = []
  const walk = (node: SatoriChild): void => {
    if (typeof node !== 'object' || node === null) return
    if (node.type === 'img') out.push(node)
    const c = node.props.children as SatoriChild[] | SatoriChild | undefined
    for (const child of Array.isArray(c) ? c : c === undefined ? [] : [c]) walk(child)
  }
  walk(root)
  return out
}

/** Columns and rows (in a rectangle) holding a pixel lighter than `over` on every channel. */
function lightInk(png: PNG, r: { x: number; y: number; w: number; h: number }, over = 200): { xs: number[]; count: number } {
  const xs = new Set<number>()
  let count = 0
  for (let y = r.y; y < r.y + r.h; y++) {
    for (let x = r.x; x < r.x + r.w; x++) {
      const i = (png.width * y + x) * 4
      if (png.data[i]! > over && png.data[i + 1]! > over && png.data[i + 2]! > over) {
        xs.add(x)
        count++
      }
    }
  }
  return { xs: [...xs].sort((a, b) => a - b), count }
}

/** Columns and count of dark pixels (every channel under 100) in a rectangle. */
function darkInk(png: PNG, r: { x: number; y: number; w: number; h: number }): { xs: number[]; count: number } {
  const xs = new Set<number>()
  let count = 0
  for (let y = r.y; y < r.y + r.h; y++) {
    for (let x = r.x; x < r.x + r.w; x++) {
      const i = (png.width * y + x) * 4
      if (png.data[i]! < 100 && png.data[i + 1]! < 100 && png.data[i + 2]! < 100) {
        xs.add(x)
        count++
      }
    }
  }
  return { xs: [...xs].sort((a, b) => a - b), count }
}

t.test('the badge is marked with its runs, then rewritten with outlines and drawn as a symbol', async (t) => {
  const root = treeOf(`<img src="${uri(BADGE)}" height="20"><img src="${uri(BADGE)}" height="20">`)
  const found = readSvgImageText(root)
  t.ok(found, 'an image with text is found')
  t.equal(found!.length, 1, 'the same image twice is read once')
  const [first, second] = imgs(root)
  const runs = first!.props[SVG_TEXT_RUNS] as SvgTextRun[]
  t.match(runs, [
    { text: 'build', x: 195, y: 150, anchor: 'middle', font: { size: 110, weight: 400, family: /^Roboto/ } },
    { text: 'build' },
    { text: 'passing' },
    { text: 'passing' },
  ], 'inherited from the group: anchor, size; Verdana and DejaVu Sans drawn with their stand-in')
  t.same(second!.props[SVG_TEXT_RUNS], runs, 'both images are marked (font usage, layout cost)')

  const warnings = await drawSvgImageText(found!, loadBundledFonts())
  t.same(warnings, [])
  t.equal(first!.props.src, second!.props.src, 'one rewrite for both')
  t.notOk(SVG_TEXT_RUNS in first!.props, 'the mark is gone before satori sees the image')
  const svg = decoded(first!.props.src as string)
  t.notMatch(svg, /<text/, 'no text left')
  t.match(svg, /<g aria-hidden="true" fill="#010101" fill-opacity=".3" transform="scale\(.1\)"><path d="M/, 'the shadow keeps its fill, opacity and transform on a group of paths')
  t.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="88" height="20"/, 'the root is as it was (satori sizes the image from it)')

  // The rewritten image, as satori hands it on: drawn as a symbol, the same picture as nested.
  const page = `<svg width="100" height="30" viewBox="0 0 100 30" xmlns="http://www.w3.org/2000/svg"><rect width="100" height="30" fill="#fff"/><image href="${first!.props.src}" x="4" y="4" width="88" height="20"/></svg>`
  const inlined = inlineSvgImages(page)
  t.equal(inlined.inlined, 1, 'inlined as a symbol once its text is paths')
  const nested = rasterize(page, { scale: 1, transparent: false })
  const symbol = rasterize(inlined.svg, { scale: 1, transparent: false })
  let apart = 0
  for (let i = 0; i < nested.pixels.length; i += 4) {
    let d = 0
    for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(nested.pixels[i + c]! - symbol.pixels[i + c]!))
    if (d > 40) apart++
  }
  t.ok(apart <= 3, `${apart} pixels apart from the nested drawing`)
})

t.test('pixels: the labels are drawn where Chromium draws them, for data: URIs and fetched images', async (t) => {
  const renderer = createRenderer()
  const draw = async (src: string, images: Record<string, string> = {}) => {
    const job = renderJob(`<img src="${src}" width="176" height="40" style="display:block">`, { selector: 'img' })
    job.images = images
    const out = await renderer.render(job)
    t.same(out.warnings, [], 'nothing dropped')
    return PNG.sync.read(Buffer.from(out.png))
  }
  for (const [how, png] of [
    ['data: URI', await draw(uri(BADGE))],
    ['fetched', await draw('https://img.shields.io/badge/build-passing-4c1', { 'https://img.shields.io/badge/build-passing-4c1': uri(BADGE) })],
  ] as const) {
    t.equal(png.width, 176, `${how}: drawn at twice its size`)
    // White label ink on the grey left part (0–74 px here) and the green right part (74–176),
    // between the rounded corners (6 px here) and under the shadow copy.
    const label = lightInk(png, { x: 0, y: 8, w: 74, h: 24 })
    const value = lightInk(png, { x: 74, y: 8, w: 102, h: 24 })
    t.ok(label.count > 60, `${how}: "build" drawn (${label.count} light pixels)`)
    t.ok(value.count > 80, `${how}: "passing" drawn (${value.count} light pixels)`)
    // textLength: 27 and 41 units at x 19.5 and 61.5, centred (×2 here); ink stops a side bearing inside.
    const centre = (xs: number[]) => (xs[0]! + xs[xs.length - 1]!) / 2
    t.ok(Math.abs(centre(label.xs) - 39) <= 2, `${how}: "build" centred on 39: ${centre(label.xs)}`)
    t.ok(Math.abs(centre(value.xs) - 123) <= 2, `${how}: "passing" centred on 123: ${centre(value.xs)}`)
    const span = (xs: number[]) => xs[xs.length - 1]! - xs[0]! + 1
    t.ok(span(label.xs) >= 48 && span(label.xs) <= 56, `${how}: "build" spans its textLength (54): ${span(label.xs)}`)
    t.ok(span(value.xs) >= 76 && span(value.xs) <= 84, `${how}: "passing" spans its textLength (82): ${span(value.xs)}`)
  }
})

t.test('textLength, font weight and the shapes of text in an image', async (t) => {
  const renderer = createRenderer()
  const draw = async (text: string) => {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="60"><rect width="400" height="60" fill="#fff"/>${text}</svg>`
    const out = await renderer.render(renderJob(`<img src="${uri(svg)}" width="400" height="60" style="display:block">`, { selector: 'img' }))
    t.same(out.warnings, [])
    return darkInk(PNG.sync.read(Buffer.from(out.png)), { x: 0, y: 0, w: 400, h: 60 })
  }
  const plain = await draw('<text x="200" y="40" font-family="Roboto" font-size="30" text-anchor="middle">abc</text>')
  const spaced = await draw('<text x="200" y="40" font-family="Roboto" font-size="30" text-anchor="middle" textLength="300">abc</text>')
  const stretched = await draw('<text x="50" y="40" font-family="Roboto" font-size="30" textLength="300" lengthAdjust="spacingAndGlyphs">abc</text>')
  const bold = await draw('<text x="200" y="40" font-family="Roboto" font-size="30" text-anchor="middle" font-weight="bold">abc</text>')
  const span = (xs: number[]) => xs[xs.length - 1]! - xs[0]! + 1
  t.ok(span(plain.xs) > 40 && span(plain.xs) < 60, `abc at 30 px: ${span(plain.xs)} px`)
  t.ok(span(spaced.xs) > 285 && span(spaced.xs) <= 300, `spaced to its textLength: ${span(spaced.xs)} px`)
  t.ok(Math.abs((spaced.xs[0]! + spaced.xs[spaced.xs.length - 1]!) / 2 - 200) <= 3, 'and still centred on x')
  t.ok(spaced.count < plain.count * 1.1, 'spacing: the glyphs keep their size')
  // The side bearings are stretched too: ink starts a few pixels after x and stops before x + 300.
  t.ok(stretched.xs[0]! >= 50 && stretched.xs[0]! <= 62 && span(stretched.xs) > 270 && stretched.xs.at(-1)! <= 350, `spacingAndGlyphs: from x on, ${stretched.xs[0]}–${stretched.xs.at(-1)}`)
  t.ok(stretched.count > plain.count * 3, 'spacingAndGlyphs: the glyphs are stretched')
  t.ok(bold.count > plain.count * 1.2, `bold drawn with the bold face (${bold.count} vs ${plain.count} pixels)`)
})

t.test('images whose text depends on what is not read here are left as they are', async (t) => {
  const svgs: Record<string, string> = {
    'a style sheet (may set the text’s font or fill)': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><style>text{font-size:4px}</style><text y="8">A</text></svg>',
    'entities of its own': '<!DOCTYPE svg [<!ENTITY l "A">]><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><text y="8">&l;</text></svg>',
    'XML resvg cannot read': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><text y="8">A</svg>',
    'text on a path only': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><path id="p" d="M0 8h40"/><text><textPath href="#p">A</textPath></text></svg>',
    'no text': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="4" height="4"/></svg>',
  }
  for (const [why, svg] of Object.entries(svgs)) {
    const root = treeOf(`<img src="${uri(svg)}">`)
    t.equal(readSvgImageText(root), null, why)
    t.notOk(SVG_TEXT_RUNS in imgs(root)[0]!.props, `${why}: not marked`)
    t.equal(imgs(root)[0]!.props.src, uri(svg), `${why}: the same image`)
  }
})
