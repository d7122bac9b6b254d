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
