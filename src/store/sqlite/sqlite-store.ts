/**
 * The SQLite adapter of the storage port: one file under DATA_DIR, opened with better-sqlite3.
 * Its statements run synchronously, so every multi-row step is one IMMEDIATE transaction and
 * the Promise it returns is already settled when the call returns.
 */
import { openDatabase } from './database.js'
import { UsersRepository } from './users-repository.js'
import { UsageRepository } from './usage-repository.js'
import { ImagesRepository } from './images-repository.js'
import { TemplatesRepository } from './templates-repository.js'
import type { Store } from '../port.js'

export function openSqliteStore(file: string): Store {
  const db = openDatabase(file)
  const usage = new UsageRepository(db)
  const ping = db.prepare('SELECT 1')
  // Changes when another connection (another process on this DATA_DIR) commits; never for our own.
  const dataVersion = db.prepare('PRAGMA data_version').pluck()
  return {
    kind: 'sqlite',
    location: file,
    users: new UsersRepository(db),
    usage,
    images: new ImagesRepository(db, usage),
    templates: new TemplatesRepository(db),
    changeStamp: () => dataVersion.get() as number,
    async ping() {
      ping.get()
    },
    async close() {
      if (db.open) db.close()
    },
  }
}
