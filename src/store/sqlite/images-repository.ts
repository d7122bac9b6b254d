/**
 * Rendered images in SQLite: metadata in `images`, PNG bytes in `image_blobs`. The PNG is the
 * stored master; other formats and sizes are derived on fetch (as the hosted API does). A commit
 * is one synchronous IMMEDIATE transaction (dedupe check, charge, inserts), so no burst, from
 * this process or another on the same file, can pass the limit or store a twin.
 */
import type { Db } from './database.js'
import type { UsageRepository } from './usage-repository.js'
import type { CommitRequest, CommitResult, ImageRecord, ImageStore } from '../port.js'
import { toImage, type RawImage } from '../rows.js'

export class ImagesRepository implements ImageStore {
  readonly #insert
  readonly #insertBlob
  readonly #find
  readonly #blob
  readonly #recent
  readonly #markDeleted
  readonly #dropBlob
  readonly #page
  readonly #db: Db
  readonly #usage: UsageRepository

  constructor(db: Db, usage: UsageRepository) {
    this.#db = db
    this.#usage = usage
    this.#insert = db.prepare(
      'INSERT INTO images (id, user_id, request_hash, width, height, bytes, etag, params, warnings, created_at, object_key) ' +
        'VALUES (@id, @userId, @requestHash, @width, @height, @bytes, @etag, @params, @warnings, @createdAt, @objectKey)',
    )
    this.#insertBlob = db.prepare('INSERT INTO image_blobs (image_id, png) VALUES (?, ?)')
    this.#find = db.prepare<[string], RawImage>('SELECT * FROM images WHERE id = ?')
    this.#blob = db.prepare<[string], { png: Buffer }>('SELECT png FROM image_blobs WHERE image_id = ?')
    this.#recent = db.prepare<[string, string, number], RawImage>(
      'SELECT * FROM images WHERE user_id = ? AND request_hash = ? AND deleted_at IS NULL AND created_at >= ? ' +
        'ORDER BY created_at DESC LIMIT 1',
    )
    this.#markDeleted = db.prepare(
      'UPDATE images SET deleted_at = ? WHERE id = ? AND user_id = ? AND deleted_at IS NULL',
    )
    this.#dropBlob = db.prepare('DELETE FROM image_blobs WHERE image_id = ?')
    this.#page = db.prepare<[string, number, number, string, number], RawImage>(
      'SELECT * FROM images WHERE user_id = ? AND deleted_at IS NULL AND (created_at < ? OR (created_at = ? AND id < ?)) ' +
        'ORDER BY created_at DESC, id DESC LIMIT ?',
    )
  }

  async page(userId: string, count: number, after?: { createdAt: number; id: string }): Promise<ImageRecord[]> {
    const c = after ?? { createdAt: Number.MAX_SAFE_INTEGER, id: '' }
    return this.#page.all(userId, c.createdAt, c.createdAt, after ? c.id : '\uffff', count).map(toImage)
  }

  /** Set by openSqliteStore: commits then run on their own connection in a thread (commit-writer.ts). */
  writer: { commit(req: CommitRequest): Promise<CommitResult> } | undefined

  async commit(req: CommitRequest): Promise<CommitResult> {
    return this.writer ? this.writer.commit(req) : this.commitSync(req)
  }

  /** The commit itself, on this connection: one IMMEDIATE transaction (also what the commit thread runs). */
  commitSync(req: CommitRequest): CommitResult {
    return this.#db
      .transaction((): CommitResult => {
        const twin =
          req.dedupeSince !== undefined && req.images.length === 1
            ? this.#findRecent(req.userId, req.images[0]!.record.requestHash, req.dedupeSince)
            : undefined
        if (twin) return { status: 'exists', image: twin }
        for (const { record } of req.images) {
          const same = this.#findSync(record.id)
          if (same) return { status: 'exists', image: same }
        }
        const charge = this.#usage.chargeSync(req.userId, req.images.length, req.limit, req.now)
        if (!charge.ok) return { status: 'over-limit', used: charge.used }
        for (const { record, png, objectKey } of req.images) {
          this.#insert.run({ ...record, objectKey: objectKey ?? null })
          if (!objectKey) this.#insertBlob.run(record.id, png)
        }
        return { status: 'stored', used: charge.used }
      })
      .immediate()
  }

  async find(id: string): Promise<ImageRecord | undefined> {
    return this.#findSync(id)
  }

  #findSync(id: string): ImageRecord | undefined {
    const row = this.#find.get(id)
    return row ? toImage(row) : undefined
  }

  async png(id: string): Promise<Buffer | undefined> {
    return this.#blob.get(id)?.png
  }

  async findRecent(userId: string, requestHash: string, since: number): Promise<ImageRecord | undefined> {
    return this.#findRecent(userId, requestHash, since)
  }

  #findRecent(userId: string, requestHash: string, since: number): ImageRecord | undefined {
    const row = this.#recent.get(userId, requestHash, since)
    return row ? toImage(row) : undefined
  }

  async delete(id: string, userId: string, now: number): Promise<boolean> {
    return this.#db
      .transaction(() => {
        const changed = this.#markDeleted.run(now, id, userId).changes > 0
        if (changed) this.#dropBlob.run(id)
        return changed
      })
      .immediate()
  }
}
