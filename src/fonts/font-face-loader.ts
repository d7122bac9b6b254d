/**
 * The fonts a page brings with `@font-face`, loaded in the API process before the render, the way
 * Google Fonts links and remote images are: every `http(s)` source goes through the guarded
 * fetcher (address policy, FETCH_TIMEOUT_MS, and PAGE_FONT_MAX_BYTES as its byte cap), `data:`
 * sources are decoded as browsers decode them, and each file must be a font by its magic bytes
 * (TTF, OTF, WOFF, WOFF2). The worker gets the bytes with the rules' descriptors and does the CPU
 * work (unpacking, unicode-range, page-faces.ts).
 *
 * A face that cannot be had (refused, failed, too big, not a font, no usable source, past the
 * page's PAGE_FONTS_MAX_BYTES) is left out: its text falls back to the next family, in the end
 * to the bundled fonts, and the face is named in `x-vellum-dropped-css`. Nothing here fails a
 * render. Fetched files are kept in a byte-bounded LRU (PAGE_FONT_CACHE_BYTES).
 */
import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import pLimit from 'p-limit'
import { decodeDataUri, splitDataUri } from '../net/data-uri.js'
import { FetchError, type GuardedFetcher } from '../net/guarded-fetch.js'
import { noMetrics, type Metrics } from '../observability/metrics.js'
import type { PageFace } from '../render/job.js'
import { faceLabel, type FontFaceRule } from './font-face-rules.js'
import { fontFormat } from './sfnt.js'

export interface FontFaceLimits {
  /** Bytes of one face's file (PAGE_FONT_MAX_BYTES). */
  maxFaceBytes: number
  /** Bytes of all of a page's faces together (PAGE_FONTS_MAX_BYTES). */
  maxPageBytes: number
  /** Fetched files kept in memory (PAGE_FONT_CACHE_BYTES). */
  cacheBytes: number
  cacheTtlMs: number
  /** Files of one page fetched at once. */
  concurrency: number
}

export interface FontFaceResolution {
  faces: PageFace[]
  warnings: string[]
}

/** A page with more faces than this is not a card: the rest are reported, not loaded. */
export const MAX_PAGE_FACES = 64

class FaceError extends Error {}

export class FontFaceLoader {
  readonly #cache: LRUCache<string, Buffer>
  readonly #inflight = new Map<string, Promise<Buffer>>()

  constructor(
    private readonly fetcher: GuardedFetcher,
    private readonly limits: FontFaceLimits,
    private readonly metrics: Pick<Metrics, 'cache'> = noMetrics,
  ) {
    this.#cache = new LRUCache<string, Buffer>({
      maxSize: Math.max(1, limits.cacheBytes),
      sizeCalculation: (b) => Math.max(1, b.byteLength),
      ttl: limits.cacheTtlMs,
    })
  }

  /** The faces of the page's `@font-face` rules (font-face-rules.ts) that could be loaded, and a warning for each that could not. */
  async resolve(all: readonly FontFaceRule[]): Promise<FontFaceResolution> {
    const warnings: string[] = []
    if (all.length === 0) return { faces: [], warnings }
    const rules = all.slice(0, MAX_PAGE_FACES)
    // The caller reads one rule more than MAX_PAGE_FACES (fontFaceRules' `max`) to know there are more.
    if (all.length > rules.length) warnings.push(`only the first ${MAX_PAGE_FACES} @font-face rules are loaded; the others were dropped`)
    const limit = pLimit(this.limits.concurrency)
    const loaded = await Promise.all(rules.map((rule) => limit(() => this.#face(rule).catch((err: Error) => err))))
    const faces: PageFace[] = []
    let total = 0
    loaded.forEach((result, i) => {
      const rule = rules[i]!
      if (result instanceof Error) {
        warnings.push(`${faceLabel(rule)} not loaded: ${result.message}; the bundled fonts were used`)
        return
      }
      // In page order: the faces a browser would have downloaded first are the ones kept.
      if (total + result.byteLength > this.limits.maxPageBytes) {
        warnings.push(`${faceLabel(rule)} not loaded: the page's fonts pass ${this.limits.maxPageBytes} bytes (PAGE_FONTS_MAX_BYTES); the bundled fonts were used`)
        return
      }
      total += result.byteLength
      const face: PageFace = {
        family: rule.family,
        weight: rule.weight,
        style: rule.style,
        id: createHash('sha256').update(result).digest('hex').slice(0, 32),
        data: result,
      }
      if (rule.unicodeRange) face.unicodeRange = rule.unicodeRange
      faces.push(face)
    })
    return { faces, warnings }
  }

  /** The first source of the rule that gives a font file; the last source's failure otherwise. */
  async #face(rule: FontFaceRule): Promise<Buffer> {
    if (rule.sources.length === 0) throw new FaceError(rule.unusable ?? 'no source')
    let last: Error = new FaceError('no source')
    for (const source of rule.sources) {
      try {
        const bytes = /^data:/i.test(source) ? this.#data(source) : await this.#remote(source)
        if (!fontFormat(bytes)) throw new FaceError(`${label(source)} is not a font file (TTF, OTF, WOFF or WOFF2)`)
        return bytes
      } catch (err) {
        if (!(err instanceof FaceError || err instanceof FetchError)) throw err
        last = err instanceof FetchError ? new FaceError(`${label(source)}: ${err.message}`) : err
      }
    }
    throw last
  }

  #data(uri: string): Buffer {
    const parts = splitDataUri(uri)
    const bytes = parts && decodeDataUri(parts)
    if (!bytes) throw new FaceError('malformed data: URI')
    if (bytes.byteLength > this.limits.maxFaceBytes) {
      throw new FaceError(`its data: URI holds ${bytes.byteLength} bytes, more than ${this.limits.maxFaceBytes} (PAGE_FONT_MAX_BYTES)`)
    }
    return bytes
  }

  #remote(url: string): Promise<Buffer> {
    const hit = this.#cache.get(url)
    this.metrics.cache('page_fonts', hit !== undefined)
    if (hit) return Promise.resolve(hit)
    let pending = this.#inflight.get(url)
    if (!pending) {
      pending = this.fetcher
        .fetch(url)
        .then(({ bytes }) => {
          // Only fonts are kept: an error page must not stand in for the file next time.
          if (fontFormat(bytes)) this.#cache.set(url, bytes)
          return bytes
        })
        .finally(() => this.#inflight.delete(url))
      this.#inflight.set(url, pending)
    }
    return pending
  }
}

const label = (source: string) => (/^data:/i.test(source) ? 'its data: URI' : source.slice(0, 100))
