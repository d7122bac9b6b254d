/** The storage contract against the PostgreSQL adapter, on a real server started for this file. */
import t from 'tap'
import pg from 'pg'
import { openPostgresStore } from '../../../src/store/postgres/postgres-store.js'
import { migrations } from '../../../src/store/postgres/migrations.js'
import { startPostgres } from './postgres-server.js'
import { storeContract } from '../contract.js'

const server = await startPostgres()
t.teardown(() => server.stop())

t.test('contract', async (t) => {
  storeContract(t, () => openPostgresStore({ url: server.createDatabase('contract'), poolMax: 10 }))
})

t.test('migrations run once, also when nodes boot together', async (t) => {
  const url = server.createDatabase('boot')
  const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ url, poolMax: 2 })))
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const { rows } = await client.query<{ version: number }>('SELECT version FROM vellum_migrations ORDER BY version')
  t.same(rows.map((r) => r.version), migrations.map((_, i) => i + 1), 'each step recorded once')
  await client.end()
  await Promise.all(stores.map((s) => s.close()))
  const again = await openPostgresStore({ url, poolMax: 1 })
  await t.resolves(again.ping(), 'a migrated database opens again')
  await again.close()
})

t.test('two pools (two nodes) on one database: the quota stays exact', async (t) => {
  const url = server.createDatabase('nodes')
  const [a, b] = await Promise.all([openPostgresStore({ url, poolMax: 5 }), openPostgresStore({ url, poolMax: 5 })])
  t.teardown(async () => {
    await a!.close()
    await b!.close()
  })
  await a!.users.create({ id: 'shared', salt: Buffer.alloc(16), digest: Buffer.alloc(32), sealed: null, monthlyLimit: 5, now: Date.now() })
  const now = Date.now()
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a! : b!).usage.charge('shared', 1, 5, now)))
  t.equal(results.filter((r) => r.ok).length, 5)
  t.equal(await b!.usage.usedThisMonth('shared', now), 5)
})
