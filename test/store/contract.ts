/**
 * The storage port's contract: every adapter (test/store/sqlite/, test/store/postgres/) runs
 * this same suite against a real store. Ids are random per test, so one store serves them all.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import type { ImageRecord, NewImage, Store } from '../../src/store/port.js'

const MONTH = Date.UTC(2026, 4, 17, 10, 30)

function uid(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

async function addUser(store: Store, id: string, limit = 100): Promise<void> {
  await store.users.create({ id, salt: randomBytes(16), digest: randomBytes(32), sealed: randomBytes(40), monthlyLimit: limit, now: MONTH })
}

function image(userId: string, over: Partial<ImageRecord> = {}, png = randomBytes(64)): NewImage & { png: Buffer } {
  const id = over.id ?? randomUUID()
  return {
    record: {
      id,
      userId,
      requestHash: over.requestHash ?? `hash-${id}`,
      width: 120,
      height: 80,
      bytes: png.byteLength,
      etag: id.replace(/-/g, '').slice(0, 32),
      params: '{"html":"<p>x</p>"}',
      warnings: over.warnings ?? '["dropped: filter"]',
      createdAt: over.createdAt ?? MONTH,
    },
    png,
  }
}

export function storeContract(t: Test, open: () => Promise<Store>): void {
  let store: Store
  t.before(async () => {
    store = await open()
  })
  t.teardown(async () => {
    await store?.close()
  })

  t.test('answers a ping', async (t) => {
    await t.resolves(store.ping())
  })

  t.test('users: create, find, list, rotate, set the limit, revoke', async (t) => {
    const id = uid('user')
    t.equal(await store.users.find(id), undefined, 'unknown before it is created')
    const salt = randomBytes(16)
    const digest = randomBytes(32)
    await store.users.create({ id, salt, digest, sealed: null, monthlyLimit: 7, now: MONTH })
    const found = (await store.users.find(id))!
    t.same({ id: found.id, monthlyLimit: found.monthlyLimit, revokedAt: found.revokedAt, createdAt: found.createdAt, sealed: found.sealed }, {
      id,
      monthlyLimit: 7,
      revokedAt: null,
      createdAt: MONTH,
      sealed: null,
    })
    t.ok(found.salt.equals(salt) && found.digest.equals(digest), 'key bytes come back as Buffers, unchanged')
    await t.rejects(store.users.create({ id, salt, digest, sealed: null, monthlyLimit: 1, now: MONTH }), 'an id is taken once')
    t.match((await store.users.list()).find((u) => u.id === id), { id, monthlyLimit: 7, canSign: false })

    const key = { salt: randomBytes(16), digest: randomBytes(32), sealed: randomBytes(44) }
    t.equal(await store.users.setKey(id, key), true, 'rotate')
    const rotated = (await store.users.find(id))!
    t.ok(rotated.digest.equals(key.digest) && rotated.salt.equals(key.salt) && rotated.sealed!.equals(key.sealed), 'the new key replaces the old')
    t.match((await store.users.list()).find((u) => u.id === id), { canSign: true })
    t.equal(await store.users.setKey(uid('nobody'), key), false, 'no such user')

    t.equal(await store.users.setLimit(id, 9), true)
    t.equal((await store.users.find(id))!.monthlyLimit, 9)
    t.equal(await store.users.setLimit(uid('nobody'), 9), false)

    t.equal(await store.users.revoke(id, MONTH + 5), true, 'revoke')
    t.equal((await store.users.find(id))!.revokedAt, MONTH + 5)
    t.equal(await store.users.revoke(id, MONTH + 9), false, 'a revoked key is revoked once')
    t.equal((await store.users.find(id))!.revokedAt, MONTH + 5, 'and keeps the first time')
    t.equal(await store.users.revoke(uid('nobody'), MONTH), false)
  })

  t.test('the vault check keeps the first value set', async (t) => {
    const first = await store.users.vaultCheck()
    const mine = randomBytes(32)
    await store.users.setVaultCheck(mine)
    const kept = await store.users.vaultCheck()
    t.ok(kept!.equals(first ?? mine), 'set once')
    await store.users.setVaultCheck(randomBytes(32))
    t.ok((await store.users.vaultCheck())!.equals(kept!), 'never replaced')
  })

  t.test('the quota is exact: 40 concurrent charges against a limit of 5', async (t) => {
    const id = uid('quota')
    await addUser(store, id, 5)
    const results = await Promise.all(Array.from({ length: 40 }, () => store.usage.charge(id, 1, 5, MONTH)))
    t.equal(results.filter((r) => r.ok).length, 5, 'exactly 5 pass')
    t.ok(results.every((r) => r.limit === 5 && r.used <= 5))
    t.equal(await store.usage.usedThisMonth(id, MONTH), 5)
    t.same(await store.usage.history(id, 'month', 12), [{ start: '2026-05-01T00:00:00Z', count: 5 }])
    t.same(await store.usage.history(id, 'day', 60), [{ start: '2026-05-17T00:00:00Z', count: 5 }])
    t.same(await store.usage.history(id, 'hour', 72), [{ start: '2026-05-17T10:00:00Z', count: 5 }])
    t.equal(await store.usage.usedThisMonth(id, Date.UTC(2026, 5, 1)), 0, 'a new month starts at 0')
    t.match(await store.usage.charge(id, 2, 6, MONTH), { ok: false, used: 5 }, 'n counts whole: 5 + 2 > 6')
    t.match(await store.usage.charge(id, 1, 6, MONTH), { ok: true, used: 6 })
  })

  t.test('history: the latest periods, oldest first', async (t) => {
    const id = uid('hist')
    await addUser(store, id)
    for (const month of [1, 2, 3]) await store.usage.charge(id, month, 100, Date.UTC(2026, month, 3))
    t.same(await store.usage.history(id, 'month', 2), [
      { start: '2026-03-01T00:00:00Z', count: 2 },
      { start: '2026-04-01T00:00:00Z', count: 3 },
    ])
  })

  t.test('images: 40 concurrent commits against a limit of 5 store exactly 5', async (t) => {
    const id = uid('burst')
    await addUser(store, id, 5)
    const results = await Promise.all(Array.from({ length: 40 }, () => store.images.commit({ userId: id, limit: 5, now: MONTH, images: [image(id)] })))
    t.equal(results.filter((r) => r.status === 'stored').length, 5)
    t.equal(results.filter((r) => r.status === 'over-limit').length, 35)
    t.equal(await store.usage.usedThisMonth(id, MONTH), 5)
    t.equal((await store.images.page(id, 100)).length, 5, 'and only the charged images are stored')
  })

  t.test('images: a batch is stored and charged whole, or not at all', async (t) => {
    const id = uid('batch')
    await addUser(store, id, 3)
    const over = await store.images.commit({ userId: id, limit: 3, now: MONTH, images: [image(id), image(id), image(id), image(id)] })
    t.same(over, { status: 'over-limit', used: 0 })
    t.equal((await store.images.page(id, 10)).length, 0)
    const batch = [image(id), image(id), image(id)]
    t.same(await store.images.commit({ userId: id, limit: 3, now: MONTH, images: batch }), { status: 'stored', used: 3 })
    for (const b of batch) t.ok((await store.images.png(b.record.id))!.equals(b.png))
  })

  t.test('images: create, find, list, delete; a deleted image stays deleted', async (t) => {
    const id = uid('img')
    const other = uid('other')
    await addUser(store, id)
    await addUser(store, other)
    const a = image(id, { createdAt: MONTH })
    const b = image(id, { createdAt: MONTH + 1 })
    const c = image(id, { createdAt: MONTH + 1 })
    for (const i of [a, b, c]) t.match(await store.images.commit({ userId: id, limit: 100, now: MONTH, images: [i] }), { status: 'stored' })
    const { objectKey, ...found } = (await store.images.find(a.record.id))!
    t.same(found, { ...a.record, deletedAt: null }, 'every field comes back')
    t.ok(objectKey === null || typeof objectKey === 'string', 'bytes in the database (null) or under an object key')
    t.ok((await store.images.png(a.record.id))!.equals(a.png), 'and the bytes')
    t.equal(await store.images.find(randomUUID()), undefined)
    t.equal(await store.images.png(randomUUID()), undefined)

    // Newest first, ties by id descending; the cursor continues after (createdAt, id).
    const [bc1, bc2] = [b, c].map((i) => i.record.id).sort().reverse()
    t.same((await store.images.page(id, 10)).map((i) => i.id), [bc1, bc2, a.record.id])
    t.same((await store.images.page(id, 1, { createdAt: MONTH + 1, id: bc1! })).map((i) => i.id), [bc2])
    t.same((await store.images.page(id, 10, { createdAt: MONTH + 1, id: bc2! })).map((i) => i.id), [a.record.id])

    t.equal(await store.images.delete(a.record.id, other, MONTH + 10), false, "another user's image is not deleted")
    t.equal(await store.images.delete(a.record.id, id, MONTH + 10), true)
    t.equal((await store.images.find(a.record.id))!.deletedAt, MONTH + 10, 'the record says when')
    t.equal(await store.images.png(a.record.id), undefined, 'the bytes are gone')
    t.equal(await store.images.delete(a.record.id, id, MONTH + 11), false, 'deleted once')
    t.notOk((await store.images.page(id, 10)).some((i) => i.id === a.record.id), 'no longer listed')

    const used = await store.usage.usedThisMonth(id, MONTH)
    const again = await store.images.commit({ userId: id, limit: 100, now: MONTH, images: [image(id, { id: a.record.id })] })
    t.match(again, { status: 'exists', image: { id: a.record.id, deletedAt: MONTH + 10 } }, 'committing the id again finds it deleted')
    t.equal(await store.images.png(a.record.id), undefined, 'and stores no bytes')
    t.equal(await store.usage.usedThisMonth(id, MONTH), used, 'nor charges')
  })

  t.test('dedupe: the same request at once is one record and one charge', async (t) => {
    const id = uid('dedupe')
    await addUser(store, id)
    const twins = Array.from({ length: 12 }, () => image(id, { requestHash: 'same-request' }))
    const results = await Promise.all(twins.map((i) => store.images.commit({ userId: id, limit: 100, now: MONTH, images: [i], dedupeSince: MONTH - 60_000 })))
    const stored = results.filter((r) => r.status === 'stored')
    t.equal(stored.length, 1, 'one stored')
    const winner = twins[results.findIndex((r) => r.status === 'stored')]!.record.id
    t.ok(results.every((r) => r.status === 'stored' || (r.status === 'exists' && r.image.id === winner)), 'the others get its record')
    t.equal(await store.usage.usedThisMonth(id, MONTH), 1, 'one charge')
    t.same(await store.images.findRecent(id, 'same-request', MONTH - 60_000).then((r) => r?.id), winner)
    t.equal(await store.images.findRecent(id, 'same-request', MONTH + 1), undefined, 'outside the window')

    // Past the window the same request is a new image; a deleted twin never answers.
    const later = await store.images.commit({ userId: id, limit: 100, now: MONTH + 120_000, images: [image(id, { requestHash: 'same-request', createdAt: MONTH + 120_000 })], dedupeSince: MONTH + 60_000 })
    t.match(later, { status: 'stored', used: 2 })
    await store.images.delete(winner, id, MONTH + 130_000)
    const afterDelete = await store.images.commit({ userId: id, limit: 100, now: MONTH + 130_000, images: [image(id, { requestHash: 'other' })], dedupeSince: 0 })
    t.match(afterDelete, { status: 'stored' })
  })

  t.test('first render once: the same id committed at once is one record and one charge', async (t) => {
    const id = uid('ensure')
    await addUser(store, id)
    const fixed = randomUUID()
    const results = await Promise.all(Array.from({ length: 12 }, () => store.images.commit({ userId: id, limit: 100, now: MONTH, images: [image(id, { id: fixed })] })))
    t.equal(results.filter((r) => r.status === 'stored').length, 1)
    t.ok(results.every((r) => r.status === 'stored' || (r.status === 'exists' && r.image.id === fixed && r.image.deletedAt === null)))
    t.equal(await store.usage.usedThisMonth(id, MONTH), 1)
  })

  t.test('templates: versions, heads, lists, delete', async (t) => {
    const owner = uid('tpl')
    const other = uid('tpl-other')
    await addUser(store, owner)
    await addUser(store, other)
    const tid = `t-${randomUUID()}`
    const version = (v: number, userId = owner, id = tid) => ({
      id,
      version: v,
      userId,
      html: `<p>{{name}} v${v}</p>`,
      css: v === 1 ? null : 'p { color: red }',
      name: v === 1 ? null : `card ${v}`,
      description: null,
      options: '{"viewport_width":400}',
      createdAt: v,
    })
    for (const v of [1_000, 2_000, 3_000]) await store.templates.insert(version(v))
    await t.rejects(store.templates.insert(version(2_000)), 'a version is stored once')
    t.same(await store.templates.head(tid), { id: tid, version: 3_000, userId: owner })
    t.same(await store.templates.head(tid, 2_000), { id: tid, version: 2_000, userId: owner })
    t.equal(await store.templates.head(tid, 2_500), undefined)
    t.same(await store.templates.latest(tid), version(3_000))
    t.same(await store.templates.version(tid, 1_000), version(1_000), 'nulls come back as null')
    t.same((await store.templates.versions(tid, 10)).map((v) => v.version), [3_000, 2_000, 1_000])
    t.same((await store.templates.versions(tid, 1, 3_000)).map((v) => v.version), [2_000], 'below maxVersion, at most limit')

    const second = `t-${randomUUID()}`
    await store.templates.insert(version(2_500, owner, second))
    await store.templates.insert(version(5_000, other, `t-${randomUUID()}`))
    t.same((await store.templates.listLatest(owner, 10)).map((v) => [v.id, v.version]), [[tid, 3_000], [second, 2_500]], 'the latest of each, newest first, only the owner’s')
    t.same((await store.templates.listLatest(owner, 10, 3_000)).map((v) => v.id), [second])

    t.equal(await store.templates.delete(tid, other, 9_000), false, "another user's template is not deleted")
    t.equal(await store.templates.delete(tid, owner, 9_000), true)
    t.equal(await store.templates.delete(tid, owner, 9_001), false, 'deleted once')
    t.equal(await store.templates.head(tid), undefined)
    t.equal(await store.templates.latest(tid), undefined)
    t.equal(await store.templates.version(tid, 1_000), undefined, 'every version')
    t.same(await store.templates.versions(tid, 10), [])
    t.same((await store.templates.listLatest(owner, 10)).map((v) => v.id), [second])
  })
}
