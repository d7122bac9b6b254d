/** Fetch-time dpi and crop (§3.4): parsing with named errors, and the rectangle each query means. */
import t from 'tap'
import sharp from 'sharp'
import { parseFetchOptions, resolveCrop, type FetchOptionText } from '../../src/images/fetch-options.js'
import { build, decodePng, coverage } from '../helper.js'

const crop = (q: FetchOptionText, size = { width: 1000, height: 500 }) => resolveCrop(parseFetchOptions(q).crop!, size)

t.test('the rectangle a crop query means', async (t) => {
  t.same(crop({ x_1: '100', x_2: '300', y_1: '10%', y_2: '50%' }), { left: 100, top: 50, width: 200, height: 200 })
  t.same(crop({ x_1: '100px', crop_width: '50' }), { left: 100, top: 0, width: 50, height: 500 })
  t.same(crop({ crop_width: '200', x_origin: 'center' }), { left: 400, top: 0, width: 200, height: 500 })
  t.same(crop({ crop_height: '100', y_origin: 'end' }), { left: 0, top: 400, width: 1000, height: 100 })
  t.same(crop({ crop_w: '10%', crop_h: '20%' }), { left: 0, top: 0, width: 100, height: 100 }, 'legacy aliases')
  t.same(crop({ aspect_ratio: '1_1', x_origin: 'center' }), { left: 250, top: 0, width: 500, height: 500 }, 'the largest square, centred')
  t.same(crop({ aspect_ratio: '16_9' }), { left: 0, top: 0, width: 889, height: 500 })
  t.same(crop({ aspect_ratio: '2_1', crop_width: '400' }), { left: 0, top: 0, width: 400, height: 200 }, 'one axis given, the other computed')
  t.same(parseFetchOptions({}), { dpi: undefined })
  t.same(parseFetchOptions({ dpi: '300' }).dpi, 300)
})

t.test('bad values are named', async (t) => {
  const cases: Array<[FetchOptionText, RegExp]> = [
    [{ dpi: '10' }, /dpi must be an integer between 30 and 600/],
    [{ dpi: 'x' }, /dpi must be an integer/],
    [{ aspect_ratio: '16:9' }, /aspect_ratio must be W_H/],
    [{ x_2: '10' }, /x_2 needs x_1/],
    [{ x_1: '10', x_2: '5' }, /x_2 must be greater than x_1/],
    [{ x_1: '1.5' }, /x_1 must be a whole number of px or %/],
    [{ crop_width: '0' }, /crop_width must be greater than 0/],
    [{ crop_height: '150%' }, /crop_height in % must be between 1 and 100/],
    [{ x_origin: 'middle', crop_width: '5' }, /x_origin must be start, center or end/],
    [{ x_origin: 'center', x_1: '5' }, /x_origin cannot be combined with x_1/],
  ]
  for (const [q, message] of cases) t.throws(() => parseFetchOptions(q), { message }, JSON.stringify(q))
  t.throws(() => crop({ x_1: '900', crop_width: '200' }), { message: /the crop on x \(900…1100 px\) falls outside the image \(1000 px\)/ })
})

t.test('GET /v1/image/:id with crop, resize after crop, and dpi', async (t) => {
  const h = await build(t)
  await h.addUser('crop', 'crop-user-key')
  // Left half red, right half blue: 200×100.
  const html = '<div style="display:flex;width:200px;height:100px"><div style="width:100px;background:#ff0000"></div><div style="width:100px;background:#0000ff"></div></div>'
  const made = await h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: h.auth('crop', 'crop-user-key') }, payload: { html, device_scale: 1 } })
  const id = made.json().id as string
  const right = await h.app.inject({ url: `/v1/image/${id}?x_1=50%25&crop_width=100` })
  t.equal(right.statusCode, 200, right.body)
  const png = decodePng(right.rawPayload)
  t.same([png.width, png.height], [100, 100])
  t.ok(coverage(png, [0, 0, 255]) > 0.99, 'the right half')
  const square = decodePng((await h.app.inject({ url: `/v1/image/${id}?aspect_ratio=1_1&width=20` })).rawPayload)
  t.same([square.width, square.height], [20, 20], 'cropped to a square, then resized')
  t.ok(coverage(square, [255, 0, 0]) > 0.99, 'from the start (left)')
  const dense = await h.app.inject({ url: `/v1/image/${id}.jpg?dpi=300` })
  t.equal((await sharp(dense.rawPayload).metadata()).density, 300)
  const bad = await h.app.inject({ url: `/v1/image/${id}?x_1=150&crop_width=100` })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /falls outside the image \(200 px\)/)
  t.not(right.headers.etag, (await h.app.inject({ url: `/v1/image/${id}` })).headers.etag, 'each variant has its own ETag')
})
