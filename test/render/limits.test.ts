/**
 * Every limit that keeps one request from hurting the service, end to end through HTTP: each
 * answers a clear 4xx (or a fast 503 for a full queue) and leaves the service working.
 */
import t from 'tap'
import { crc32 } from 'node:zlib'
import { build } from '../helper.js'
import { alive, renderWorkerPids as workerPids } from '../processes.js'

/** A PNG whose header declares width×height pixels; the data is never valid, only the header is read. */
function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 6, 0, 0, 0], 8)
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(td))
    return Buffer.concat([len, td, crc])
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.alloc(64)), chunk('IEND', Buffer.alloc(0))])
}

t.test('limits answer 4xx naming the limit, and the service keeps working', async (t) => {
  const h = await build(t, { MAX_ELEMENTS: 300, MAX_DEPTH: 50, MAX_OUTPUT_PIXELS: 4_000_000, BODY_LIMIT_BYTES: 200_000, MAX_IMAGE_PIXELS: 1_000_000, MAX_SVG_TEXT_CHARS: 2000 })
  await h.addUser('lim', 'limits-key-1', 10_000)
  const post = (payload: object) =>
    h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: h.auth('lim', 'limits-key-1') }, payload })

  const cases: Array<[string, object, number, RegExp]> = [
    ['too many elements', { html: '<i></i>'.repeat(301) }, 422, /more than 300 elements \(MAX_ELEMENTS\)/],
    ['too deep', { html: '<div>'.repeat(60) }, 422, /more than 50 levels deep \(MAX_DEPTH\)/],
    // Deep enough to overflow a recursive walk: the limit is still what answers.
    ['far too deep, with a selector', { html: '<div>'.repeat(20_000), selector: 'div' }, 422, /more than 50 levels deep \(MAX_DEPTH\)/],
    ['too many pixels', { html: '<p>x</p>', viewport_width: 2000, viewport_height: 2000, device_scale: 2 }, 422, /4000×4000 pixels .* limit is 4000000 pixels \(MAX_OUTPUT_PIXELS\)/],
    ['image bomb', { html: `<img src="data:image/png;base64,${pngDeclaring(20000, 20000).toString('base64')}" width="100" height="100">` }, 422, /20000×20000 \(400\.0 MP\); the limit is 1\.0 MP per image \(MAX_IMAGE_PIXELS\)/],
    ['image bomb in CSS', { html: '<div class="b"></div>', css: `.b{width:10px;height:10px;background-image:url(data:image/png;base64,${pngDeclaring(5000, 5000).toString('base64')})}` }, 422, /MAX_IMAGE_PIXELS/],
    // Under MAX_HTML_BYTES, but satori would need ~25 GB for one text block this long: refused before layout.
    ['text too long to lay out', { html: `<p>${'lorem ipsum '.repeat(12_500)}</p>` }, 422, /to lay out \(a text of 150,000 characters in one block.*\(RENDER_BUDGET_MB/],
    // Outlined at ~35 µs a character: refused before any is shaped, inline or in an SVG image.
    ['too much SVG text', { html: `<svg width="400" height="40"><text x="0" y="20">${'x'.repeat(1500)}</text><text y="30">${'y'.repeat(600)}</text></svg>` }, 422, /more than 2,000 characters of SVG text \(MAX_SVG_TEXT_CHARS\)/],
    ['too much text in an SVG image', { html: `<img width="40" height="20" src="data:image/svg+xml;base64,${Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><text y="10">${'z'.repeat(2100)}</text></svg>`).toString('base64')}">` }, 422, /MAX_SVG_TEXT_CHARS/],
    ['bad selector', { html: '<p>x</p>', selector: 'p[' }, 400, /selector "p\[" is not a valid CSS selector/],
    ['selector without match', { html: '<p>x</p>', selector: '#missing' }, 400, /matched no element/],
  ]
  for (const [name, payload, status, message] of cases) {
    const res = await post(payload)
    t.equal(res.statusCode, status, name)
    t.match(res.json(), { statusCode: status, message }, name)
  }
  // Found in the render worker, reported like a schema error: the field is named.
  t.match((await post({ html: '<p>x</p>', selector: '#missing' })).json(), {
    validation_errors: [{ path: 'selector', message: /matched no element/ }],
  })
  const big = await post({ html: 'x'.repeat(250_000) })
  t.equal(big.statusCode, 413)
  t.match(big.json(), { statusCode: 413, error: 'Payload Too Large', message: /larger than 200000 bytes \(BODY_LIMIT_BYTES\)/ })

  const shadow = await post({ html: '<div style="width:40px;height:40px;box-shadow:0 0 1000px 500px red"></div>', device_scale: 1 })
  t.equal(shadow.statusCode, 200, 'a shadow bomb renders, clamped')
  t.match(shadow.headers['x-vellum-dropped-css'], /blur 1000px clamped to 64px/)
  const viaVar = await post({ html: '<div style="width:40px;height:40px;--b:1000px;box-shadow:0 0 var(--b) red"></div>', device_scale: 1 })
  t.equal(viaVar.statusCode, 200, 'the same bomb through var() renders, clamped where resvg sees it')
  t.match(viaVar.headers['x-vellum-dropped-css'], /blur 1000px clamped to 64px \(MAX_SHADOW_BLUR_PX, after var\(\)/)

  const broken = await post({ html: '<img src="https://203.0.113.9/missing.png" width="30" height="20"><img src="/relative.png">', device_scale: 1 })
  t.equal(broken.statusCode, 200, 'unfetchable images render as empty boxes, not errors')

  const svgText = await post({ html: `<svg width="400" height="40"><text x="0" y="20">${'x'.repeat(1999)}</text></svg>`, device_scale: 1 })
  t.equal(svgText.statusCode, 200, 'SVG text up to the limit renders')

  const fine = await post({ html: '<p>still fine</p>' })
  t.equal(fine.statusCode, 200, 'a normal render works after all of that')
  t.equal(await h.container.usage.usedThisMonth('lim', Date.now()), 5, 'only the successful renders were charged')
})

t.test('a render past its deadline is stopped; the next one works', async (t) => {
  // One worker: the one the warm-up ran on takes the heavy render. Looked up after the timeout,
  // the pool's replacement (started at once, to keep its minimum) could be found instead.
  const h = await build(t, { RENDER_TIMEOUT_MS: 300, RENDER_WORKERS: 1 })
  await h.addUser('slow', 'slow-key-123')
  const post = (payload: object) =>
    h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: h.auth('slow', 'slow-key-123') }, payload })
  await post({ html: '<p>warm up</p>' })
  const stuck = workerPids()
  t.equal(stuck.length, 1, 'one worker, the one that takes the heavy render')
  const heavy = await post({
    html: '<div style="width:100%;height:100%;background:radial-gradient(circle,#f00,#00f);filter:blur(60px)"></div>',
    css: 'html,body{height:100%}',
    viewport_width: 6000,
    viewport_height: 6000,
    device_scale: 1,
  })
  t.equal(heavy.statusCode, 422)
  t.match(heavy.json().message, /longer than 300 ms \(RENDER_TIMEOUT_MS\)/)
  // The stuck worker is gone within a second or so (a terminate message, then SIGKILL: the
  // workerpool patch), not when its raster would have ended: a SIGTERM that a library turned into
  // a JS handler is never handled inside native code, and that worker rendered on for 15 s.
  const gone = Date.now() + 5000
  while (stuck.some(alive) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50))
  t.notOk(stuck.some(alive), 'the worker past its deadline was killed')
  const next = await post({ html: '<p>after the timeout</p>', device_scale: 1 })
  t.equal(next.statusCode, 200)
})

t.test('a full render queue answers 503 at once with Retry-After', async (t) => {
  const h = await build(t, { RENDER_QUEUE_SIZE: 1 })
  await h.addUser('busy', 'busy-key-123')
  const post = (i: number) =>
    h.app.inject({
      method: 'POST', url: '/v1/image', headers: { authorization: h.auth('busy', 'busy-key-123') },
      payload: { html: `<div style="width:100%;height:100%;background:linear-gradient(#f00,#00${i})"></div>`, css: 'html,body{height:100%}', viewport_width: 3000, viewport_height: 3000, device_scale: 1 },
    })
  const results = await Promise.all([0, 1, 2, 3, 4].map(post))
  const full = results.filter((r) => r.statusCode === 503)
  t.ok(full.length >= 1, 'some requests find the queue full')
  t.ok(results.some((r) => r.statusCode === 200), 'accepted work completes')
  for (const r of full) {
    t.equal(r.headers['retry-after'], '1')
    t.match(r.json(), { statusCode: 503, error: 'Service Unavailable', message: /queue is full/ })
  }
})
