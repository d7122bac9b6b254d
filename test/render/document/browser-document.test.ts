/**
 * The browser-faithful document, in-process through the real pipeline: tables, pseudo-element
 * selectors, canvas background, font stand-ins, Twemoji, dropped CSS, remote images handed in
 * by the API process, and the Google Fonts a page links to. Checked on decoded pixels.
 */
import t from 'tap'
import sharp from 'sharp'
import { createRenderer } from '../../../src/render/pipeline.js'
import type { RenderJob } from '../../../src/render/job.js'
import type { RenderParams } from '../../../src/http/schemas/create-image.js'
import { pageGoogleFonts } from '../../../src/fonts/page-fonts.js'
import { rewriteFontFamily } from '../../../src/fonts/font-aliases.js'
import { decodePng, pixel, near, coverage } from '../../helper.js'

const limits = {
  elements: 5000, depth: 200, outputPixels: 36_000_000, imagePixels: 25_000_000, imagesPerRender: 40,
  shadowBlurPx: 64, shadowSpreadPx: 128, shadows: 100,
}
const renderer = createRenderer()
const render = async (html: string, p: Partial<RenderParams> = {}, images: Record<string, string> = {}) => {
  const job: RenderJob = {
    params: {
      html, css: '', googleFonts: [], selector: undefined, deviceScale: 1, viewportWidth: undefined, viewportHeight: undefined,
      transparentBackground: false, disableTwemoji: false, ...p,
    },
    limits, fonts: [], images,
  }
  const out = await renderer.render(job)
  return { ...out, image: decodePng(Buffer.from(out.png)) }
}

t.test('tables render as rows and columns sized from their content', async (t) => {
  const out = await render(
    '<table><tr><td class="a">x</td><td class="b">a much longer cell</td></tr><tr><td class="b">y</td><td class="a">z</td></tr></table>',
    { css: 'table { border-collapse: collapse } td { padding: 0; height: 20px } .a { background: #f00 } .b { background: #00f }' },
  )
  const img = out.image
  t.ok(out.width > 100, 'the second column is as wide as its longest cell')
  t.ok(near(pixel(img, 2, 5), [255, 0, 0, 255]), 'row 1, column 1 is red')
  t.ok(near(pixel(img, img.width - 2, 5), [0, 0, 255, 255]), 'row 1, column 2 is blue')
  t.ok(near(pixel(img, 2, 25), [0, 0, 255, 255]), 'row 2, column 1 is blue')
  t.ok(near(pixel(img, img.width - 2, 25), [255, 0, 0, 255]), 'row 2, column 2 is red')
})

t.test('::before selectors and display:table* in author CSS do not throw', async (t) => {
  const out = await render('<div class="x">a</div><div class="t"><div class="c">b</div></div>', {
    css: '.x::before { content: "»"; color: red } .t { display: table } .c { display: table-cell; vertical-align: middle }',
  })
  t.ok(out.width > 0)
})

t.test('body background paints the whole canvas; transparent_background keeps only that', async (t) => {
  const page = await render('<p>hi</p>', { css: 'body { background: #0f0 }', viewportWidth: 200, viewportHeight: 100 })
  t.ok(coverage(page.image, [0, 255, 0]) > 0.9, 'green everywhere but the text')
  t.ok(near(pixel(page.image, 1, 1), [0, 255, 0, 255]), 'including the body margin')
  const clear = await render('<div style="width:10px;height:10px;margin:5px;background:#f00"></div>', { transparentBackground: true })
  t.equal(pixel(clear.image, 1, 1)[3], 0, 'the margin is transparent')
})

t.test('stand-in families draw the bundled fonts', async (t) => {
  t.equal(rewriteFontFamily('Helvetica Neue, Arial, sans-serif'), '"Roboto"'.replace(/"/g, ''))
  t.equal(rewriteFontFamily("'Open Sans', serif", new Set(['open sans'])), '"Open Sans", "Noto Serif"')
  const arial = await render('<p style="font: 30px Arial; margin: 0">Vellum</p>')
  const roboto = await render('<p style="font: 30px Roboto; margin: 0">Vellum</p>')
  t.same(Buffer.from(arial.png), Buffer.from(roboto.png), 'Arial draws exactly as Roboto')
})

t.test('emoji are Twemoji unless disable_twemoji', async (t) => {
  const red = (img: ReturnType<typeof decodePng>) => coverage(img, [221, 46, 68], undefined, 40)
  const on = await render('<p style="font-size:40px;margin:0;display:inline-block">❤️</p>')
  const off = await render('<p style="font-size:40px;margin:0;display:inline-block">❤️</p>', { disableTwemoji: true })
  t.ok(red(on.image) > 0.05, 'a red Twemoji heart')
  t.equal(red(off.image), 0, 'no Twemoji with disable_twemoji')
})

t.test('unsupported CSS is dropped and reported, never fatal', async (t) => {
  const out = await render('<div class="c">text</div>', { css: '.c { column-rule: 1px solid red; writing-mode: vertical-rl }' })
  t.match(out.warnings, [/column-rule: 1px solid red/, /writing-mode: vertical-rl/])
})

t.test('remote images: the bytes the API process fetched are drawn; a failed one is an empty box', async (t) => {
  const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#00f' } }).png().toBuffer()
  const url = 'https://img.example.com/a.png'
  const ok = await render(`<img src="${url}" width="40" height="40" style="display:block">`, {}, {
    [url]: `data:image/png;base64,${png.toString('base64')}`,
  })
  t.same([ok.width, ok.height], [40, 40])
  t.ok(coverage(ok.image, [0, 0, 255]) > 0.95)
  const broken = await render(`<img src="${url}" width="40" height="30" style="display:block">`)
  t.same([broken.width, broken.height], [40, 30], 'a broken image keeps its declared box')
  t.ok(coverage(broken.image, [255, 255, 255]) > 0.99, 'and draws nothing')
})

t.test('Google Fonts linked or imported by the page are found', async (t) => {
  t.same(
    pageGoogleFonts(
      '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter:wght@400;700&amp;family=Lobster&amp;display=swap">',
      "@import url('https://fonts.googleapis.com/css2?family=Playfair+Display:ital,wght@1,900');",
    ),
    ['Inter:400,700', 'Lobster', 'Playfair Display:900'],
  )
})
