/**
 * Two servers on one DATA_DIR (two processes on one SQLite file, as a user starts them on one
 * host): a delete through one is a 410 through the other at once, although the other holds the
 * image in its memory cache. SQLite's data_version tells a process that another one wrote, so a
 * lone server still serves cached images without reading the store.
 */
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from '../../helper.js'

t.test('a delete through one server is a 410 through the other, cached or not', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vellum-shared-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const a = await build(t, {}, { dataDir, keepData: true })
  const b = await build(t, {}, { dataDir, keepData: true })
  await a.addUser('kim', 'kim-key-123456')
  const auth = a.auth('kim', 'kim-key-123456')
  const created = await a.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: auth }, payload: { html: '<p>shared</p>', device_scale: 1 } })
  t.equal(created.statusCode, 200, created.body)
  const id = created.json().id as string
  for (const format of ['', '.webp']) {
    t.equal((await a.app.inject({ url: `/v1/image/${id}${format}` })).statusCode, 200, `A has it cached${format}`)
    t.equal((await b.app.inject({ url: `/v1/image/${id}${format}` })).statusCode, 200, `B has it cached${format}`)
  }
  t.equal((await b.app.inject({ method: 'DELETE', url: `/v1/image/${id}`, headers: { authorization: auth } })).statusCode, 202)
  t.equal((await a.app.inject({ url: `/v1/image/${id}` })).statusCode, 410, 'A answers 410 at once')
  t.equal((await a.app.inject({ url: `/v1/image/${id}.webp` })).statusCode, 410, 'in every format')
  t.equal((await b.app.inject({ url: `/v1/image/${id}` })).statusCode, 410)
})

t.test('a lone server serves its cached images without reading the store', async (t) => {
  const h = await build(t)
  await h.addUser('lee', 'lee-key-123456')
  const created = await h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: h.auth('lee', 'lee-key-123456') }, payload: { html: '<p>alone</p>', device_scale: 1 } })
  const id = created.json().id as string
  t.equal((await h.app.inject({ url: `/v1/image/${id}` })).statusCode, 200)
  const images = h.container.store.images
  const find = images.find.bind(images)
  let reads = 0
  images.find = (x: string) => {
    reads++
    return find(x)
  }
  t.teardown(() => {
    images.find = find
  })
  for (let i = 0; i < 20; i++) t.equal((await h.app.inject({ url: `/v1/image/${id}` })).statusCode, 200)
  t.equal(reads, 0, 'twenty cached GETs, no store read')
})
