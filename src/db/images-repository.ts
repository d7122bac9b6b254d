/**
 * Rendered images: metadata in `images`, PNG bytes in `image_blobs`. The PNG is the stored
 * master; other formats and sizes are derived on fetch (as the hosted API does).
 */
import type { Db } from './database.js'

export interface ImageRecord {
  id: string
  userId: string
  requestHash: string
  width: number
  height: number
  bytes: number
  etag: string
  params: string
  /** JSON array of what the renderer dropped or clamped. */
  warnings: string
  createdAt: number
  deletedAt: number | null
}

interface RawImage {
  id: string
  user_id: string
  request_hash: string
  width: number
  height: number
  bytes: number
  etag: string
  params: string
  warnings: string
  created_at: number
  deleted_at: number | null
}

const toImage = (r: RawImage): ImageRecord => ({
  id: r.id,
  userId: r.user_id,
  requestHash: r.request_hash,
  width: r.width,
  height: r.height,
  bytes: r.bytes,
  etag: r.etag,
  params: r.params,
  warnings: r.warnings,
  createdAt: r.created_at,
  deletedAt: r.deleted_at,
})

export class ImagesRepository {
  readonly #insert
  readonly #insertBlob
  readonly #find
  readonly #blob
  readonly #recent
  readonly #markDeleted
  readonly #dropBlob
  readonly #page

  constructor(db: Db) {
    this.#insert = db.prepare(
      'INSERT INTO images (id, user_id, request_hash, width, height, bytes, etag, params, warnings, created_at) ' +
        'VALUES (@id, @userId, @requestHash, @width, @height, @bytes, @etag, @params, @warnings, @createdAt)',
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

  /** The user's live images, newest first, after the (createdAt, id) cursor. */
  page(userId: string, count: number, after?: { createdAt: number; id: string }): ImageRecord[] {
    const c = after ?? { createdAt: Number.MAX_SAFE_INTEGER, id: '' }
    return this.#page.all(userId, c.createdAt, c.createdAt, after ? c.id : '\uffff', count).map(toImage)
  }

  insert(image: Omit<ImageRecord, 'deletedAt'>, png: Uint8Array): void {
    this.#insert.run(image)
    this.#insertBlob.run(image.id, png)
  }

  find(id: string): ImageRecord | undefined {
    const row = this.#find.get(id)
    return row ? toImage(row) : undefined
  }

  png(id: string): Buffer | undefined {
    return this.#blob.get(id)?.png
  }

  /** The newest live image of this user with the same request, created at or after `since`. */
  findRecent(userId: string, requestHash: string, since: number): ImageRecord | undefined {
    const row = this.#recent.get(userId, requestHash, since)
    return row ? toImage(row) : undefined
  }

  /** Marks the image deleted (later GETs answer 410) and frees its bytes. False if not this user's live image. */
  delete(id: string, userId: string, now: number): boolean {
    const changed = this.#markDeleted.run(now, id, userId).changes > 0
    if (changed) this.#dropBlob.run(id)
    return changed
  }
}
