/**
 * The SQLite adapter of the storage port: one file under DATA_DIR, opened with better-sqlite3.
 * Its statements run synchronously, so every multi-row step is one IMMEDIATE transaction and
 * the Promise it returns is already settled when the call returns.
 */
import { openDatabase } from './database.js'
import { UsersRepository } from './users-repository.js'
import { UsageRepository } from './usage-repository.js'
import { ImagesRepository } from './images-repository.js'
import { CommitWriter } from './commit-writer.js'
import { TemplatesRepository } from './templates-repository.js'
import type { Store } from '../port.js'

/** Makes each named method bump the counter once its write is done (see Store.changeStamp). */
function counting<T extends object>(target: T, methods: Array<keyof T & string>, bump: () => void): T {
  const writable = target as Record<string, unknown>
  for (const name of methods) {
    const original = (writable[name] as (...args: unknown[]) => Promise<unknown>).bind(target)
    writable[name] = async (...args: unknown[]) => {
      try {
        return await original(...args)
      } finally {
        bump()
      }
    }
  }
  return target
}

/**
 * `commitThread`: image commits run on a connection of their own in a thread (commit-writer.ts),
 * off the event loop; the server turns it on, tools and most tests keep commits inline.
 * `deferThread`: the thread starts at warmUp(), commits before that run inline (the server's
 * start, where the thread's boot would take a core from the first render worker's).
 */
export function openSqliteStore(file: string, options: { commitThread?: boolean; deferThread?: boolean } = {}): Store {
  const db = openDatabase(file)
  const usage = new UsageRepository(db)
  const ping = db.prepare('SELECT 1')
  // data_version moves when another connection (another process on this DATA_DIR) commits, never
  // for our own; our own writes that can change an answer already given are counted beside it.
  // Both only grow, so their sum moves whenever either does.
  const dataVersion = db.prepare('PRAGMA data_version').pluck()
  let localWrites = 0
  const bump = () => void localWrites++
  const images = new ImagesRepository(db, usage)
  // The thread's commits are another connection's: they move data_version (only inserts, so a
  // cached answer is checked once more than it needs to be, never served stale).
  const writer = options.commitThread ? new CommitWriter(file, (req) => images.commitSync(req), { deferred: options.deferThread }) : undefined
  images.writer = writer
  return {
    kind: 'sqlite',
    location: file,
    users: counting(new UsersRepository(db), ['create', 'setKey', 'setLimit', 'revoke'], bump),
    usage,
    images: counting(images, ['delete'], bump),
    templates: counting(new TemplatesRepository(db), ['insert', 'delete'], bump),
    changeStamp: () => (dataVersion.get() as number) + localWrites,
    async ping() {
      ping.get()
    },
    warmUp() {
      writer?.start()
    },
    async close() {
      await writer?.close()
      if (db.open) db.close()
    },
  }
}
