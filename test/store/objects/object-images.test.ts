/**
 * Image bytes in object storage (STORAGE_URL): the whole storage contract again with the bytes in
 * a real S3-protocol server, over SQLite and over PostgreSQL, then what only a bucket can get
 * wrong: where the bytes are, the objects of attempts that stored nothing, the sweep of orphans,
 * and a bucket that is down.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.js'
import { openPostgresStore } from '../../../src/store/postgres/postgres-store.js'
import { S3Objects } from '../../../src/store/objects/s3-objects.js'
import { withObjectStorage, idOfKey } from '../../../src/store/objects/object-images.js'
import type { ObjectStore } from '../../../src/store/objects/object-store.js'
import type { NewImage, Store } from '../../../src/store/port.js'
import { AppError } from '../../../src/errors/catalogue.js'
import { configFrom } from '../../../src/config/load-config.js'
import { startPostgres } from '../postgres/postgres-server.js'
import { storeContract } from '../contract.js'
import { startS3 } from './s3-server.js'

const s3 = await startS3()
const pgServer = await startPostgres()
const dir = mkdtempSync(join(tmpdir(), 'vellum-objects-'))
t.teardown(async () => {
  pgServer.stop()
  await s3.stop()
  rmSync(dir, { recursive: true, force: true })
})

const objectsAt = (prefix: string): S3Objects => new S3Objects(configFrom(s3.env(prefix)).storage!)

async function keys(objects: ObjectStore): Promise<string[]> {
  const out: string[] = []
  for await (const o of objects.list('')) out.push(o.key)
  return out.sort()
}

const NOW = Date.UTC(2026, 4, 17, 10, 30)

function image(userId: string, png: Buffer = randomBytes(64), over: { id?: string; requestHash?: string } = {}): NewImage & { png: Buffer } {
  const id = over.id ?? randomUUID()
  return {
    record: {
      id,
      userId,
      requestHash: over.requestHash ?? `hash-${id}`,
      width: 10,
      height: 10,
      bytes: png.byteLength,
      etag: id.slice(0, 8),
      params: '{}',
      warnings: '[]',
      createdAt: NOW,
    },
    png,
  }
}

t.test('the storage contract, bytes in the bucket, records in SQLite', async (t) => {
  storeContract(t, async () => withObjectStorage(openSqliteStore(join(dir, 'contract.db')), objectsAt('sqlite')))
})

t.test('the storage contract, bytes in the bucket, records in PostgreSQL', async (t) => {
  storeContract(t, async () => withObjectStorage(await openPostgresStore({ url: pgServer.createDatabase('objects'), poolMax: 10 }), objectsAt('pg')))
})

t.test('the bytes are in the bucket under the configured prefix, and only the records in the database', async (t) => {
  const db = openSqliteStore(join(dir, 'where.db'))
  const objects = objectsAt('cards/prod')
  const store = withObjectStorage(db, objects)
  t.teardown(() => store.close())
  await store.users.create({ id: 'u', salt: randomBytes(16), digest: randomBytes(32), sealed: null, monthlyLimit: 10, now: NOW })
  const img = image('u')
  t.same(await store.images.commit({ userId: 'u', limit: 10, now: NOW, images: [img] }), { status: 'stored', used: 1 })
  const record = (await store.images.find(img.record.id))!
  t.match(record.objectKey, new RegExp(`^images/${img.record.id}/[0-9a-f-]{36}\\.png$`))
  t.equal(idOfKey(record.objectKey!), img.record.id)
  t.equal(await db.images.png(img.record.id), undefined, 'no blob row in the database')
  t.ok((await objects.get(record.objectKey!))!.equals(img.png), 'the object holds the PNG')
  t.same(await keys(objects), [record.objectKey], 'listed under the prefix')
  // The raw bucket key carries the prefix.
  const raw = objectsAt('')
  t.same((await keys(raw)).filter((k) => k.startsWith('cards/')), [`cards/prod/${record.objectKey}`])
  raw.close()
})

t.test('an attempt that stores nothing leaves no object behind', async (t) => {
  const objects = objectsAt('attempts')
  const store = withObjectStorage(openSqliteStore(join(dir, 'attempts.db')), objects)
  t.teardown(() => store.close())
  await store.users.create({ id: 'u', salt: randomBytes(16), digest: randomBytes(32), sealed: null, monthlyLimit: 5, now: NOW })
  const results = await Promise.all(Array.from({ length: 20 }, () => store.images.commit({ userId: 'u', limit: 5, now: NOW, images: [image('u')] })))
  t.equal(results.filter((r) => r.status === 'stored').length, 5)
  t.equal((await keys(objects)).length, 5, 'only the five stored images have objects')
  // A twin (the same id, twelve times at once): one record, one object.
  const same = randomUUID()
  await store.users.setLimit('u', 100)
  const twins = await Promise.all(Array.from({ length: 12 }, () => store.images.commit({ userId: 'u', limit: 100, now: NOW, images: [image('u', randomBytes(64), { id: same })] })))
  t.equal(twins.filter((r) => r.status === 'stored').length, 1)
  const kept = (await store.images.find(same))!.objectKey
  t.equal((await keys(objects)).filter((k) => idOfKey(k) === same).length, 1)
  t.ok(await store.images.png(same), 'and the winner keeps its bytes')
  t.ok((await keys(objects)).includes(kept!))
})

t.test('a delete removes the object; a sweep removes what no live record names', async (t) => {
  const objects = objectsAt('sweep')
  const store = withObjectStorage(openSqliteStore(join(dir, 'sweep.db')), objects)
  t.teardown(() => store.close())
  await store.users.create({ id: 'u', salt: randomBytes(16), digest: randomBytes(32), sealed: null, monthlyLimit: 10, now: NOW })
  const [a, b] = [image('u'), image('u')]
  await store.images.commit({ userId: 'u', limit: 10, now: NOW, images: [a, b] })
  const keyA = (await store.images.find(a.record.id))!.objectKey!
  const keyB = (await store.images.find(b.record.id))!.objectKey!
  t.equal(await store.images.delete(a.record.id, 'u', NOW), true)
  t.equal(await store.images.png(a.record.id), undefined)
  t.notOk((await keys(objects)).includes(keyA), 'the deleted image has no object')
  // Orphans: a crash between put and commit, a render of a deleted image, a stranger's file.
  await objects.put(`images/${randomUUID()}/${randomUUID()}.png`, randomBytes(8))
  await objects.put(`images/${a.record.id}/${randomUUID()}.png`, randomBytes(8))
  await objects.put(`images/${b.record.id}/${randomUUID()}.png`, randomBytes(8))
  t.same(await store.images.sweep(Date.now(), 60_000), { scanned: 4, deleted: 0 }, 'nothing younger than the grace period goes')
  t.same(await store.images.sweep(Date.now() + 120_000, 60_000), { scanned: 4, deleted: 3 })
  t.same(await keys(objects), [keyB], 'only the live image keeps an object')
  t.ok((await store.images.png(b.record.id))!.equals(b.png))
})

t.test('images stored before the bucket was configured are still read from the database', async (t) => {
  const path = join(dir, 'before.db')
  const db = openSqliteStore(path)
  await db.users.create({ id: 'u', salt: randomBytes(16), digest: randomBytes(32), sealed: null, monthlyLimit: 10, now: NOW })
  const old = image('u')
  await db.images.commit({ userId: 'u', limit: 10, now: NOW, images: [old] })
  await db.close()
  const store = withObjectStorage(openSqliteStore(path), objectsAt('before'))
  t.teardown(() => store.close())
  t.ok((await store.images.png(old.record.id))!.equals(old.png))
  t.equal(await store.images.delete(old.record.id, 'u', NOW), true)
  t.equal(await store.images.png(old.record.id), undefined)
})

t.test('a bucket that cannot be reached: 503 STORAGE_UNAVAILABLE, nothing charged, nothing recorded', async (t) => {
  const store: Store = withObjectStorage(
    openSqliteStore(join(dir, 'down.db')),
    new S3Objects({ ...configFrom(s3.env('down')).storage!, endpoint: 'http://127.0.0.1:9', timeoutMs: 500 }),
  )
  t.teardown(() => store.close())
  await store.users.create({ id: 'u', salt: randomBytes(16), digest: randomBytes(32), sealed: null, monthlyLimit: 10, now: NOW })
  const img = image('u')
  const err = await store.images.commit({ userId: 'u', limit: 10, now: NOW, images: [img] }).catch((e: unknown) => e)
  t.ok(err instanceof AppError && err.code === 'STORAGE_UNAVAILABLE' && err.status === 503, 'a 503 naming storage')
  t.equal(await store.usage.usedThisMonth('u', NOW), 0, 'not charged')
  t.equal(await store.images.find(img.record.id), undefined, 'not recorded')
  await t.rejects(store.ping(), 'readiness sees it')
})

t.test('config: STORAGE_URL is checked, credentials come in pairs', async (t) => {
  t.throws(() => configFrom({ STORAGE_URL: 'https://bucket' }), /STORAGE_URL/)
  t.throws(() => configFrom({ STORAGE_URL: 's3://b' }), /STORAGE_URL/, 'bucket names have 3 characters at least')
  t.throws(() => configFrom({ STORAGE_URL: 's3://bucket', STORAGE_ACCESS_KEY_ID: 'x' }), /STORAGE_SECRET_ACCESS_KEY/)
  t.same(configFrom({ STORAGE_URL: 's3://my-bucket/a/b/' }).storage, {
    url: 's3://my-bucket/a/b/',
    endpoint: undefined,
    region: 'us-east-1',
    accessKeyId: undefined,
    secretAccessKey: undefined,
    forcePathStyle: false,
    timeoutMs: 10_000,
  })
  t.equal(configFrom().storage, undefined, 'unset: bytes in the database')
})
