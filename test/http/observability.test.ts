/** Metrics, Server-Timing and request ids, through the real app. */
import t from 'tap'
import { build } from '../helper.js'

const metric = (text: string, line: RegExp) => Number(line.exec(text)?.[1] ?? NaN)

t.test('GET /metrics counts renders, stages, caches, quota and workers', async (t) => {
  const h = await build(t)
  await h.addUser('m', 'metrics-key-1234', 2)
  const auth = h.auth('m', 'metrics-key-1234')
  const created = await h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: auth }, payload: { html: '<p>count me</p>', css: 'p { color: #123456 }', device_scale: 1 } })
  t.equal(created.statusCode, 200)
  t.match(created.headers['server-timing'], /^parse;dur=[\d.]+, layout;dur=[\d.]+, raster;dur=[\d.]+, encode;dur=[\d.]+, store;dur=[\d.]+$/, 'Server-Timing names the stages')
  const { id } = created.json()
  await h.app.inject({ url: `/v1/image/${id}` })
  await h.app.inject({ url: `/v1/image/${id}.webp` })
  await h.app.inject({ url: `/v1/image/${id}.webp` })
  await h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: auth }, payload: { html: '<p>two</p>', device_scale: 1 } })
  const refused = await h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: auth }, payload: { html: '<p>three</p>', device_scale: 1 } })
  t.equal(refused.statusCode, 429)
  const deep = await h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: auth }, payload: { html: '<div>'.repeat(300), dedupe_duration_s: 0 } })
  t.equal(deep.statusCode, 429, 'at the limit, even a bad page is refused by the quota first')

  const res = await h.app.inject({ url: '/metrics' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  const text = res.body
  t.equal(metric(text, /^vellum_renders_total\{outcome="ok"\} (\d+)/m), 2, 'two renders ok')
  for (const stage of ['parse', 'layout', 'raster', 'encode', 'store']) {
    t.equal(metric(text, new RegExp(`^vellum_render_stage_seconds_count\\{stage="${stage}"\\} (\\d+)`, 'm')), 2, `${stage} timed twice`)
  }
  t.equal(metric(text, /^vellum_quota_rejections_total (\d+)/m), 2)
  t.equal(metric(text, /^vellum_cache_requests_total\{cache="served_images",result="hit"\} (\d+)/m), 1, 'the new PNG was primed into the cache')
  t.equal(metric(text, /^vellum_cache_requests_total\{cache="variants",result="miss"\} (\d+)/m), 1)
  t.equal(metric(text, /^vellum_cache_requests_total\{cache="variants",result="hit"\} (\d+)/m), 1)
  const fontSets = ['hit', 'miss'].map((r) => metric(text, new RegExp(`^vellum_cache_requests_total\\{cache="font_sets",result="${r}"\\} (\\d+)`, 'm')) || 0)
  t.equal(fontSets[0]! + fontSets[1]!, 2, "a render worker's font-set lookups, one per render, come back with its results")
  t.ok(metric(text, /^vellum_cache_requests_total\{cache="sheets",result="miss"\} (\d+)/m) >= 1, "and its stylesheet cache's (the css parameter)")
  t.ok(metric(text, /^vellum_worker_starts_total (\d+)/m) >= 1, 'worker starts')
  t.equal(metric(text, /^vellum_render_queue_wait_seconds_count (\d+)/m), 2)
  t.match(text, /^vellum_render_queue_depth \d+/m)
  t.match(text, /^vellum_process_resident_memory_bytes \d+/m, 'Node process metrics')
})

t.test('METRICS_TOKEN asks for a Bearer token; METRICS=off removes the route', async (t) => {
  const guarded = await build(t, { METRICS_TOKEN: 'a-long-metrics-token' })
  t.equal((await guarded.app.inject({ url: '/metrics' })).statusCode, 401)
  t.equal((await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-wrong-token' } })).statusCode, 401)
  t.equal((await guarded.app.inject({ url: '/metrics', headers: { authorization: 'Bearer a-long-metrics-token' } })).statusCode, 200)
  const off = await build(t, { METRICS: 'off' })
  t.equal((await off.app.inject({ url: '/metrics' })).statusCode, 404)
})

t.test('x-request-id: taken from a sane client header, else generated; always echoed', async (t) => {
  const h = await build(t)
  t.equal((await h.app.inject({ url: '/healthz', headers: { 'x-request-id': 'lb-7f3a.42' } })).headers['x-request-id'], 'lb-7f3a.42')
  t.match((await h.app.inject({ url: '/healthz' })).headers['x-request-id'], /^[0-9a-f-]{36}$/)
  const forged = await h.app.inject({ url: '/healthz', headers: { 'x-request-id': 'x\n{"level":60}' } })
  t.match(forged.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'a header that could forge log lines is replaced')
  t.match((await h.app.inject({ url: '/v1/nothing', headers: { 'x-request-id': 'abc' } })).headers['x-request-id'], 'abc', 'on errors too')
})
