/**
 * The page's @font-face faces in the render worker, by their pixels: a page face draws exactly
 * what the same file draws when loaded the way google_fonts are (ExtraFont), differs from the
 * bundled fonts, honours unicode-range (a face limited to capitals draws only capitals, the rest
 * falls to the next family), picks faces by weight, and a face that fails is reported while the
 * render goes on with the bundled fonts.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createRenderer } from '../../src/render/pipeline.js'
import type { ExtraFont, PageFace, RenderJob } from '../../src/render/job.js'
import { PNG } from 'pngjs'
import { decodePng, pixel } from '../helper.js'

const require = createRequire(import.meta.url)
const monoDir = join(dirname(require.resolve('@fontsource/roboto-mono/package.json')), 'files')
const serifDir = join(dirname(require.resolve('@fontsource/noto-serif/package.json')), 'files')
const MONO = join(monoDir, 'roboto-mono-latin-400-normal.woff2')
const MONO_WOFF = join(monoDir, 'roboto-mono-latin-400-normal.woff')
const MONO_BOLD = join(monoDir, 'roboto-mono-latin-700-normal.woff2')
const INTER_VAR = join(dirname(require.resolve('@fontsource-variable/inter/package.json')), 'files', 'inter-latin-wght-normal.woff2')

const limits = {
  elements: 5000, depth: 200, outputPixels: 36_000_000, imagePixels: 25_000_000, imagesPerRender: 40,
  shadowBlurPx: 64, shadowSpreadPx: 128, shadows: 100,
}
const renderer = createRenderer()

const face = (file: string, p: Partial<PageFace> = {}): PageFace => ({
  family: 'Page Face', weight: [400, 400], style: 'normal', id: file, data: readFileSync(file), ...p,
})
const extra = (file: string, weight: ExtraFont['weight'] = 400): ExtraFont => ({ name: 'Page Face', weight, style: 'normal', path: file })

async function render(html: string, pageFaces: PageFace[] = [], fonts: ExtraFont[] = []) {
  const job: RenderJob = {
    params: {
      html, css: '', googleFonts: [], selector: undefined, deviceScale: 1, viewportWidth: 400, viewportHeight: 80,
      transparentBackground: false, disableTwemoji: false,
    },
    limits, fonts, pageFaces, images: {},
  }
  const out = await renderer.render(job)
  return { warnings: out.warnings, image: decodePng(Buffer.from(out.png)) }
}

/** Pixels that differ by more than a few levels on any channel. */
function diff(a: ReturnType<typeof decodePng>, b: ReturnType<typeof decodePng>): number {
  if (a.width !== b.width || a.height !== b.height) return Infinity
  let n = 0
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const p = pixel(a, x, y)
      const q = pixel(b, x, y)
      if (p.some((v, i) => Math.abs(v - q[i]!) > 8)) n++
    }
  }
  return n
}

const page = (text: string, style = '') => `<p style="margin:0;font-size:40px;font-family:'Page Face', serif;${style}">${text}</p>`

t.test('a page face draws what the same file draws as a loaded family, not the bundled fonts', async (t) => {
  for (const [label, file] of [['WOFF2', MONO], ['WOFF', MONO_WOFF]] as const) {
    const html = page('Hello, fonts 123')
    const withFace = await render(html, [face(file)])
    const reference = await render(html, [], [extra(MONO)])
    const bundled = await render(html)
    t.same(withFace.warnings, [], `${label}: nothing reported`)
    t.equal(diff(withFace.image, reference.image), 0, `${label}: the same pixels as the file loaded like google_fonts`)
    t.ok(diff(withFace.image, bundled.image) > 500, `${label}: different glyphs from the bundled serif`)
  }
})

/** `img` with its rows moved down by `dy` (the rows uncovered at the top repeat the first). */
function shiftedDown(img: ReturnType<typeof decodePng>, dy: number): ReturnType<typeof decodePng> {
  const row = img.width * 4
  const out = new PNG({ width: img.width, height: img.height })
  for (let y = 0; y < img.height; y++) img.data.copy(out.data, y * row, Math.max(0, y - dy) * row, (Math.max(0, y - dy) + 1) * row)
  return out
}

t.test('unicode-range: a face limited to capitals draws only the capitals', async (t) => {
  const caps = face(MONO, { unicodeRange: 'U+0041-005A' })
  const upper = page('HELLO')
  const lower = page('hello')
  // The line's primary font is the first face whose range holds a space (CSS Fonts 4's "first
  // available font"): the serif, a pixel taller above the baseline than Roboto Mono at 40px.
  // Chromium draws the capitals in the face one pixel lower than with a face for everything
  // (ink rows 14–42 against 13–41, lines 55px against 53px; measured with the same files).
  t.equal(diff((await render(upper, [caps])).image, shiftedDown((await render(upper, [face(MONO)])).image, 1)), 0, 'capitals in the page face, on the serif\'s baseline')
  t.equal(diff((await render(lower, [caps])).image, (await render(lower)).image), 0, 'lower case falls to the next family (serif)')
  t.ok(diff((await render(lower, [caps])).image, (await render(lower, [face(MONO)])).image) > 300, 'and not to the face')

  // Two ranges of one family: each character finds its range before the next family.
  const split = [face(MONO, { unicodeRange: 'U+0041-005A' }), face(MONO, { unicodeRange: 'U+0061-007A', id: 'lower' })]
  const mixed = page('HelloWorld') // no space: U+0020 is in neither range, and would (rightly) come from the serif
  t.equal(diff((await render(mixed, split)).image, shiftedDown((await render(mixed, [face(MONO)])).image, 1)), 0, 'both ranges draw, as one face would (on the serif\'s baseline: no range holds the space)')
})

t.test('overlapping ranges: the face defined last is tried first, as CSS says', async (t) => {
  // A face for everything, then a later one overriding the capitals with another design.
  const serifBold = join(serifDir, 'noto-serif-latin-700-normal.woff2')
  const faces = [face(MONO), face(serifBold, { unicodeRange: 'U+0041-005A' })]
  t.equal(diff((await render(page('HELLO'), faces)).image, (await render(page('HELLO'), [face(serifBold)])).image), 0, 'capitals from the later face')
  t.equal(diff((await render(page('hello'), faces)).image, (await render(page('hello'), [face(MONO)])).image), 0, 'the rest from the earlier one')
})

t.test('weights: bold text takes the bold face, regular the regular one', async (t) => {
  const faces = [face(MONO), face(MONO_BOLD, { weight: [700, 700] })]
  const refs = [extra(MONO), extra(MONO_BOLD, 700)]
  for (const weight of [400, 700]) {
    const html = page('Weights', `font-weight:${weight}`)
    t.equal(diff((await render(html, faces)).image, (await render(html, [], refs)).image), 0, `${weight}`)
  }
  const bold = page('Weights', 'font-weight:700')
  t.ok(diff((await render(bold, faces)).image, (await render(page('Weights'), faces)).image) > 300, 'bold differs from regular')
  // A weight range (a variable face's `font-weight: 100 900`) serves every weight in it.
  const ranged = [face(MONO_BOLD, { weight: [100, 900] })]
  t.equal(diff((await render(page('Weights', 'font-weight:300'), ranged)).image, (await render(page('Weights', 'font-weight:300'), [], [extra(MONO_BOLD, 300)])).image), 0, 'a range covers 300')
})

t.test('a variable face draws each weight at its own instance, as Chromium sets its wght axis', async (t) => {
  // Unpatched by src/fonts/variable-weight.ts, satori drew the default instance (400) at every weight.
  const faces = [face(INTER_VAR, { weight: [100, 900] })]
  const ink = (image: ReturnType<typeof decodePng>) => {
    let n = 0
    for (let y = 0; y < image.height; y++) for (let x = 0; x < image.width; x++) if (pixel(image, x, y)[0]! < 128) n++
    return n
  }
  const at = async (weight: number) => ink((await render(page('Weights', `font-weight:${weight}`), faces)).image)
  const [light, regular, black] = [await at(300), await at(400), await at(900)]
  t.ok(light < regular && regular < black, `ink grows with the weight: 300 ${light}, 400 ${regular}, 900 ${black}`)
  t.ok(black > regular * 1.5, 'black is far heavier than regular')
  const out = await render(page('Weights', 'font-weight:700'), faces)
  t.same(out.warnings, [], 'no warning')
})

t.test('inline SVG text is outlined with the page face too', async (t) => {
  const svg = `<svg width="300" height="60" style="background:#fff"><text x="10" y="45" font-size="40" font-family="Page Face, serif">iiiiii</text></svg>`
  const withFace = await render(svg, [face(MONO)])
  const reference = await render(svg, [], [extra(MONO)])
  t.same(withFace.warnings, [])
  t.equal(diff(withFace.image, reference.image), 0, 'as with the file loaded like google_fonts')
  t.ok(diff(withFace.image, (await render(svg)).image) > 300, 'not the bundled serif')
})

t.test('a face that fails is named and the page renders with the bundled fonts', async (t) => {
  const html = page('Broken')
  const bundled = await render(html)
  const garbage = await render(html, [face(MONO, { data: Buffer.from('wOF2' + 'x'.repeat(100)), id: 'garbage' })])
  t.match(garbage.warnings, [/@font-face "Page Face" not loaded: WOFF2 does not decompress.*the bundled fonts were used/])
  t.equal(diff(garbage.image, bundled.image), 0, 'drawn as without the face')
  const outside = await render(html, [face(MONO, { unicodeRange: 'U+4E00-4E20' })])
  t.match(outside.warnings, [/not loaded: no character of its unicode-range is in the font/])
  const empty = await render(html, [face(MONO, { unicodeRange: 'nonsense' })])
  t.match(empty.warnings, [/its unicode-range "nonsense" names no character/])
})

t.test('a serif page face keeps the family name it was declared with, even one that has a stand-in', async (t) => {
  // "Georgia" is normally drawn with the bundled serif stand-in; a page that brings its own keeps it.
  const serifBold = join(serifDir, 'noto-serif-latin-700-normal.woff2')
  const html = `<p style="margin:0;font-size:40px;font-family:Georgia">Georgia</p>`
  const own = await render(html, [face(serifBold, { family: 'Georgia' })])
  const standIn = await render(html)
  t.ok(diff(own.image, standIn.image) > 300, 'the page face, not the stand-in')
})
