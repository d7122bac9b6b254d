/**
 * Image bytes in object storage, image records in the database: a decorator over any adapter's
 * ImageStore (SQLite or PostgreSQL), so both keep one commit that charges and records at once.
 *
 * Order is what makes it safe:
 * - commit: the bytes are put first, under a key no other attempt uses (`images/<id>/<nonce>.png`),
 *   then the database commit records that key. An acknowledged image always has its bytes; an
 *   attempt that stores nothing (over the limit, a twin won) deletes its own object, and one that
 *   crashes in between leaves an object no record names: harmless, and `sweep` collects it.
 * - delete: the record is marked deleted first (every node answers 410 from then on), then the
 *   object goes; if that fails the object is an orphan like any other.
 * Records without a key (stored before STORAGE_URL was set) keep being read from the database.
 */
import { randomUUID } from 'node:crypto'
import { AppError } from '../../errors/catalogue.js'
import type { CommitRequest, CommitResult, ImageRecord, ImageStore, Store } from '../port.js'
import type { ObjectStore } from './object-store.js'

const PREFIX = 'images/'

/** The key of one render attempt's bytes. */
const keyFor = (id: string): string => `${PREFIX}${id}/${randomUUID()}.png`

/** The image id a key belongs to, or undefined for anything Vellum did not put there. */
export function idOfKey(key: string): string | undefined {
  const m = /^images\/([^/]+)\/[^/]+\.png$/.exec(key)
  return m?.[1]
}

/** An object-storage failure is the service's, not the request's: 503, retry later. */
async function storage<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof AppError) throw err
    throw new AppError('STORAGE_UNAVAILABLE', undefined, { cause: new Error(`object storage: ${what}: ${(err as Error).message}`) })
  }
}

export class ObjectBackedImages implements ImageStore {
  constructor(
    private readonly inner: ImageStore,
    private readonly objects: ObjectStore,
  ) {}

  async commit(req: CommitRequest): Promise<CommitResult> {
    const placed: string[] = []
    const images = await Promise.all(
      req.images.map(async (image) => {
        if (!image.png) return image
        const key = keyFor(image.record.id)
        await storage('put', () => this.objects.put(key, image.png!)).then(() => placed.push(key))
        return { record: image.record, objectKey: key }
      }),
    ).catch(async (err: unknown) => {
      await this.#discard(placed)
      throw err
    })
    let result: CommitResult
    try {
      result = await this.inner.commit({ ...req, images })
    } catch (err) {
      await this.#discard(placed)
      throw err
    }
    if (result.status !== 'stored') await this.#discard(placed)
    return result
  }

  /** Best effort: an object left behind names no record, and `sweep` removes it later. */
  async #discard(keys: string[]): Promise<void> {
    if (keys.length) await this.objects.delete(keys).catch(() => undefined)
  }

  find(id: string): Promise<ImageRecord | undefined> {
    return this.inner.find(id)
  }

  async png(id: string): Promise<Buffer | undefined> {
    const record = await this.inner.find(id)
    if (!record || record.deletedAt !== null) return undefined
    if (record.objectKey === null) return this.inner.png(id)
    return storage('get', () => this.objects.get(record.objectKey!))
  }

  findRecent(userId: string, requestHash: string, since: number): Promise<ImageRecord | undefined> {
    return this.inner.findRecent(userId, requestHash, since)
  }

  page(userId: string, count: number, after?: { createdAt: number; id: string }): Promise<ImageRecord[]> {
    return this.inner.page(userId, count, after)
  }

  async delete(id: string, userId: string, now: number): Promise<boolean> {
    const record = await this.inner.find(id)
    const deleted = await this.inner.delete(id, userId, now)
    if (deleted && record?.objectKey) await this.#discard([record.objectKey])
    return deleted
  }

  /**
   * Deletes the objects that no live record names (a crash between put and commit, a failed
   * delete), if older than `graceMs` so that a commit still in flight keeps its bytes.
   */
  async sweep(now: number, graceMs: number): Promise<{ scanned: number; deleted: number }> {
    let scanned = 0
    const orphans: string[] = []
    for await (const object of this.objects.list(PREFIX)) {
      scanned++
      if (object.lastModified > now - graceMs) continue
      const id = idOfKey(object.key)
      const record = id === undefined ? undefined : await this.inner.find(id)
      if (id === undefined || !record || record.deletedAt !== null || record.objectKey !== object.key) orphans.push(object.key)
    }
    await this.objects.delete(orphans)
    return { scanned, deleted: orphans.length }
  }
}

/** The store with its image bytes in `objects`: records, users, usage and templates stay where they are. */
export function withObjectStorage(store: Store, objects: ObjectStore): Store & { images: ObjectBackedImages } {
  return {
    ...store,
    location: `${store.location} + ${objects.location}`,
    images: new ObjectBackedImages(store.images, objects),
    async ping() {
      await Promise.all([store.ping(), objects.ping()])
    },
    async close() {
      objects.close()
      await store.close()
    },
  }
}
