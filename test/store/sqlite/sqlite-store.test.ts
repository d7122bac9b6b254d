/** The storage contract against the SQLite adapter, on a real file: commits inline, and on the commit thread the server uses. */
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.js'
import { storeContract } from '../contract.js'

const dir = mkdtempSync(join(tmpdir(), 'vellum-store-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

t.test('commits inline', async (t) => {
  storeContract(t, async () => openSqliteStore(join(dir, 'inline.db')))
})

t.test('commits on the commit thread', async (t) => {
  storeContract(t, async () => openSqliteStore(join(dir, 'thread.db'), { commitThread: true }))
})
