/**
 * `vellum migrate --from <DATA_DIR>`: moves an embedded installation (its SQLite file) into the
 * PostgreSQL database DATABASE_URL names, and its image bytes into the bucket when STORAGE_URL
 * is set. Both schemas have the same tables and columns (src/store/rows.ts), so rows are copied
 * column for column, in one transaction: a failed import leaves the database empty, and only an
 * empty database is imported into, so nothing is ever merged or overwritten.
 *
 * API keys are sealed with a server secret; the nodes may use another one than the embedded
 * installation did, so each key is opened with the old secret and sealed again with the new
 * (`reseal`). Bytes put into the bucket before a failed commit are orphans the sweep collects.
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import type { Db } from '../sqlite/database.js'
import type { ObjectStore } from '../objects/object-store.js'
import { migrate } from './migrations.js'
import { transaction, types } from './pg-client.js'

export interface ImportCounts {
  users: number
  /** Users whose key could not be sealed for the nodes: they sign nothing until rotate-key. */
  unsealed: number
  usage: number
  templates: number
  images: number
  /** Image bytes copied (database or bucket); deleted images have none. */
  blobs: number
}

type Row = Record<string, unknown>

const BATCH = 200

/** One multi-row INSERT per batch; columns named, so their order in either schema does not matter. */
async function insertAll(client: pg.PoolClient, table: string, rows: Iterable<Row>): Promise<number> {
  let n = 0
  let batch: Row[] = []
  const flush = async () => {
    if (!batch.length) return
    const columns = Object.keys(batch[0]!)
    const values: unknown[] = []
    const tuples = batch.map((row) => `(${columns.map((c) => `$${values.push(row[c])}`).join(', ')})`)
    await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values)
    n += batch.length
    batch = []
  }
  for (const row of rows) {
    batch.push(row)
    if (batch.length >= BATCH) await flush()
  }
  await flush()
  return n
}

export async function importSqlite(options: {
  source: Db
  url: string
  objects?: ObjectStore
  reseal: (userId: string, sealed: Buffer | null) => Buffer | null
}): Promise<ImportCounts> {
  const { source, objects } = options
  const pool = new pg.Pool({ connectionString: options.url, max: 1, types })
  try {
    await migrate(pool)
    // One transaction (pg-client's helper): a failed import leaves the database as it was.
    return await transaction(pool, async (client) => {
      const { rows } = await client.query<{ n: number }>('SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM images) AS n')
      if (Number(rows[0]!.n) > 0) throw new Error('the target database already holds users or images: import only into an empty database')
      const counts: ImportCounts = { users: 0, unsealed: 0, usage: 0, templates: 0, images: 0, blobs: 0 }

      const users = source.prepare<[], Row>('SELECT * FROM users').all().map((u) => {
        const sealed = options.reseal(u.id as string, u.key_sealed as Buffer | null)
        if (sealed === null) counts.unsealed++
        return { ...u, key_sealed: sealed }
      })
      counts.users = await insertAll(client, 'users', users)
      counts.usage = await insertAll(client, 'usage', source.prepare<[], Row>('SELECT * FROM usage').iterate())
      counts.templates = await insertAll(client, 'templates', source.prepare<[], Row>('SELECT * FROM templates').iterate())

      // Records first (the blobs reference them), the bytes one image at a time so that memory
      // holds one PNG, never the whole installation.
      const blob = source.prepare<[string], { png: Buffer }>('SELECT png FROM image_blobs WHERE image_id = ?')
      const bytesInDb: string[] = []
      const images: Row[] = []
      // Records are small; read them all, so the blob reads below do not run inside an open cursor.
      for (const image of source.prepare<[], Row>('SELECT * FROM images').all()) {
        const id = image.id as string
        if (objects && image.object_key === null && image.deleted_at === null) {
          const png = blob.get(id)?.png
          if (png) {
            const key = `images/${id}/${randomUUID()}.png`
            await objects.put(key, png)
            image.object_key = key
            counts.blobs++
          }
        } else if (image.object_key === null && image.deleted_at === null) {
          bytesInDb.push(id)
        }
        images.push(image)
        if (images.length >= BATCH) counts.images += await insertAll(client, 'images', images.splice(0))
      }
      counts.images += await insertAll(client, 'images', images)
      for (const id of bytesInDb) {
        const png = blob.get(id)?.png
        if (png) counts.blobs += await insertAll(client, 'image_blobs', [{ image_id: id, png }])
      }
      return counts
    })
  } finally {
    await pool.end()
  }
}
