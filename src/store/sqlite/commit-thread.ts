/**
 * The SQLite commit thread: image commits (dedupe check, charge, inserts, then an fsync, since
 * the file runs with synchronous=FULL) on a connection of its own, so the API's event loop never
 * waits for the disk. A commit held the event loop 3.6 ms per render under load (measured with
 * --cpu-prof: 1.74 s of 12 s in sqliteTransaction at 48 renders/s), delaying every cached GET
 * queued behind it. Durability is unchanged: the promise resolves after the transaction
 * committed, as before. Started by commit-writer.ts; one message in, one message out.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase } from './database.js'
import { UsageRepository } from './usage-repository.js'
import { ImagesRepository } from './images-repository.js'
import type { CommitRequest } from '../port.js'

const db = openDatabase((workerData as { file: string }).file)
const images = new ImagesRepository(db, new UsageRepository(db))

parentPort!.on('message', (message: { id: number; req: CommitRequest } | 'close') => {
  if (message === 'close') {
    db.close()
    parentPort!.close()
    return
  }
  try {
    parentPort!.postMessage({ id: message.id, result: images.commitSync(message.req) })
  } catch (err) {
    const e = err as Error & { code?: string }
    parentPort!.postMessage({ id: message.id, error: { message: e.message, code: e.code, name: e.name } })
  }
})
