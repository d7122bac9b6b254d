/**
 * Opens the embedded SQLite file under DATA_DIR, sets the pragmas the service relies on and
 * brings the schema up to date. WAL lets the image GET path read while a render commits;
 * synchronous=FULL because an acknowledged image URL must survive a power cut, and one
 * fsync is cheap next to a render.
 */
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { migrations } from './migrations.js'

export type Db = Database.Database

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  const db = new Database(file, { timeout: 5000 })
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  migrate(db)
  return db
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!)
      db.pragma(`user_version = ${v + 1}`)
    }).immediate()
  }
}
