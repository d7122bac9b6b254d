/**
 * Two nodes, one service: two shipped servers (bin/vellum serve on dist/, separate processes,
 * ports and DATA_DIRs, nothing shared on disk) on one real PostgreSQL and one real S3-protocol
 * bucket, driven over HTTP as a load balancer would spread clients over them.
 */
import { randomBytes } from 'node:crypto'
import t from 'tap'
import pg from 'pg'
import { S3Objects } from '../../src/store/objects/s3-objects.js'
import { configFrom } from '../../src/config/load-config.js'
import { startPostgres } from '../store/postgres/postgres-server.js'
import { startS3 } from '../store/objects/s3-server.js'
import { startServer, post } from './served.js'

const database = await startPostgres()
const s3 = await startS3('vellum-cluster')
t.teardown(async () => {
  database.stop()
  await s3.stop()
})

const shared = {
  DATABASE_URL: database.createDatabase('cluster'),
  ...s3.env('prod'),
  // Separate DATA_DIRs: the secret that seals API keys for signing must be the same on every node.
  VELLUM_SECRET: randomBytes(32).toString('base64url'),
}
const [a, b] = await Promise.all([startServer(t, shared), startServer(t, shared)])
const db = new pg.Client({ connectionString: shared.DATABASE_URL })
await db.connect()
t.teardown(() => db.end())

const card = (text: string) => ({ html: `<div style="width:200px;height:60px;background:#135;color:white;font-size:24px">${text}</div>`, device_scale: 1 })
const pathOf = (url: string) => new URL(url).pathname
const monthCount = async (user: string) =>
  Number((await db.query<{ count: string }>("SELECT count FROM usage WHERE user_id = $1 AND period = 'month'", [user])).rows[0]?.count ?? 0)

t.test('40 concurrent creates spread over both nodes against a limit of 5: exactly 5 succeed', async (t) => {
  const auth = await a.addUser('quota', 5)
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => post(i % 2 ? a.base : b.base, '/v1/image', auth, card(`card ${i}`))))
  const statuses = results.map((r) => r.status)
  t.equal(statuses.filter((s) => s === 200).length, 5, 'five images')
  t.equal(statuses.filter((s) => s === 429).length, 35, 'every other one is over the plan limit')
  t.equal(await monthCount('quota'), 5, 'five charges in the database')
})

t.test('the same request on both nodes at once: one id, one charge', async (t) => {
  const auth = await b.addUser('twins', 100)
  const body = card('the same card')
  const [fromA, fromB] = await Promise.all([post(a.base, '/v1/image', auth, body), post(b.base, '/v1/image', auth, body)])
  t.equal(fromA.status, 200)
  t.equal(fromB.status, 200)
  const [ja, jb] = [(await fromA.json()) as { id: string }, (await fromB.json()) as { id: string }]
  t.equal(ja.id, jb.id, 'one id')
  t.equal(await monthCount('twins'), 1, 'one charge')
})

t.test('created on A, served by B from the bucket; deleted on B, 410 on A at once', async (t) => {
  const auth = await a.addUser('served', 100)
  const created = (await (await post(a.base, '/v1/image', auth, card('made on A'))).json()) as { id: string; url: string }
  const onA = await fetch(a.base + pathOf(created.url))
  const onB = await fetch(b.base + pathOf(created.url))
  t.equal(onA.status, 200)
  t.equal(onB.status, 200, 'node B serves an image it never rendered')
  const bytesA = Buffer.from(await onA.arrayBuffer())
  t.ok(Buffer.from(await onB.arrayBuffer()).equals(bytesA), 'the same bytes')

  // The bytes are in the bucket, under the record's key; the database holds no blob.
  const { rows } = await db.query<{ object_key: string }>('SELECT object_key FROM images WHERE id = $1', [created.id])
  const objects = new S3Objects(configFrom(s3.env('prod')).storage!)
  t.teardown(() => objects.close())
  t.ok((await objects.get(rows[0]!.object_key))!.equals(bytesA), 'the object is the PNG served')
  t.equal(Number((await db.query('SELECT count(*) AS n FROM image_blobs')).rows[0].n), 0, 'no bytes in PostgreSQL')

  // Both nodes now hold it in their served-image caches.
  t.equal((await fetch(a.base + pathOf(created.url))).status, 200)
  const deleted = await fetch(`${b.base}/v1/image/${created.id}`, { method: 'DELETE', headers: { authorization: auth } })
  t.equal(deleted.status, 202)
  t.equal((await fetch(a.base + pathOf(created.url))).status, 410, 'A answers 410 the moment B deleted it')
  t.equal((await fetch(`${a.base}/v1/image/${created.id}.webp`)).status, 410, 'in every format')
  t.equal(await objects.get(rows[0]!.object_key), undefined, 'and the object is gone')
})

t.test('the CLI manages users through the shared store, from either node', async (t) => {
  const auth = await b.addUser('cli-made', 3)
  const res = await post(a.base, '/v1/image', auth, card('a user made through node B'))
  t.equal(res.status, 200, 'a user added with the CLI of one node authenticates on the other')
})
