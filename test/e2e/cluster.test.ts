/**
 * Two nodes, one service: two shipped servers (bin/vellum serve on dist/, separate processes,
 * ports and DATA_DIRs, nothing shared on disk) on one real PostgreSQL and one real S3-protocol
 * bucket, driven over HTTP as a load balancer would spread clients over them.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import pg from 'pg'
import { S3Objects } from '../../src/store/objects/s3-objects.js'
import { configFrom } from '../../src/config/load-config.js'
import { startPostgres } from '../store/postgres/postgres-server.js'
import { startS3 } from '../store/objects/s3-server.js'
import { startServer, post, cli } from './served.js'

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

t.test('the CLI sweeps the bucket: an object no image names goes, live images keep theirs', async (t) => {
  const objects = new S3Objects(configFrom(s3.env('prod')).storage!)
  t.teardown(() => objects.close())
  const orphan = `images/${randomUUID()}/${randomUUID()}.png`
  await objects.put(orphan, randomBytes(16))
  const auth = await a.addUser('sweep', 10)
  const live = (await (await post(a.base, '/v1/image', auth, card('kept by the sweep'))).json()) as { id: string; url: string }
  const { PATH: _p, HOME: _h, PORT: _port, ...env } = a.env
  const swept = await cli(env, 'storage', 'sweep', '--grace-minutes', '0')
  t.equal(swept.code, 0, swept.stderr)
  t.match(JSON.parse(swept.stdout), { deleted: 1 })
  t.equal(await objects.get(orphan), undefined, 'the orphan is gone')
  t.equal((await fetch(b.base + pathOf(live.url))).status, 200, 'a live image is still served')
})

t.test('an embedded installation moves into PostgreSQL and the bucket with `vellum migrate --from`', async (t) => {
  // The embedded default, as `npm start` runs it: SQLite and a generated secret.key in its DATA_DIR.
  const embedded = await startServer(t)
  const auth = await embedded.addUser('moving', 40)
  const key = Buffer.from(auth.slice('Basic '.length), 'base64').toString().split(':')[1]!
  const kept = (await (await post(embedded.base, '/v1/image', auth, card('moved along'))).json()) as { id: string; url: string }
  const gone = (await (await post(embedded.base, '/v1/image', auth, card('deleted before the move'))).json()) as { id: string }
  t.equal((await fetch(`${embedded.base}/v1/image/${gone.id}`, { method: 'DELETE', headers: { authorization: auth } })).status, 202)
  const keptBytes = Buffer.from(await (await fetch(embedded.base + pathOf(kept.url))).arrayBuffer())

  const target = { ...shared, DATABASE_URL: database.createDatabase('moved') }
  const cliDir = mkdtempSync(join(tmpdir(), 'vellum-migrate-'))
  t.teardown(() => rmSync(cliDir, { recursive: true, force: true }))
  const moved = await cli({ ...target, DATA_DIR: cliDir }, 'migrate', '--from', embedded.dataDir)
  t.equal(moved.code, 0, moved.stderr)
  t.match(JSON.parse(moved.stdout), { users: 1, unsealed: 0, images: 2, blobs: 1 })

  const node = await startServer(t, target)
  const served = await fetch(node.base + pathOf(kept.url))
  t.equal(served.status, 200, 'the image is served by a node of the new store')
  t.ok(Buffer.from(await served.arrayBuffer()).equals(keptBytes), 'the same bytes')
  t.equal((await fetch(`${node.base}/v1/image/${gone.id}`)).status, 410, 'a deleted image stays deleted')
  t.equal(await monthCountIn(target.DATABASE_URL, 'moving'), 2, 'the month so far came along')
  t.equal((await post(node.base, '/v1/image', auth, card('after the move'))).status, 200, 'the same API key works')
  // Signed URLs need the key itself: re-sealed with the nodes' secret, it still signs.
  const query = `html=${encodeURIComponent('<p style="font-size:30px">signed after the move</p>')}`
  const token = createHmac('sha256', key).update(query).digest('hex')
  t.equal((await fetch(`${node.base}/v1/image/create-and-render/moving/${token}/png?${query}`)).status, 200, 'a signed URL renders')

  const again = await cli({ ...target, DATA_DIR: cliDir }, 'migrate', '--from', embedded.dataDir)
  t.not(again.code, 0, 'a second import into a database that has data is refused')
  t.match(again.stderr, /empty database/)
})

async function monthCountIn(url: string, user: string): Promise<number> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return Number((await c.query<{ count: string }>("SELECT count FROM usage WHERE user_id = $1 AND period = 'month'", [user])).rows[0]?.count ?? 0)
  } finally {
    await c.end()
  }
}
