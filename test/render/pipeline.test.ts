/**
 * The render pipeline in-process: pixels of what it draws for the cases the HTTP layer relies
 * on (spaces between inline elements, entities, canvas colour, sizing, scale, selector).
 */
import t from 'tap'
import { createRenderer } from '../../src/render/pipeline.js'
import type { RenderJob } from '../../src/render/job.js'
import type { RenderParams } from '../../src/http/schemas/create-image.js'
import { decodePng, pixel, near, coverage } from '../helper.js'

const limits = {
  elements: 5000, depth: 200, outputPixels: 36_000_000, imagePixels: 25_000_000, imagesPerRender: 40,
  shadowBlurPx: 64, shadowSpreadPx: 128, shadows: 100,
}
const job = (html: string, p: Partial<RenderParams> = {}): RenderJob => ({
  params: {
    html, css: '', googleFonts: [], selector: undefined, deviceScale: 1, viewportWidth: undefined, viewportHeight: undefined,
    transparentBackground: false, disableTwemoji: false, ...p,
  },
  limits, fonts: [], images: {},
})

const renderer = createRenderer()
const render = async (html: string, p: Partial<RenderParams> = {}) => {
  const out = await renderer.render(job(html, p))
  return { ...out, image: decodePng(Buffer.from(out.png)) }
}

/** Columns [from, to) of the image that contain any dark pixel: where ink is. */
function inkColumns(img: ReturnType<typeof decodePng>): number[] {
  const cols: number[] = []
  for (let x = 0; x < img.width; x++) {
    for (let y = 0; y < img.height; y++) {
      const [r, g, b] = pixel(img, x, y)
      if (r + g + b < 384) {
        cols.push(x)
        break
      }
    }
  }
  return cols
}

/** Widest run of ink-free columns between the first and last ink: the gaps between words. */
function gaps(img: ReturnType<typeof decodePng>): number[] {
  const cols = inkColumns(img)
  const out: number[] = []
  for (let i = 1; i < cols.length; i++) if (cols[i]! - cols[i - 1]! > 1) out.push(cols[i]! - cols[i - 1]! - 1)
  return out
}

t.test('spaces between inline elements survive, like a browser', async (t) => {
  const spaced = await render('<span style="font-size:40px">A <b>B</b> C</span>')
  const tight = await render('<span style="font-size:40px">A<b>B</b>C</span>')
  const wideGaps = gaps(spaced.image).filter((g) => g >= 6)
  t.equal(wideGaps.length, 2, 'two word gaps with spaces')
  t.equal(gaps(tight.image).filter((g) => g >= 6).length, 0, 'none without')
  t.ok(spaced.width > tight.width, 'spaces take room')
})

t.test('satori-html (the stock HTML step) loses those spaces: why we replaced it', async (t) => {
  const { html } = await import('satori-html')
  const tree = html('<span>A <b>B</b> C</span>') as unknown as { props: { children: Array<{ props: { children: unknown[] } }> } }
  const texts = JSON.stringify(tree)
  t.notMatch(texts, /"A "/, 'satori-html trims the text before <b>')
  const entity = JSON.stringify(html('<p>Fish &amp; chips</p>'))
  t.match(entity, /&amp;/, 'and leaves entities encoded')
})

t.test('entities are decoded', async (t) => {
  const amp = await render('<span style="font-size:40px">&amp;</span>')
  const literal = await render('<span style="font-size:40px">&amp;amp;</span>')
  t.ok(literal.width > amp.width * 2, '&amp; draws one glyph, &amp;amp; draws five')
})

t.test('canvas is white unless transparent_background', async (t) => {
  const white = await render('<div style="width:20px;height:20px;margin:10px"></div>')
  t.same([white.width, white.height], [40, 40], 'the crop includes the element margins')
  t.ok(near(pixel(white.image, 1, 1), [255, 255, 255, 255]))
  const clear = await render('<div style="width:20px;height:20px"></div>', { transparentBackground: true })
  t.equal(pixel(clear.image, 5, 5)[3], 0, 'alpha is 0')
})

t.test('device_scale multiplies pixels, not layout', async (t) => {
  const one = await render('<div style="width:50px;height:30px;background:#00f"></div>')
  const two = await render('<div style="width:50px;height:30px;background:#00f"></div>', { deviceScale: 2 })
  t.same([one.width, one.height], [50, 30])
  t.same([two.width, two.height], [100, 60])
  t.ok(coverage(two.image, [0, 0, 255]) > 0.99)
})

t.test('viewport renders the whole viewport; selector crops to the element', async (t) => {
  const vp = await render('<div style="width:50px;height:30px;background:#f00"></div>', { viewportWidth: 300, viewportHeight: 200 })
  t.same([vp.width, vp.height], [300, 200])
  t.ok(near(pixel(vp.image, 8 + 25, 8 + 15), [255, 0, 0, 255]), 'body margin of 8px, as in a browser')
  t.ok(near(pixel(vp.image, 200, 150), [255, 255, 255, 255]))
  const sel = await render('<div><p>intro</p><div id="card" style="width:80px;height:40px;background:#0f0"></div></div>', { selector: '#card' })
  t.same([sel.width, sel.height], [80, 40])
  t.ok(coverage(sel.image, [0, 255, 0]) > 0.99)
})

t.test('a whole document renders the default 1920×1080 viewport', async (t) => {
  const page = await render('<html><body style="margin:0;background:#ff0"><p>hi</p></body></html>', { deviceScale: 0.25 })
  t.same([page.width, page.height], [480, 270])
})

t.test('stylesheets from <style>, the css parameter and the user-agent sheet all apply', async (t) => {
  const out = await render('<style>.x{width:40px;height:40px;background:#f00}</style><div class="x"></div>', {
    css: '.x{background:#00f}',
  })
  t.ok(coverage(out.image, [0, 0, 255]) > 0.99, 'the css parameter comes last in the cascade')
  const h1 = await render('<h1 style="margin:0">Title</h1>')
  const p = await render('<p style="margin:0">Title</p>')
  t.ok(h1.height > p.height * 1.5, 'h1 is 2em by the user-agent sheet')
})

t.test('a NUL in the css parameter is U+FFFD, as CSS reads it: the declaration is invalid, the render goes on', async (t) => {
  // It reached the SVG as a NUL and resvg refused the document (a 422 for the whole render).
  const out = await render('<p style="margin:0;font-size:40px">Hi</p>', { css: 'p{color:red\u0000} p{background:#00f}' })
  t.ok(coverage(out.image, [0, 0, 255]) > 0.5, 'the rest of the css applies')
  t.equal(coverage(out.image, [255, 0, 0]), 0, 'red\uFFFD is not a colour: the text is drawn in the default black')
})

t.test('an embedded image in a format resvg cannot draw, left as written (the API could not decode it), is a broken image', async (t) => {
  // satori read the garbage WebP header and failed the whole render ("Invalid WebP").
  const garbage = Buffer.from('RIFF\x20\x00\x00\x00WEBPVP8 \x00\x00\x00\x00\x9d\x01\x2a\x14\x00\x14\x00', 'latin1').toString('base64')
  const out = await render(`<div style="display:flex;width:60px;height:20px;background:#00f"><img src="data:image/webp;base64,${garbage}" width="20" height="20"></div>`)
  t.same([out.image.width, out.image.height], [60, 20])
  t.ok(coverage(out.image, [0, 0, 255]) > 0.99, 'the box is drawn, the image is not')
})

t.test('costly shadows are clamped and reported, the render still succeeds', async (t) => {
  const out = await render('<div style="width:40px;height:40px;box-shadow:0 0 1000px 500px red"></div>')
  t.match(out.warnings, [/blur 1000px clamped to 64px/, /spread 500px clamped to 128px/])
  t.same([out.width, out.height], [40, 40])
})

t.test('characters no font draws are named in the warnings; drawn scripts are not', async (t) => {
  const runic = await render('<p>Runes: ᚠᚢᚦ and 中文</p>')
  const named = runic.warnings.filter((w) => w.includes('missing-glyph'))
  t.equal(named.length, 1, runic.warnings.join('\n'))
  t.match(named[0], /"ᚠ" U\+16A0, "ᚢ" U\+16A2, "ᚦ" U\+16A6/)
  t.notMatch(named[0], /中|U\+4E2D/, 'Chinese has a font')
  for (const html of ['<p>Crème brûlée — “ok”</p>', '<div lang="ja">日本語 한국어 中文</div>', '<p dir="rtl">שלום עולם · مرحبا بالعالم · नमस्ते · สวัสดี</p>']) {
    const out = await render(html)
    t.same(out.warnings.filter((w) => w.includes('missing-glyph')), [], html)
  }
  const emoji = await render('<p>new \u{1FAE9}, known 😀</p>')
  t.same(emoji.warnings, ['emoji "\u{1FAE9}" not drawn: the bundled Twemoji has no picture for it'], 'an emoji newer than the bundled Twemoji')
  t.same((await render('<p>A 😀 B</p>', { disableTwemoji: true })).warnings, ['no bundled font draws "😀" U+1F600 (drawn as missing-glyph boxes)'], 'with disable_twemoji: a box')
})
