/**
 * Image records (`images`) and PNG bytes (`image_blobs`) in PostgreSQL. A commit takes a
 * transaction-scoped advisory lock on its user before it looks for a twin (dedupe window, same
 * id), so two commits of one user, on any nodes, never both find none and both insert.
 */
import type pg from 'pg'
import type { CommitRequest, CommitResult, ImageRecord, ImageStore } from '../port.js'
import { toImage, type RawImage } from '../rows.js'
import { transaction, type Queryable } from './pg-client.js'
import type { PgUsage } from './usage-repository.js'

export class PgImages implements ImageStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly usage: PgUsage,
  ) {}

  async commit(req: CommitRequest): Promise<CommitResult> {
    return transaction(this.pool, async (client) => {
      // One user's commits take turns (other users' do not wait): a twin committed by another
      // node before this lock was granted is visible to the statements after it.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`vellum:commit:${req.userId}`])
      if (req.dedupeSince !== undefined && req.images.length === 1) {
        const twin = await this.findRecent(req.userId, req.images[0]!.record.requestHash, req.dedupeSince, client)
        if (twin) return { status: 'exists', image: twin } as const
      }
      for (const { record } of req.images) {
        const same = await this.find(record.id, client)
        if (same) return { status: 'exists', image: same } as const
      }
      const charge = await this.usage.chargeIn(client, req.userId, req.images.length, req.limit, req.now)
      if (!charge.ok) return { status: 'over-limit', used: charge.used } as const
      for (const { record: r, png, objectKey } of req.images) {
        await client.query(
          'INSERT INTO images (id, user_id, request_hash, width, height, bytes, etag, params, warnings, created_at, object_key) ' +
            'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
          [r.id, r.userId, r.requestHash, r.width, r.height, r.bytes, r.etag, r.params, r.warnings, r.createdAt, objectKey ?? null],
        )
        if (!objectKey && png) {
          await client.query('INSERT INTO image_blobs (image_id, png) VALUES ($1, $2)', [r.id, Buffer.from(png.buffer, png.byteOffset, png.byteLength)])
        }
      }
      return { status: 'stored', used: charge.used } as const
    })
  }

  async find(id: string, db: Queryable = this.pool): Promise<ImageRecord | undefined> {
    const { rows } = await db.query<RawImage>('SELECT * FROM images WHERE id = $1', [id])
    return rows[0] ? toImage(rows[0]) : undefined
  }

  async png(id: string): Promise<Buffer | undefined> {
    const { rows } = await this.pool.query<{ png: Buffer }>('SELECT png FROM image_blobs WHERE image_id = $1', [id])
    return rows[0]?.png
  }

  async findRecent(userId: string, requestHash: string, since: number, db: Queryable = this.pool): Promise<ImageRecord | undefined> {
    const { rows } = await db.query<RawImage>(
      'SELECT * FROM images WHERE user_id = $1 AND request_hash = $2 AND deleted_at IS NULL AND created_at >= $3 ORDER BY created_at DESC LIMIT 1',
      [userId, requestHash, since],
    )
    return rows[0] ? toImage(rows[0]) : undefined
  }

  async page(userId: string, count: number, after?: { createdAt: number; id: string }): Promise<ImageRecord[]> {
    const { rows } = after
      ? await this.pool.query<RawImage>(
          'SELECT * FROM images WHERE user_id = $1 AND deleted_at IS NULL AND (created_at < $2 OR (created_at = $2 AND id < $3)) ' +
            'ORDER BY created_at DESC, id DESC LIMIT $4',
          [userId, after.createdAt, after.id, count],
        )
      : await this.pool.query<RawImage>('SELECT * FROM images WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $2', [
          userId,
          count,
        ])
    return rows.map(toImage)
  }

  async delete(id: string, userId: string, now: number): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      const r = await client.query('UPDATE images SET deleted_at = $1 WHERE id = $2 AND user_id = $3 AND deleted_at IS NULL', [now, id, userId])
      if ((r.rowCount ?? 0) === 0) return false
      await client.query('DELETE FROM image_blobs WHERE image_id = $1', [id])
      return true
    })
  }
}
