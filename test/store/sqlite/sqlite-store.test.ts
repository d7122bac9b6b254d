/** The storage contract against the SQLite adapter, on a real file. */
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.js'
import { storeContract } from '../contract.js'

const dir = mkdtempSync(join(tmpdir(), 'vellum-store-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

storeContract(t, async () => openSqliteStore(join(dir, 'vellum.db')))
