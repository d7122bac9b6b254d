/**
 * Variants on fetch: the size of a resized image is bounded as a whole (not only the side the
 * query names), and a format that cannot hold the image answers a clear 4xx instead of sharp's
 * exception. Checked on decoded images and on the API's error bodies.
 */
import t from 'tap'
import sharp from 'sharp'
import { randomUUID } from 'node:crypto'
import type { AppError } from '../../src/errors/catalogue.js'
import { checkVariant, variantSize } from '../../src/images/variants.js'
import { build, type TestApp } from '../helper.js'

t.test('the computed size is the one sharp produces', async (t) => {
  const source = await sharp({ create: { width: 37, height: 101, channels: 3, background: '#fff' } }).png().toBuffer()
  for (const req of [{ width: 13 }, { width: 500 }, { height: 7 }, { height: 333 }, { width: 20, height: 90 }]) {
    const { info } = await sharp(source)
      .resize({ ...req, fit: 'width' in req && 'height' in req ? 'cover' : 'inside' })
      .toBuffer({ resolveWithObject: true })
    const size = variantSize({ width: 37, height: 101 }, { format: 'png', width: undefined, height: undefined, ...req })
    t.same(size, { width: info.width, height: info.height }, JSON.stringify(req))
  }
})

t.test('limits: output pixels (400) and each format\'s side (422)', async (t) => {
  const limits = { outputPixels: 36_000_000 }
  const tall = { width: 30, height: 18000 }
  const err = t.throws(() => checkVariant(tall, { format: 'png', width: 5000, height: undefined }, limits)) as AppError
  t.equal(err.status, 400)
  t.same(err.toBody(), {
    statusCode: 400,
    error: 'Bad Request',
    message: 'width=5000 makes this 30×18000 image 5000×3000000 (15000.0 MP); the limit is 36.0 MP (MAX_OUTPUT_PIXELS)',
    validation_errors: [{ path: 'width', message: 'width=5000 makes this 30×18000 image 5000×3000000 (15000.0 MP); the limit is 36.0 MP (MAX_OUTPUT_PIXELS)' }],
    validationErrors: [{ path: 'width', message: 'width=5000 makes this 30×18000 image 5000×3000000 (15000.0 MP); the limit is 36.0 MP (MAX_OUTPUT_PIXELS)' }],
  })
  t.throws(() => checkVariant({ width: 18000, height: 30 }, { format: 'png', width: undefined, height: 5000 }, limits), { message: /^height=5000 makes/ })
  t.throws(() => checkVariant(tall, { format: 'png', width: 5000, height: 5000 }, { outputPixels: 1_000_000 }), { message: /^width=5000&height=5000 makes/ })
  t.throws(() => checkVariant(tall, { format: 'webp', width: undefined, height: undefined }, limits), { status: 422, message: /WebP allows at most 16383 px per side/ })
  t.throws(() => checkVariant({ width: 8, height: 70000 }, { format: 'jpg', width: undefined, height: undefined }, limits), { status: 422, message: /JPEG allows at most 65535 px per side/ })
  t.doesNotThrow(() => checkVariant(tall, { format: 'jpeg', width: undefined, height: undefined }, limits))
  t.doesNotThrow(() => checkVariant(tall, { format: 'webp', width: 20, height: undefined }, limits), '20×12000 fits WebP (no MAX_RESIZE_SIDE given)')
  t.doesNotThrow(() => checkVariant({ width: 8, height: 70000 }, { format: 'png', width: undefined, height: undefined }, limits), 'PNG has no such limit')
})

/** Stores a PNG as if rendered, so sizes no render would allow quickly can be fetched. */
async function store(h: TestApp, width: number, height: number): Promise<string> {
  const png = await sharp({ create: { width, height, channels: 3, background: '#1e90ff' } }).png().toBuffer()
  const id = randomUUID()
  await h.addUser(`u-${id}`, 'variant-key-123')
  await h.container.store.images.commit({
    userId: `u-${id}`,
    limit: 1000,
    now: Date.now(),
    images: [{ record: { id, userId: `u-${id}`, requestHash: id, width, height, bytes: png.byteLength, etag: id.slice(0, 32), params: '{}', warnings: '[]', createdAt: Date.now() }, png }],
  })
  return id
}

t.test('through the API: clear 4xx, never a 500 or a runaway resize', async (t) => {
  const h = await build(t, { VARIANT_CONCURRENCY: 1 })
  const tall = await store(h, 30, 18000)

  const huge = await h.app.inject({ url: `/v1/image/${tall}?width=5000` })
  t.equal(huge.statusCode, 400)
  t.match(huge.json(), { statusCode: 400, error: 'Bad Request', message: /^width=5000 makes this 30×18000 image 5000×3000000 .*MAX_OUTPUT_PIXELS/ })

  const webp = await h.app.inject({ url: `/v1/image/${tall}.webp` })
  t.equal(webp.statusCode, 422)
  t.same(webp.json(), {
    statusCode: 422,
    error: 'Unprocessable Entity',
    message: 'This image would be 30×18000 px as WebP; WebP allows at most 16383 px per side. Fetch it as .png, or ask for a smaller ?width= or ?height=',
  })

  const jpegTall = await store(h, 2, 70000)
  const jpg = await h.app.inject({ url: `/v1/image/${jpegTall}.jpg` })
  t.equal(jpg.statusCode, 422)
  t.match(jpg.json().message, /2×70000 px as JPEG; JPEG allows at most 65535 px per side/)

  // Within the limits, every variant is built, several asked at once through one build slot.
  const [small, asJpeg, asPng] = await Promise.all([
    h.app.inject({ url: `/v1/image/${tall}.webp?width=8` }),
    h.app.inject({ url: `/v1/image/${tall}.jpg?height=900` }),
    h.app.inject({ url: `/v1/image/${jpegTall}.png?height=4000` }),
  ])
  t.same([small, asJpeg, asPng].map((r) => r.statusCode), [200, 200, 200], [small, asJpeg, asPng].map((r) => r.statusCode === 200 ? '' : r.body).join())
  t.same(await dims(small.rawPayload), ['webp', 8, 4800])
  const tooTall = await h.app.inject({ url: `/v1/image/${tall}.webp?width=20` })
  t.equal(tooTall.statusCode, 400, '20×12000 passes MAX_RESIZE_SIDE on the derived side')
  t.match(tooTall.json().message, /MAX_RESIZE_SIDE/)
  t.same(await dims(asJpeg.rawPayload), ['jpeg', 2, 900])
  t.same(await dims(asPng.rawPayload), ['png', 1, 4000])
})

async function dims(bytes: Buffer) {
  const m = await sharp(bytes).metadata()
  return [m.format, m.width, m.height]
}

t.test('MAX_RESIZE_SIDE holds for the side that follows the aspect ratio too', async (t) => {
  const limits = { outputPixels: 36_000_000, resizeSide: 5000 }
  const err = t.throws(() => checkVariant({ width: 100, height: 4000 }, { format: 'png', width: 150, height: undefined }, limits)) as AppError
  t.equal(err.status, 400)
  t.match(err.toBody(), { validation_errors: [{ path: 'width', message: 'width=150 makes this 100×4000 image 150×6000; each side may be at most 5000 px (MAX_RESIZE_SIDE)' }] })
  t.doesNotThrow(() => checkVariant({ width: 100, height: 4000 }, { format: 'png', width: 120, height: undefined }, limits), '120×4800 fits')
  t.doesNotThrow(() => checkVariant({ width: 100, height: 9000 }, { format: 'png', width: undefined, height: undefined }, limits), 'no resize asked: the stored size is served')
})
