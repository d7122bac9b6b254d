/**
 * The hosted API's image lifecycle: create (with dedupe and quota), batch create, delete and
 * fetch. The quota is charged in the same atomic store commit that stores the image, after the
 * render succeeded: a failed render costs nothing, an acknowledged image is always paid for, and
 * because the commit is atomic in the store (see store/port.ts) no burst can pass the limit.
 */
import { createHash, randomUUID } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { CommitResult, ImageRecord, ImageStore, UsageStore, UserRow } from '../store/port.js'
import { AppError, scopeError } from '../errors/catalogue.js'
import type { CreateImageRequest } from '../http/schemas/create-image.js'
import { renderKey, type RenderService, type RenderOutput } from '../render/render-service.js'
import pLimit, { type LimitFunction } from 'p-limit'
import { checkVariant, deriveVariant, FORMATS, isPlain, variantKey, type VariantRequest } from './variants.js'
import { noMetrics, type Metrics } from '../observability/metrics.js'
import type { StageTimings } from '../render/job.js'

export interface Created {
  id: string
  /** Credits this request consumed (0 for a dedupe hit). */
  consumed: number
  used: number
  limit: number
  warnings: string[]
  /** Stage times of a fresh render (absent for a dedupe hit), for the Server-Timing header. */
  timings?: StageTimings & { store: number }
}

export interface StoredImage {
  bytes: Buffer
  etag: string
  mime: string
  ext: string
}

/**
 * The warnings kept with a stored image for dedupe hits: the leading ones, enough for the
 * x-vellum-dropped-css header (which shows 2000 characters); a page that clamps a blur on every
 * element would otherwise store thousands.
 */
function storedWarnings(warnings: string[]): string[] {
  const kept: string[] = []
  let chars = 0
  for (const w of warnings) {
    if (chars > 4096) break
    kept.push(w)
    chars += w.length + 3
  }
  return kept
}

export class ImageService {
  /** Unique renders in flight per user and render key: twins join them; the render is dropped from the queue only once every caller has left. */
  readonly #inflight = new Map<string, { work: Promise<Created>; waiters: number; cancel: AbortController }>()
  /** Renders in flight for images whose id is given by the caller (signed URLs), by that id; dropped from the queue once every caller has left. */
  readonly #ensuring = new Map<string, { work: Promise<unknown>; waiters: number; cancel: AbortController }>()
  readonly #variants: LRUCache<string, StoredImage>
  /** Ids of cached images checked live since the store's change stamp last moved (see deps.changeStamp). */
  readonly #checked = new Set<string>()
  #stamp: number | undefined
  // At most `variants.concurrency` variant builds at once, the rest wait in arrival order: sharp
  // runs each on libuv's thread pool (4 threads), which the API's file, DNS and crypto work
  // share, and each build holds a decoded image, so a burst of distinct ?width= URLs would
  // otherwise take every thread and a lot of memory at once.
  readonly #build: LimitFunction

  constructor(
    private readonly deps: {
      images: ImageStore
      usage: UsageStore
      renderer: RenderService
      cacheBytes: number
      /** Output pixels a resized variant may have (MAX_OUTPUT_PIXELS) and how many build at once. */
      variants: { outputPixels: number; resizeSide?: number; concurrency: number }
      defaultDedupeSeconds: number
      metrics?: Metrics
      /**
       * The store is shared with other nodes (PostgreSQL): a delete there does not reach this
       * process's cache, so a cached image is served only after the store says it is still live.
       */
      sharedStore?: boolean
      /**
       * Store.changeStamp: when it moved since a cached image was last checked, another process
       * wrote to the store (two servers on one DATA_DIR) and the image is checked once more.
       */
      changeStamp?: () => number
      now?: () => number
    },
  ) {
    this.#variants = new LRUCache<string, StoredImage>({
      maxSize: Math.max(1, deps.cacheBytes),
      sizeCalculation: (v) => Math.max(1, v.bytes.byteLength),
      maxEntrySize: Math.max(1, Math.floor(deps.cacheBytes / 4)),
    })
    this.#build = pLimit(deps.variants.concurrency)
  }

  #now(): number {
    return this.deps.now?.() ?? Date.now()
  }

  get #metrics(): Metrics {
    return this.deps.metrics ?? noMetrics
  }

  #planLimit(user: UserRow, used: number): AppError {
    this.#metrics.quotaRejected()
    return new AppError(
      'PLAN_LIMIT',
      `You've used ${used} of your ${user.monthlyLimit} renders. Ask the server's operator to raise your monthly limit.`,
    )
  }

  /** Cheap early refusal, so a user at the limit never costs a render. The charge itself is atomic later. */
  async #precheck(user: UserRow, n: number): Promise<void> {
    const used = await this.deps.usage.usedThisMonth(user.id, this.#now())
    if (used + n > user.monthlyLimit) throw this.#planLimit(user, used)
  }

  /**
   * `signal`: the client has gone. A render still queued for it (and for no one else) is dropped
   * and nothing is charged; one that has started finishes and is stored, so a retry finds it.
   */
  async create(user: UserRow, req: CreateImageRequest, signal?: AbortSignal): Promise<Created> {
    const hash = renderKey(req.render)
    const dedupeSeconds = req.dedupeSeconds ?? this.deps.defaultDedupeSeconds
    const usedNow = () => this.deps.usage.usedThisMonth(user.id, this.#now())
    if (dedupeSeconds > 0) {
      const existing = await this.deps.images.findRecent(user.id, hash, this.#now() - dedupeSeconds * 1000)
      if (existing) return this.#repeat(user, existing)
      // A twin request already rendering for this user: answer with its image, charge once.
      const twin = this.#inflight.get(`${user.id}:${hash}`)
      if (twin && !twin.cancel.signal.aborted) {
        this.#join(twin, signal)
        return twin.work.then(async (c) => ({ ...c, consumed: 0, used: await usedNow() }))
      }
    }
    if (dedupeSeconds === 0) return this.#createFresh(user, req, hash, dedupeSeconds, signal)
    const key = `${user.id}:${hash}`
    const cancel = new AbortController()
    const entry = { work: this.#createFresh(user, req, hash, dedupeSeconds, cancel.signal), waiters: 0, cancel }
    this.#join(entry, signal)
    this.#inflight.set(key, entry)
    entry.work.finally(() => this.#inflight.get(key) === entry && this.#inflight.delete(key)).catch(() => {})
    return entry.work
  }

  /** One more caller waits on `entry`; when every one has left, its render is dropped if still queued. */
  #join(entry: { waiters: number; cancel: AbortController }, signal: AbortSignal | undefined): void {
    entry.waiters++
    if (!signal) {
      entry.waiters = Infinity // a caller that cannot leave
      return
    }
    const leave = () => {
      if (--entry.waiters <= 0) entry.cancel.abort()
    }
    if (signal.aborted) leave()
    else signal.addEventListener('abort', leave, { once: true })
  }

  /** A dedupe hit: the stored image, nothing charged. */
  async #repeat(user: UserRow, existing: ImageRecord): Promise<Created> {
    const used = await this.deps.usage.usedThisMonth(user.id, this.#now())
    return { id: existing.id, consumed: 0, used, limit: user.monthlyLimit, warnings: JSON.parse(existing.warnings) as string[] }
  }

  async #createFresh(user: UserRow, req: CreateImageRequest, hash: string, dedupeSeconds: number, signal?: AbortSignal): Promise<Created> {
    await this.#precheck(user, 1)
    const out = await this.deps.renderer.render(req.render, hash, signal)
    const storeStart = performance.now()
    // The store checks the dedupe window again inside the commit: a twin stored meanwhile by
    // another process on the same store is answered instead, and nothing is charged twice.
    const dedupeSince = dedupeSeconds > 0 ? this.#now() - dedupeSeconds * 1000 : undefined
    const result = await this.#commit(user, [{ hash, out, req }], dedupeSince)
    if (result.status === 'exists') return this.#repeat(user, result.image)
    const id = result.ids[0]!
    const store = Math.round((performance.now() - storeStart) * 100) / 100
    this.#prime(id, out)
    return {
      id,
      consumed: 1,
      used: await this.deps.usage.usedThisMonth(user.id, this.#now()),
      limit: user.monthlyLimit,
      warnings: out.warnings,
      timings: { ...out.timings, store },
    }
  }

  /**
   * Makes sure the image `id` exists, rendering and charging it the first time: the id is derived
   * from the content by the caller (a signed URL means one image), so a second request finds it
   * stored, and requests that arrive while it renders join that render and its single charge.
   * A deleted id stays deleted (410), as any deleted image.
   */
  async ensure(user: UserRow, req: CreateImageRequest, id: string, signal?: AbortSignal): Promise<{ rendered: boolean; warnings: string[] }> {
    const existing = await this.deps.images.find(id)
    if (existing) return stored(existing)
    const running = this.#ensuring.get(id)
    // One whose callers have all left is being dropped: a caller arriving now renders afresh.
    if (running && !running.cancel.signal.aborted) {
      // Crawlers fetch the same og:image URL at once: one render, dropped only when every one has gone.
      this.#join(running, signal)
      await running.work
      return { rendered: false, warnings: [] }
    }
    const cancel = new AbortController()
    const work = (async () => {
      await this.#precheck(user, 1)
      const hash = renderKey(req.render)
      const out = await this.deps.renderer.render(req.render, hash, cancel.signal)
      // Another process on the same store may have stored this id meanwhile: then it was charged there.
      const result = await this.#commit(user, [{ hash, out, req, id }])
      if (result.status === 'exists') return stored(result.image)
      this.#prime(id, out)
      return { rendered: true, warnings: out.warnings }
    })()
    const entry = { work, waiters: 0, cancel }
    this.#join(entry, signal)
    this.#ensuring.set(id, entry)
    try {
      return await work
    } finally {
      if (this.#ensuring.get(id) === entry) this.#ensuring.delete(id)
    }
  }

  /** A new image is usually fetched right away: keep its PNG in the served-image cache. */
  #prime(id: string, out: RenderOutput): void {
    const png = FORMATS.png
    this.#variants.set(variantKey(id, { format: 'png', width: undefined, height: undefined }), { bytes: out.png, etag: out.etag, mime: png.mime, ext: png.ext })
  }

  /**
   * Stores images and charges for them in one atomic store commit; refuses all if the month would
   * overflow. With `dedupeSince` (one image), a twin already stored in that window is returned instead.
   */
  async #commit(
    user: UserRow,
    items: Array<{ hash: string; out: RenderOutput; req: CreateImageRequest; id?: string }>,
    dedupeSince?: number,
  ): Promise<{ status: 'stored'; ids: string[] } | Extract<CommitResult, { status: 'exists' }>> {
    const now = this.#now()
    const started = performance.now()
    const images = items.map(({ hash, out, req, id = randomUUID() }) => ({
      record: {
        id,
        userId: user.id,
        requestHash: hash,
        width: out.width,
        height: out.height,
        bytes: out.png.byteLength,
        etag: out.etag,
        params: JSON.stringify(req.render),
        warnings: JSON.stringify(storedWarnings(out.warnings)),
        createdAt: now,
      },
      png: out.png,
    }))
    const result = await this.deps.images.commit({ userId: user.id, limit: user.monthlyLimit, now, images, dedupeSince })
    this.#metrics.storeSeconds((performance.now() - started) / 1000)
    if (result.status === 'over-limit') throw this.#planLimit(user, result.used)
    if (result.status === 'exists') return result
    return { status: 'stored', ids: images.map((i) => i.record.id) }
  }

  /** All variations render, then all are stored and charged together, or none are. Order is kept. */
  /** `signal`: the client has gone; the variations still queued are dropped and nothing is charged. */
  async createBatch(user: UserRow, reqs: CreateImageRequest[], signal?: AbortSignal): Promise<{ ids: string[]; used: number }> {
    if (reqs.length === 0) return { ids: [], used: await this.deps.usage.usedThisMonth(user.id, this.#now()) }
    await this.#precheck(user, reqs.length)
    // The batch fails as a whole: once one variation fails, the others still queued are dropped
    // (measured: a failed batch of four deep documents kept the worker busy 3 s for nothing).
    const giveUp = new AbortController()
    if (signal?.aborted) giveUp.abort()
    else signal?.addEventListener('abort', () => giveUp.abort(), { once: true })
    const outs = await Promise.all(
      reqs.map(async (req, i) => {
        const hash = renderKey(req.render)
        try {
          return { hash, req, out: await this.deps.renderer.render(req.render, hash, giveUp.signal) }
        } catch (err) {
          giveUp.abort()
          throw err instanceof AppError ? scopeError(err, `variations[${i}]`) : err
        }
      }),
    )
    const result = await this.#commit(user, outs)
    // Random ids: a batch never meets a stored twin.
    if (result.status !== 'stored') throw new Error(`image id ${result.image.id} already stored`)
    const { ids } = result
    ids.forEach((id, i) => this.#prime(id, outs[i]!.out))
    return { ids, used: await this.deps.usage.usedThisMonth(user.id, this.#now()) }
  }

  async delete(user: UserRow, id: string): Promise<boolean> {
    const deleted = await this.deps.images.delete(id, user.id, this.#now())
    if (deleted) this.#evict(id)
    return deleted
  }

  /** One page of the user's images; the token is an opaque cursor. */
  async list(user: UserRow, count: number, token?: string): Promise<{ images: ImageRecord[]; next?: string }> {
    let after: { createdAt: number; id: string } | undefined
    if (token) {
      const [createdAt, id] = Buffer.from(token, 'base64url').toString('utf8').split('/')
      if (!createdAt || !id || !Number.isFinite(Number(createdAt))) {
        throw new AppError('VALIDATION', 'page_token is not a token from a previous page', { issues: [{ path: 'page_token', message: 'unknown page token' }] })
      }
      after = { createdAt: Number(createdAt), id }
    }
    const rows = await this.deps.images.page(user.id, count + 1, after)
    const images = rows.slice(0, count)
    const last = images[images.length - 1]
    return { images, next: rows.length > count && last ? Buffer.from(`${last.createdAt}/${last.id}`).toString('base64url') : undefined }
  }

  find(id: string): Promise<ImageRecord | undefined> {
    return this.deps.images.find(id)
  }

  /** The image bytes in the asked format and size; 404/410 for unknown/deleted ids. */
  /** The image (or variant) when the served-image cache holds it, which it never does for a deleted one. */
  async cached(id: string, variant: VariantRequest): Promise<StoredImage | undefined> {
    const hit = this.#variants.get(variantKey(id, variant))
    this.#metrics.cache(isPlain(variant) ? 'served_images' : 'variants', hit !== undefined)
    if (hit && !this.deps.sharedStore && this.deps.changeStamp && !(await this.#unchanged(id))) {
      this.#evict(id)
      return undefined
    }
    if (hit && this.deps.sharedStore) {
      // One indexed read: the truth is the store's, not this node's cache (issue 16).
      const record = await this.deps.images.find(id)
      if (!record || record.deletedAt !== null) {
        this.#evict(id)
        return undefined
      }
    }
    return hit
  }

  /**
   * False when another process deleted the image since it was cached. One stamp read per hit;
   * while no other process writes (one server on its DATA_DIR), never a store read.
   */
  async #unchanged(id: string): Promise<boolean> {
    const stamp = this.deps.changeStamp!()
    if (stamp !== this.#stamp) {
      this.#stamp = stamp
      this.#checked.clear()
    }
    if (this.#checked.has(id)) return true
    const record = await this.deps.images.find(id)
    if (!record || record.deletedAt !== null) return false
    // Bounded by the cache: cleared when it outgrows what the cache could hold in small images.
    if (this.#checked.size >= 100_000) this.#checked.clear()
    this.#checked.add(id)
    return true
  }

  #evict(id: string): void {
    for (const key of this.#variants.keys()) if (key.startsWith(`${id}:`)) this.#variants.delete(key)
  }

  /** `cacheMissed`: the caller just asked `cached()` (so the miss is not counted twice). */
  async fetch(id: string, variant: VariantRequest, cacheMissed = false): Promise<StoredImage> {
    const key = variantKey(id, variant)
    const hit = cacheMissed ? undefined : await this.cached(id, variant)
    if (hit) return hit
    const record = await this.deps.images.find(id)
    if (!record) throw new AppError('IMAGE_NOT_FOUND')
    if (record.deletedAt !== null) throw new AppError('IMAGE_DELETED')
    const png = async () => {
      const bytes = await this.deps.images.png(id)
      if (!bytes) throw new AppError('IMAGE_DELETED')
      return bytes
    }
    const info = FORMATS[variant.format]
    let stored: StoredImage
    if (isPlain(variant)) {
      stored = { bytes: await png(), etag: record.etag, mime: info.mime, ext: info.ext }
    } else {
      checkVariant(record, variant, this.deps.variants)
      // The blob is read once the build has its turn, so waiting requests hold no image bytes.
      const bytes = await this.#build(async () => deriveVariant(await png(), variant))
      stored = { bytes, etag: createHash('sha256').update(bytes).digest('hex').slice(0, 32), mime: info.mime, ext: info.ext }
      // The build awaited: a DELETE may have run meanwhile and cleared this id from the cache.
      // This request began before it and is answered, but nothing is cached for a deleted image.
      if ((await this.deps.images.find(id))?.deletedAt !== null) return stored
    }
    this.#variants.set(key, stored)
    return stored
  }
}

/** What `ensure` answers for an id already stored: 410 once deleted, as any deleted image. */
function stored(existing: ImageRecord): { rendered: boolean; warnings: string[] } {
  if (existing.deletedAt !== null) throw new AppError('IMAGE_DELETED')
  return { rendered: false, warnings: JSON.parse(existing.warnings) as string[] }
}
