/**
 * The commit thread (src/store/sqlite/commit-writer.ts): commits leave the event loop, and what
 * they stored is what the API's own connection reads at once; close waits for commits in flight.
 */
import t from 'tap'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.js'
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

t.test('the event loop keeps turning while commits (200 KB each, fsynced) run', async (t) => {
  const store = openSqliteStore(join(dir, 'b.db'), { commitThread: true })
  t.teardown(() => store.close())
  await store.users.create({ id: 'u', salt: randomBytes(16), digest: randomBytes(32), sealed: null, monthlyLimit: 1000, now: NOW })
  const inline = openSqliteStore(join(dir, 'c.db'))
  t.teardown(() => inline.close())
  await inline.users.create({ id: 'u', salt: randomBytes(16), digest: randomBytes(32), sealed: null, monthlyLimit: 1000, now: NOW })
  // The longest gap between ticks of a 1 ms interval while 40 commits run one after another
  // (the loop is given a turn between commits, as requests would give it).
  const blocked = async (s: typeof store) => {
    await s.images.commit({ userId: 'u', limit: 1000, now: NOW, images: [image('u')] })
    let last = performance.now()
    let worst = 0
    const tick = setInterval(() => {
      const now = performance.now()
      worst = Math.max(worst, now - last)
      last = now
    }, 1)
    for (let i = 0; i < 40; i++) {
      await s.images.commit({ userId: 'u', limit: 1000, now: NOW, images: [image('u')] })
      await new Promise((r) => setImmediate(r))
    }
    clearInterval(tick)
    return worst
  }
  const onThread = await blocked(store)
  const onLoop = await blocked(inline)
  t.ok(onThread < onLoop, `longest event-loop stall: ${onThread.toFixed(1)} ms on the thread vs ${onLoop.toFixed(1)} ms inline`)
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
