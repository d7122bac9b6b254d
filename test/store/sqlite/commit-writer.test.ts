/**
 * The commit thread (src/store/sqlite/commit-writer.ts): commits leave the event loop, and what
 * they stored is what the API's own connection reads at once; close waits for commits in flight.
 */
import t from 'tap'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.js'
import { openDatabase } from '../../../src/store/sqlite/database.js'
import { ImagesRepository } from '../../../src/store/sqlite/images-repository.js'
import { UsageRepository } from '../../../src/store/sqlite/usage-repository.js'
import { CommitWriter } from '../../../src/store/sqlite/commit-writer.js'
import type { NewImage } from '../../../src/store/port.js'

const dir = mkdtempSync(join(tmpdir(), 'vellum-writer-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const NOW = Date.UTC(2026, 11, 2)

const image = (userId: string): NewImage & { png: Buffer } => {
  const id = randomUUID()
  const png = randomBytes(200_000)
  return { record: { id, userId, requestHash: id, width: 1, height: 1, bytes: png.byteLength, etag: id.slice(0, 8), params: '{}', warnings: '[]', createdAt: NOW }, png }
}

t.test('a commit is read back at once by the API connection; a burst keeps the quota exact', async (t) => {
  const store = openSqliteStore(join(dir, 'a.db'), { commitThread: true })
  t.teardown(() => store.close())
  await store.users.create({ id: 'u', salt: randomBytes(16), digest: randomBytes(32), sealed: null, monthlyLimit: 25, now: NOW })
  const one = image('u')
  t.same(await store.images.commit({ userId: 'u', limit: 25, now: NOW, images: [one] }), { status: 'stored', used: 1 })
  t.ok((await store.images.png(one.record.id))!.equals(one.png), 'the bytes, read on the other connection')
  const burst = await Promise.all(Array.from({ length: 60 }, () => store.images.commit({ userId: 'u', limit: 25, now: NOW, images: [image('u')] })))
  t.equal(burst.filter((r) => r.status === 'stored').length, 24)
  t.equal(await store.usage.usedThisMonth('u', NOW), 25)
})

t.test('the event loop keeps turning while a commit waits on the thread', async (t) => {
  // Deterministic rather than timed: another connection holds the write lock, so the thread's
  // commit waits in SQLite's busy handler. Were the commit on the event loop, no timer could
  // fire until it finished; on the thread, the loop turns and the commit ends when the lock goes.
  const path = join(dir, 'b.db')
  const store = openSqliteStore(path, { commitThread: true })
  t.teardown(() => store.close())
  await store.users.create({ id: 'u', salt: randomBytes(16), digest: randomBytes(32), sealed: null, monthlyLimit: 1000, now: NOW })
  await store.images.commit({ userId: 'u', limit: 1000, now: NOW, images: [image('u')] })
  const holder = new Database(path)
  t.teardown(() => holder.close())
  holder.exec('BEGIN IMMEDIATE')
  let settled = false
  const pending = store.images.commit({ userId: 'u', limit: 1000, now: NOW, images: [image('u')] }).finally(() => {
    settled = true
  })
  let ticks = 0
  const tick = setInterval(() => ticks++, 10)
  await new Promise((r) => setTimeout(r, 400))
  clearInterval(tick)
  t.notOk(settled, 'the commit is still waiting for the lock')
  t.ok(ticks >= 5, `the loop turned ${ticks} times while it waited`)
  holder.exec('COMMIT')
  t.same(await pending, { status: 'stored', used: 2 }, 'and it commits once the lock is free')
})

t.test('close waits for the commits in flight', async (t) => {
  const path = join(dir, 'd.db')
  const store = openSqliteStore(path, { commitThread: true })
  await store.users.create({ id: 'u', salt: randomBytes(16), digest: randomBytes(32), sealed: null, monthlyLimit: 100, now: NOW })
  const pending = Array.from({ length: 10 }, () => store.images.commit({ userId: 'u', limit: 100, now: NOW, images: [image('u')] }))
  await store.close()
  t.equal((await Promise.all(pending)).filter((r) => r.status === 'stored').length, 10)
  const again = openSqliteStore(path)
  t.equal(await again.usage.usedThisMonth('u', NOW), 10, 'all ten are in the file')
  await again.close()
})

t.test('a deferred thread: commits run inline until start(), on the thread after it', async (t) => {
  const path = join(dir, 'e.db')
  const setup = openSqliteStore(path)
  await setup.users.create({ id: 'u', salt: randomBytes(16), digest: randomBytes(32), sealed: null, monthlyLimit: 100, now: NOW })
  await setup.close()
  const db = openDatabase(path)
  t.teardown(() => db.close())
  const images = new ImagesRepository(db, new UsageRepository(db))
  let inline = 0
  const writer = new CommitWriter(path, (req) => (inline++, images.commitSync(req)), { deferred: true })
  t.teardown(() => writer.close())
  t.same(await writer.commit({ userId: 'u', limit: 100, now: NOW, images: [image('u')] }), { status: 'stored', used: 1 })
  t.equal(inline, 1, 'before start(): on the caller’s connection')
  writer.start()
  writer.start()
  t.same(await writer.commit({ userId: 'u', limit: 100, now: NOW, images: [image('u')] }), { status: 'stored', used: 2 })
  t.equal(inline, 1, 'after it: on the thread')
})

t.test("the store's warmUp() starts a deferred thread: the event loop then turns while a commit waits", async (t) => {
  const path = join(dir, 'f.db')
  const store = openSqliteStore(path, { commitThread: true, deferThread: true })
  t.teardown(() => store.close())
  await store.users.create({ id: 'u', salt: randomBytes(16), digest: randomBytes(32), sealed: null, monthlyLimit: 100, now: NOW })
  t.same(await store.images.commit({ userId: 'u', limit: 100, now: NOW, images: [image('u')] }), { status: 'stored', used: 1 }, 'inline before warmUp()')
  store.warmUp!()
  const holder = new Database(path)
  t.teardown(() => holder.close())
  holder.exec('BEGIN IMMEDIATE')
  let settled = false
  const pending = store.images.commit({ userId: 'u', limit: 100, now: NOW, images: [image('u')] }).finally(() => (settled = true))
  let ticks = 0
  const tick = setInterval(() => ticks++, 10)
  await new Promise((r) => setTimeout(r, 400))
  clearInterval(tick)
  t.notOk(settled, 'the commit waits for the lock')
  t.ok(ticks >= 5, `on the thread: the loop turned ${ticks} times meanwhile`)
  holder.exec('COMMIT')
  t.same(await pending, { status: 'stored', used: 2 })
})
