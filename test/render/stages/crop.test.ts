/** The crop rectangle's pixel size: within MAX_OUTPUT_PIXELS, and at least one pixel each way. */
import t from 'tap'
import { assertPixelBudget } from '../../../src/render/stages/crop.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { AppError } from '../../../src/errors/catalogue.js'

t.test('a viewport under one pixel at its device_scale is a 400 on device_scale, not resvg\'s "Target size is zero"', async (t) => {
  t.same(assertPixelBudget({ x: 0, y: 0, width: 5, height: 25 }, 0.1, 1e6), { width: 1, height: 3 }, '0.5 rounds up to a pixel, as resvg rounds')
  t.throws(() => assertPixelBudget({ x: 0, y: 0, width: 1, height: 40 }, 0.1, 1e6), {
    name: 'AppError',
    issues: [{ path: 'device_scale', message: 'device_scale 0.1 makes the 1×40 CSS px image less than one pixel wide or high; raise device_scale or the viewport size' }],
  })
  t.throws(() => assertPixelBudget({ x: 0, y: 0, width: 2000, height: 2000 }, 3, 1e6), { code: 'RENDER_TOO_LARGE' })

  // Through the whole render: it reached resvg, which answered a 422 "The render failed".
  const renderer = createRenderer()
  const job = {
    params: { html: '<p>x</p>', css: '', googleFonts: [], selector: undefined, deviceScale: 0.1, viewportWidth: 1, viewportHeight: 1, transparentBackground: false, disableTwemoji: false },
    limits: { elements: 100, depth: 20, outputPixels: 1e6, imagePixels: 1, imagesPerRender: 0, shadowBlurPx: 0, shadowSpreadPx: 0, shadows: 0 },
    fonts: [],
    images: {},
  }
  const err = await renderer.render(job).then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof AppError)
  t.match(err, { status: 400, issues: [{ path: 'device_scale' }] })
})

t.test("a snippet's crop measures its cards' margins from the body's content box, not its padding", async (t) => {
  const { renderJob, decodePng, pixel } = await import('../../helper.js')
  const renderer = createRenderer()
  const size = async (html: string, css = '') => {
    const png = decodePng(Buffer.from((await renderer.render(renderJob(html, { css, viewportWidth: undefined, viewportHeight: undefined, deviceScale: 1 }))).png))
    return { width: png.width, height: png.height, png }
  }
  const card = '<div class="card" style="width:200px;height:60px;background:#4f46e5"></div>'
  // Chromium's crop of these: the card's margin box across, the body's box down.
  t.match(await size(card, 'body{margin:0;padding:16px}'), { width: 200, height: 92 }, 'padding on every side: 200 × 92, not 232 × 92')
  t.match(await size(card, 'body{margin:0;padding:1rem 2em}'), { width: 200, height: 92 }, 'rem and em')
  t.match(await size(card, 'body{margin:0;padding:10px;padding-left:30px}'), { width: 200, height: 80 }, 'a longhand after the shorthand')
  t.match(await size(card, '*,::before,::after{border-width:0;border-style:solid} body{margin:0;padding:24px}'), { width: 200, height: 108 }, "Tailwind's border-width: 0 reset is no border")
  t.match(await size(card.replace('width:200px;', 'width:200px;margin:0 10px;'), 'body{margin:0;padding:16px}'), { width: 220, height: 92 }, "the card's own margins still count")
  const { png } = await size(card, 'body{margin:0;padding:16px}')
  t.same(pixel(png, 0, 50).slice(0, 3), [0x4f, 0x46, 0xe5], 'the card starts at the left edge')
  // What cannot be known for certain is measured from the border box, as before.
  t.match(await size(card, 'body{margin:0;padding:calc(8px + 8px)}'), { width: 232 }, 'calc(): as before')
  t.match(await size(card, 'body{margin:0;padding:16px;border:2px solid red}'), { width: 236 }, 'a border: as before')
})
