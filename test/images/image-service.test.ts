import t from 'tap'
import { build, decodePng, coverage } from '../helper.js'

t.test('quota: parallel requests at the limit never pass it', async (t) => {
  const h = await build(t)
  await h.addUser('carol', 'carol-key-123', 3)
  const auth = h.auth('carol', 'carol-key-123')
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: auth }, payload: { html: `<p>render ${i}</p>`, device_scale: 1 } }),
    ),
  )
  const ok = results.filter((r) => r.statusCode === 200)
  const refused = results.filter((r) => r.statusCode === 429)
  t.equal(ok.length, 3, 'exactly the limit succeeds')
  t.equal(refused.length, 7, 'the rest are refused')
  for (const r of refused) {
    t.same(r.json(), {
      statusCode: 429,
      error: 'Plan limit exceeded',
      message: "You've used 3 of your 3 renders. Ask the server's operator to raise your monthly limit.",
    })
  }
  t.equal(await h.container.usage.usedThisMonth('carol', Date.now()), 3, 'the counter stops at the limit')
  for (const r of ok) t.equal((await h.app.inject({ url: `/v1/image/${r.json().id}` })).statusCode, 200, 'every success has its image')

  const batch = await h.app.inject({
    method: 'POST', url: '/v1/image/batch', headers: { authorization: auth }, payload: { variations: [{ html: '<p>a</p>' }] },
  })
  t.equal(batch.statusCode, 429, 'a batch over the limit is refused whole')
  await h.container.users.setLimit('carol', 5)
  const twoMore = await h.app.inject({
    method: 'POST', url: '/v1/image/batch', headers: { authorization: auth },
    payload: { variations: [{ html: '<p>a</p>' }, { html: '<p>b</p>' }, { html: '<p>c</p>' }] },
  })
  t.equal(twoMore.statusCode, 429, 'three more do not fit in two credits')
  t.equal(await h.container.usage.usedThisMonth('carol', Date.now()), 3, 'and cost nothing')
  const dedupeHit = await h.app.inject({
    method: 'POST', url: '/v1/image', headers: { authorization: auth }, payload: { html: '<p>render 0</p>', device_scale: 1 },
  })
  t.equal(dedupeHit.statusCode, 200)
  t.equal(dedupeHit.headers['x-renders-consumed'], '0')
})

t.test('a failed render costs nothing', async (t) => {
  const h = await build(t, { MAX_ELEMENTS: 10 })
  await h.addUser('dave', 'dave-key-1234', 5)
  const res = await h.app.inject({
    method: 'POST', url: '/v1/image', headers: { authorization: h.auth('dave', 'dave-key-1234') },
    payload: { html: '<div>'.repeat(20) },
  })
  t.equal(res.statusCode, 422)
  t.match(res.json().message, /more than 10 elements \(MAX_ELEMENTS\)/)
  t.equal(await h.container.usage.usedThisMonth('dave', Date.now()), 0)
})

t.test('images survive a restart (SQLite under DATA_DIR)', async (t) => {
  const first = await build(t, {}, { keepData: true })
  await first.addUser('erin', 'erin-key-1234')
  const res = await first.app.inject({
    method: 'POST', url: '/v1/image', headers: { authorization: first.auth('erin', 'erin-key-1234') },
    payload: { html: '<div style="width:64px;height:32px;background:#ff00ff"></div>', device_scale: 1 },
  })
  const id = res.json().id
  await first.app.close()

  const second = await build(t, {}, { dataDir: first.dataDir })
  const address = await second.app.listen({ port: 0, host: '127.0.0.1' })
  const img = await fetch(`${address}/v1/image/${id}`)
  t.equal(img.status, 200)
  const png = decodePng(Buffer.from(await img.arrayBuffer()))
  t.same([png.width, png.height], [64, 32])
  t.ok(coverage(png, [255, 0, 255]) > 0.99)
  const again = await fetch(`${address}/v1/image`, {
    method: 'POST',
    headers: { authorization: second.auth('erin', 'erin-key-1234'), 'content-type': 'application/json' },
    body: JSON.stringify({ html: '<div style="width:64px;height:32px;background:#ff00ff"></div>', device_scale: 1 }),
  })
  t.equal((await again.json()).id, id, 'users, keys and dedupe survive too')
})

t.test('a variant built while the image is deleted is answered, never cached: later fetches are 410', async (t) => {
  const h = await build(t)
  await h.addUser('race', 'race-key-1234')
  const auth = h.auth('race', 'race-key-1234')
  const created = await h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: auth }, payload: { html: '<p>gone soon</p>', device_scale: 1 } })
  const { id } = created.json()
  const fetching = h.app.inject({ url: `/v1/image/${id}.webp?width=40` })
  const deleted = await h.app.inject({ method: 'DELETE', url: `/v1/image/${id}`, headers: { authorization: auth } })
  t.equal(deleted.statusCode, 202)
  t.ok([200, 410].includes((await fetching).statusCode), 'the fetch that began before the delete is answered')
  t.equal((await h.app.inject({ url: `/v1/image/${id}.webp?width=40` })).statusCode, 410, 'no cached copy outlives the delete')
  t.equal((await h.app.inject({ url: `/v1/image/${id}` })).statusCode, 410)
})

t.test('authentication runs before the body is read: a wrong key gets 401 for a body that does not even parse', async (t) => {
  const h = await build(t)
  const res = await h.app.inject({
    method: 'POST', url: '/v1/image', headers: { authorization: h.auth('nobody', 'wrong-key-1234'), 'content-type': 'application/json' }, payload: '{"html": ',
  })
  t.equal(res.statusCode, 401)
})
