import t from 'tap'
import sharp from 'sharp'
import { build, decodePng, pixel, near, coverage } from '../../helper.js'

const CARD = '<div style="width:300px;height:120px;background:#1e90ff"></div>'

t.test('image endpoints through inject', async (t) => {
  const h = await build(t)
  await h.addUser('alice', 'alice-key-123')
  await h.addUser('bob', 'bob-key-1234')
  const auth = h.auth('alice', 'alice-key-123')
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: auth, ...headers }, payload: payload as object })

  let cardId = ''

  t.test("the router's own refusals answer in the API's error shape, with the request's id", async (t) => {
    // Fastify answered these before any hook: `{error: 'Bad Request', code: 'FST_ERR_…'}` with a
    // 414, no statusCode title to match, no x-request-id.
    const long = await h.app.inject({ url: `/v1/image/${'a'.repeat(150)}.png`, headers: { 'x-request-id': 'trace-123' } })
    t.equal(long.statusCode, 414)
    t.same(long.json(), { statusCode: 414, error: 'URI Too Long', message: 'A segment of the URL path is longer than 100 characters: no image or template id is that long' })
    t.equal(long.headers['x-request-id'], 'trace-123')
    const bad = await h.app.inject({ url: '/v1/image/%E0%A4%A.png' })
    t.equal(bad.statusCode, 400)
    t.match(bad.json(), { statusCode: 400, error: 'Bad Request', message: /not a valid url component/ })
    t.ok(bad.headers['x-request-id'])
  })

  t.test('create from JSON returns {url, id} and usage headers; GET returns the PNG', async (t) => {
    const res = await post({ html: CARD, device_scale: 1 })
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.same(Object.keys(body), ['url', 'id'])
    t.match(body.id, /^[0-9a-f-]{36}$/)
    t.equal(body.url, `http://localhost:80/v1/image/${body.id}`)
    t.equal(res.headers['x-renders-consumed'], '1')
    t.equal(res.headers['x-renders-used'], '1')
    t.equal(res.headers['x-renders-allowed'], '1000')
    t.equal(res.headers['access-control-allow-origin'], '*')
    cardId = body.id

    const img = await h.app.inject({ method: 'GET', url: `/v1/image/${body.id}` })
    t.equal(img.statusCode, 200)
    t.equal(img.headers['content-type'], 'image/png')
    t.match(img.headers['cache-control'], /max-age=31536000/)
    t.match(img.headers.etag, /^"[0-9a-f]{32}"$/)
    const png = decodePng(img.rawPayload)
    t.equal(png.width, 300, 'cropped to the element width')
    t.equal(png.height, 120, 'cropped to the element height')
    t.ok(coverage(png, [0x1e, 0x90, 0xff]) > 0.99, 'the box colour fills the image')
  })

  t.test('device_scale defaults to 2 like the hosted API', async (t) => {
    const res = await post({ html: CARD.replace('#1e90ff', '#ff0000') })
    const png = decodePng((await h.app.inject({ url: `/v1/image/${res.json().id}` })).rawPayload)
    t.equal(png.width, 600)
    t.equal(png.height, 240)
    t.ok(near(pixel(png, 300, 120), [255, 0, 0, 255]))
  })

  t.test('form-encoded bodies work, with string numbers and booleans', async (t) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/image',
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ html: CARD, css: 'div{background:#00ff00 !important}', device_scale: '1', transparent_background: 'false' }).toString(),
    })
    t.equal(res.statusCode, 200)
    const png = decodePng((await h.app.inject({ url: `/v1/image/${res.json().id}` })).rawPayload)
    t.ok(near(pixel(png, 150, 60), [0, 255, 0, 255]), 'the css parameter applies as an author stylesheet')
  })

  t.test('format changes only the URL extension; .jpg and .webp are converted', async (t) => {
    const res = await post({ html: CARD, device_scale: 1, format: 'webp' })
    t.match(res.json().url, /\.webp$/)
    const webp = await h.app.inject({ url: `/v1/image/${res.json().id}.webp` })
    t.equal(webp.headers['content-type'], 'image/webp')
    const meta = await sharp(webp.rawPayload).metadata()
    t.equal(meta.format, 'webp')
    t.equal(meta.width, 300)
    const jpg = await h.app.inject({ url: `/v1/image/${res.json().id}.jpg` })
    t.equal(jpg.headers['content-type'], 'image/jpeg')
    const { data, info } = await sharp(jpg.rawPayload).raw().toBuffer({ resolveWithObject: true })
    t.equal(info.width, 300)
    t.ok(near([data[0]!, data[1]!, data[2]!], [0x1e, 0x90, 0xff], 12), 'JPEG keeps the colour')
    const jpeg = await post({ html: CARD, device_scale: 1, format: 'JPEG' })
    t.match(jpeg.json().url, /\.jpg$/)
  })

  t.test('width/height resize the stored image; one of them keeps the aspect ratio', async (t) => {
    const one = await h.app.inject({ url: `/v1/image/${cardId}?width=150` })
    const png = decodePng(one.rawPayload)
    t.same([png.width, png.height], [150, 60])
    const both = decodePng((await h.app.inject({ url: `/v1/image/${cardId}.png?width=100&height=100` })).rawPayload)
    t.same([both.width, both.height], [100, 100])
    const tooBig = await h.app.inject({ url: `/v1/image/${cardId}?width=5001` })
    t.equal(tooBig.statusCode, 400)
    t.match(tooBig.json().message, /width must be an integer between 1 and 5000/)
    const dl = await h.app.inject({ url: `/v1/image/${cardId}?dl=1` })
    t.match(dl.headers['content-disposition'], /^attachment; filename="[0-9a-f-]+\.png"$/)
  })

  t.test('a matching ETag answers 304', async (t) => {
    const first = await h.app.inject({ url: `/v1/image/${cardId}` })
    const again = await h.app.inject({ url: `/v1/image/${cardId}`, headers: { 'if-none-match': first.headers.etag as string } })
    t.equal(again.statusCode, 304)
    t.equal(again.rawPayload.length, 0)
  })

  t.test('identical requests are deduplicated: same id, no credit', async (t) => {
    const html = '<p style="color:#123456">dedupe me</p>'
    const a = await post({ html, device_scale: 1 })
    const b = await post({ html, device_scale: 1, format: 'png' })
    t.equal(b.json().id, a.json().id)
    t.equal(b.headers['x-renders-consumed'], '0')
    t.equal(b.headers['x-renders-used'], a.headers['x-renders-used'])
    const fresh = await post({ html, device_scale: 1, dedupe_duration_s: 0 })
    t.not(fresh.json().id, a.json().id, 'dedupe_duration_s: 0 renders anew')
    const other = await h.app.inject({
      method: 'POST', url: '/v1/image', headers: { authorization: h.auth('bob', 'bob-key-1234') }, payload: { html, device_scale: 1 },
    })
    t.not(other.json().id, a.json().id, 'another user gets an image of their own')
    const burst = await Promise.all(Array.from({ length: 5 }, () => post({ html: '<p>burst</p>', device_scale: 1 })))
    t.equal(new Set(burst.map((r) => r.json().id)).size, 1, 'concurrent twins join one render')
    t.equal(burst.filter((r) => r.headers['x-renders-consumed'] === '1').length, 1, 'and are charged once')
  })

  t.test('a dedupe hit repeats the x-vellum-dropped-css header of the render it answers with', async (t) => {
    const payload = { html: '<p style="column-span:all; writing-mode:vertical-rl">dropped</p>', device_scale: 1 }
    const first = await post(payload)
    t.match(first.headers['x-vellum-dropped-css'], /column-span: all.*writing-mode: vertical-rl/)
    const hit = await post(payload)
    t.equal(hit.json().id, first.json().id)
    t.equal(hit.headers['x-renders-consumed'], '0')
    t.equal(hit.headers['x-vellum-dropped-css'], first.headers['x-vellum-dropped-css'])
    const clean = await post({ html: '<p>nothing dropped</p>', device_scale: 1 })
    t.equal((await post({ html: '<p>nothing dropped</p>', device_scale: 1 })).headers['x-vellum-dropped-css'], undefined)
    t.equal(clean.headers['x-vellum-dropped-css'], undefined)
  })

  t.test('delete: 202 with an empty body, then GET is 410; unknown ids are 404', async (t) => {
    const res = await post({ html: '<p>to delete</p>', device_scale: 1 })
    const id = res.json().id
    const del = await h.app.inject({ method: 'DELETE', url: `/v1/image/${id}`, headers: { authorization: auth } })
    t.equal(del.statusCode, 202)
    t.equal(del.body, '')
    const gone = await h.app.inject({ url: `/v1/image/${id}.png` })
    t.equal(gone.statusCode, 410)
    t.same(gone.json(), { statusCode: 410, error: 'Gone', message: 'This image has been deleted' })
    const again = await post({ html: '<p>to delete</p>', device_scale: 1 })
    t.not(again.json().id, id, 'a deleted image is never handed out by dedupe')
    const unknown = await h.app.inject({ url: '/v1/image/00000000-0000-4000-8000-000000000000' })
    t.equal(unknown.statusCode, 404)
    t.same(unknown.json(), { statusCode: 404, error: 'Not Found', message: 'Image not found' })
    const garbage = await h.app.inject({ url: '/v1/image/..%2F..%2Fetc%2Fpasswd' })
    t.equal(garbage.statusCode, 404)
    const notMine = await h.app.inject({ method: 'DELETE', url: `/v1/image/${cardId}`, headers: { authorization: h.auth('bob', 'bob-key-1234') } })
    t.equal(notMine.statusCode, 404, "another user's image cannot be deleted")
    const pdf = await h.app.inject({ url: `/v1/image/${cardId}.pdf` })
    t.equal(pdf.statusCode, 400)
    t.match(pdf.json().message, /PDF/)
  })

  t.test('batch create keeps order; batch delete removes them', async (t) => {
    const colours = ['#ff0000', '#00ff00', '#0000ff']
    const res = await h.app.inject({
      method: 'POST', url: '/v1/image/batch', headers: { authorization: auth },
      payload: {
        default_options: { device_scale: 1, css: 'div{width:40px;height:40px}' },
        variations: colours.map((c, i) => ({ html: `<div style="background:${c}"></div>`, ...(i === 2 ? { format: 'webp' } : {}) })),
      },
    })
    t.equal(res.statusCode, 200)
    const images = res.json().images as Array<{ url: string; id: string }>
    t.equal(images.length, 3)
    t.match(images[2]!.url, /\.webp$/)
    for (const [i, image] of images.entries()) {
      const png = decodePng((await h.app.inject({ url: `/v1/image/${image.id}` })).rawPayload)
      const rgb = [1, 3, 5].map((o) => parseInt(colours[i]!.slice(o, o + 2), 16))
      t.ok(near(pixel(png, 20, 20).slice(0, 3), rgb), `variation ${i} is in place`)
    }
    const tooMany = await h.app.inject({
      method: 'POST', url: '/v1/image/batch', headers: { authorization: auth },
      payload: { variations: Array.from({ length: 26 }, () => ({ html: '<p>x</p>' })) },
    })
    t.equal(tooMany.statusCode, 400)
    t.match(tooMany.json().message, /more than 25 images/)
    const badVariation = await h.app.inject({
      method: 'POST', url: '/v1/image/batch', headers: { authorization: auth },
      payload: { variations: [{ html: '<p>ok</p>' }, { html: '<p>x</p>', viewport_width: 9000 }] },
    })
    t.equal(badVariation.statusCode, 400)
    t.match(badVariation.json().message, /variations\[1\]\.viewport_width must be an integer between 1 and 6000/)
    const batch = (payload: object) => h.app.inject({ method: 'POST', url: '/v1/image/batch', headers: { authorization: auth }, payload })
    const ok = { html: '<p>ok</p>' }
    // Every 400 about one variation names it, whichever check raised it, in the single create's shape.
    const named: Array<[object, string, string]> = [
      [{ variations: [ok, ok, ok, { css: 'p{}' }] }, 'variations[3].html', 'variations[3].html: HTML is Required'],
      [{ variations: [ok, { url: 'https://example.com' }] }, 'variations[1].url', 'variations[1].url: This server renders HTML only'],
      [{ variations: [ok, { html: 'x'.repeat(600 * 1024) }] }, 'variations[1].html', 'variations[1].html is 614400 bytes; the limit is 524288 bytes (MAX_HTML_BYTES)'],
      [{ variations: [ok, { html: 5 }] }, 'variations[1].html', 'variations[1].html must be a string'],
      [{ variations: [ok, { html: 'x', google_fonts: ['Ro&x'] }] }, 'variations[1].google_fonts[0]', 'variations[1].google_fonts[0]: google_fonts entry "Ro&x"'],
      [{ variations: [ok, 'nope'] }, 'variations[1]', 'variations[1]: each variation must be an object'],
      [{ default_options: { device_scale: 9 }, variations: [ok] }, 'default_options.device_scale', 'default_options.device_scale must be a number between 0.1 and 3 (got 9)'],
    ]
    for (const [payload, path, message] of named) {
      const res = await batch(payload)
      t.equal(res.statusCode, 400, path)
      const body = res.json()
      t.match(body, { statusCode: 400, error: 'Bad Request' }, path)
      t.ok(body.message.startsWith(message), `${path}: ${body.message}`)
      t.equal(body.validation_errors[0].path, path)
      t.same(body.validationErrors, body.validation_errors)
    }
    const unknownInBatch = await batch({ variations: [{ template_id: 't-1' }] })
    t.equal(unknownInBatch.statusCode, 404)
    t.equal(unknownInBatch.json().validation_errors[0].path, 'variations[0].template_id')
    const del = await h.app.inject({ method: 'DELETE', url: '/v1/image/batch', headers: { authorization: auth }, payload: { ids: images.map((i) => i.id) } })
    t.equal(del.statusCode, 202)
    for (const image of images) t.equal((await h.app.inject({ url: `/v1/image/${image.id}` })).statusCode, 410)
    const badDelete = await h.app.inject({ method: 'DELETE', url: '/v1/image/batch', headers: { authorization: auth }, payload: { ids: 'nope' } })
    t.equal(badDelete.statusCode, 400)
  })

  t.test('bad input: clear 4xx in the API error shape', async (t) => {
    const cases: Array<[string, unknown, number, RegExp]> = [
      ['missing html', { css: 'p{}' }, 400, /^HTML is Required$/],
      ['empty html', { html: '   ' }, 400, /^HTML is Required$/],
      ['url screenshots', { url: 'https://example.com' }, 400, /renders HTML only/],
      ['device_scale range', { html: 'x', device_scale: 5 }, 400, /device_scale must be a number between 0.1 and 3 \(got 5\)/],
      ['device_scale type', { html: 'x', device_scale: 'big' }, 400, /device_scale must be a number between 0.1 and 3/],
      ['viewport range', { html: 'x', viewport_width: 0, viewport_height: 100 }, 400, /viewport_width must be an integer between 1 and 6000/],
      ['viewport fraction', { html: 'x', viewport_width: 10.5, viewport_height: 100 }, 400, /viewport_width must be an integer/],
      ['format', { html: 'x', format: 'gif' }, 400, /format must be one of png, jpg, jpeg, webp/],
      ['pdf', { html: 'x', format: 'pdf' }, 400, /pdf.*not supported/],
      ['html type', { html: 123 }, 400, /html must be a string/],
      ['boolean type', { html: 'x', transparent_background: 'maybe' }, 400, /transparent_background must be true or false/],
      ['google font name', { html: 'x', google_fonts: 'Roboto&text=x' }, 400, /google_fonts entry/],
      ['dedupe range', { html: 'x', dedupe_duration_s: -1 }, 400, /dedupe_duration_s must be an integer between 0 and 31536000/],
      ['array body', [1, 2], 400, /JSON object/],
      ['huge html', { html: 'x'.repeat(600 * 1024) }, 400, /html is 614400 bytes; the limit is 524288 bytes \(MAX_HTML_BYTES\)/],
      ['huge css', { html: 'x', css: 'p{}'.repeat(50000) }, 400, /css is 150000 bytes; the limit is 131072 bytes \(MAX_CSS_BYTES\)/],
    ]
    for (const [name, payload, status, message] of cases) {
      const res = await post(payload)
      t.equal(res.statusCode, status, name)
      const body = res.json()
      t.equal(body.statusCode, status, `${name}: statusCode`)
      t.equal(body.error, 'Bad Request', `${name}: error`)
      t.match(body.message, message, `${name}: message`)
    }
    // Templates are served (test/http/routes/templates.test.ts); an unknown one is a 404 naming it.
    const unknownTemplate = await post({ template_id: 't-1', template_values: {} })
    t.equal(unknownTemplate.statusCode, 404)
    t.match(unknownTemplate.json(), { error: 'Not Found', message: 'Template t-1 not found' })
    const validation = (await post({ html: 'x', device_scale: 5 })).json()
    t.same(validation.validation_errors, [{ path: 'device_scale', message: 'device_scale must be a number between 0.1 and 3 (got 5)' }])
    t.same(validation.validationErrors, validation.validation_errors)

    const broken = await post('{"html": "x",', { 'content-type': 'application/json' })
    t.equal(broken.statusCode, 400)
    t.match(broken.json().message, /not valid JSON/)
    for (const body of ['{"html":"x","template_values":{"__proto__":{"a":1}}}', '{"html":"x","constructor":{"prototype":{"a":1}}}']) {
      const proto = await post(body, { 'content-type': 'application/json' })
      t.equal(proto.statusCode, 400)
      t.equal(proto.json().message, 'The request body uses the key "__proto__" (or "constructor" holding "prototype"), which is refused: rename that key', 'valid JSON: said so, and the key named')
    }
    const empty = await h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: auth, 'content-type': 'application/json' } })
    t.equal(empty.statusCode, 400)
    const text = await post('html=x', { 'content-type': 'text/plain' })
    t.equal(text.statusCode, 415)
    t.match(text.json().message, /application\/json or application\/x-www-form-urlencoded/)
    const proto = await post('{"html":"x","__proto__":{"polluted":true}}', { 'content-type': 'application/json' })
    t.equal(proto.statusCode, 400)
    const route = await h.app.inject({ url: '/v2/nothing' })
    t.equal(route.statusCode, 404)
    t.same(route.json(), { statusCode: 404, error: 'Not Found', message: 'Route GET /v2/nothing not found' })
  })

  t.test('authentication: 401 in the seed shape, identical for unknown user and wrong key', async (t) => {
    const headers = [
      undefined,
      'Bearer abc',
      'Basic !!!',
      h.auth('alice', 'wrong-key'),
      h.auth('nobody', 'alice-key-123'),
      `Basic ${Buffer.from('alice').toString('base64')}`,
      h.auth('alice', 'x'.repeat(1000)),
    ]
    const bodies = new Set<string>()
    for (const authorization of headers) {
      const res = await h.app.inject({ method: 'POST', url: '/v1/image', headers: authorization ? { authorization } : {}, payload: { html: 'x' } })
      t.equal(res.statusCode, 401, String(authorization))
      t.match(res.headers['www-authenticate'], /^Basic/)
      bodies.add(res.body)
    }
    t.equal(bodies.size, 1, 'one body for every failure')
    t.same(JSON.parse([...bodies][0]!), {
      statusCode: 401, error: 'Unauthorized', message: 'Bad username or password', attributes: { error: 'Bad username or password' },
    })
    await h.container.users.revoke('bob', Date.now())
    const revoked = await h.app.inject({ method: 'GET', url: '/v1/usage', headers: { authorization: h.auth('bob', 'bob-key-1234') } })
    t.equal(revoked.statusCode, 401, 'a revoked key is refused')
  })

  t.test("other official clients' habits are accepted", async (t) => {
    // Ruby and .NET add ?includeId=true; Ruby sends a JSON content type on bodiless requests.
    const ruby = await h.app.inject({
      method: 'POST', url: '/v1/image?includeId=true',
      headers: { authorization: auth, 'content-type': 'application/json', 'user-agent': 'Ruby' },
      payload: JSON.stringify({ html: '<p>ruby</p>', google_fonts: null, device_scale: null, viewport_width: null }),
    })
    t.equal(ruby.statusCode, 200, 'explicit nulls mean defaults')
    t.same(Object.keys(ruby.json()), ['url', 'id'])
    const del = await h.app.inject({
      method: 'DELETE', url: `/v1/image/${ruby.json().id}`,
      headers: { authorization: auth, 'content-type': 'application/json' },
    })
    t.equal(del.statusCode, 202, 'DELETE with a JSON content type and no body')
    const usage = await h.app.inject({ url: '/v1/usage', headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' } })
    t.equal(usage.statusCode, 200, 'GET with a JSON content type and no body')
    const go = await h.app.inject({
      method: 'POST', url: '/v1/image',
      headers: { authorization: auth, accept: 'application/json', 'user-agent': 'HCTIGo/1.0' },
      payload: { html: '<p>go</p>', device_scale: 1.5, viewport_width: 400, viewport_height: 300, ms_delay: 500, render_when_ready: false, color_scheme: 'dark', timezone: 'Europe/Paris' },
    })
    t.equal(go.statusCode, 200, 'browser-only options are accepted and ignored')
    const png = decodePng((await h.app.inject({ url: `/v1/image/${go.json().id}` })).rawPayload)
    t.same([png.width, png.height], [600, 450])
    const formBatch = await h.app.inject({
      method: 'POST', url: '/v1/image', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'html=%3Cp%3Eform%3C%2Fp%3E&google_fonts=Roboto%7COpen+Sans&device_scale=1&format=jpg',
    })
    t.equal(formBatch.statusCode, 200)
    t.match(formBatch.json().url, /\.jpg$/)
  })

  t.test('usage in the hosted shape', async (t) => {
    const res = await h.app.inject({ url: '/v1/usage', headers: { authorization: auth } })
    t.equal(res.statusCode, 200)
    const body = res.json()
    const month = Object.entries(body.data.month)
    t.equal(month.length, 1)
    t.match(month[0]![0], /^\d{4}-\d{2}-01T00:00:00Z$/)
    const used = month[0]![1] as number
    t.ok(used > 5)
    t.equal(Object.values(body.data.day)[0], used)
    t.equal(Object.values(body.data.hour).reduce((a: number, b) => a + (b as number), 0), used)
    t.same(body.per_billing_period[0].total_images, used)
    t.match(body.per_billing_period[0].end, /^\d{4}-\d{2}-01T00:00:00Z$/)
  })

  t.test('health answers while the service runs', async (t) => {
    const res = await h.app.inject({ url: '/health' })
    t.equal(res.statusCode, 200)
    t.equal(res.json().status, 'ok')
  })
})
