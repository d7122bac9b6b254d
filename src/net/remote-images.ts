/**
 * Remote images of a page, fetched in the API process before the render job is sent, so that
 * satori never fetches anything itself. The HTML and CSS are pre-scanned cheaply (img src and
 * CSS url(), entities decoded as the HTML parser will decode them), every http(s) URL goes
 * through the guarded fetcher, the pixel size is read from the header bytes before anything
 * is decoded, formats resvg cannot draw (WebP, AVIF, TIFF…) are converted to PNG with sharp,
 * and the result is handed to the worker as a data URI. Results are cached (bytes-bounded,
 * short TTL). An image that cannot be had renders as a browser shows a broken image (an
 * empty box) and is reported in the warnings. (`<image>` inside inline SVG is not fetched:
 * nothing would draw it, see src/render/document/images.ts.)
 */
import { decodeHTMLAttribute } from 'entities'
import { imageSize } from 'image-size'
import { LRUCache } from 'lru-cache'
import pLimit from 'p-limit'
import { AppError } from '../errors/catalogue.js'
import { decodeDataUri, splitDataUri } from './data-uri.js'
import { FetchError, type GuardedFetcher } from './guarded-fetch.js'
import { cssUrls, scanPage, type PageScan } from './page-scan.js'
import { noMetrics, type Metrics } from '../observability/metrics.js'
import { loadSharp } from '../images/load-sharp.js'

export interface RemoteImageLimits {
  imagePixels: number
  imagesPerRender: number
  /** Bytes one render may use (RENDER_BUDGET_MB): the page's images, decoded, must fit in it. */
  memoryBudgetBytes?: number
}

/** A fetched image, ready for the worker, with the pixels resvg will decode it to. */
interface LoadedImage {
  bytes: Buffer
  mime: string
  pixels: number
}

export interface RemoteImageResult {
  /** URL (as the worker will see it after HTML decoding) → data URI. */
  images: Record<string, string>
  warnings: string[]
}

/** Formats resvg decodes itself; anything else is converted to PNG first. */
const NATIVE = new Set(['png', 'jpg', 'gif', 'svg'])
const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml' }

/** data: images resvg cannot decode: converted here too, so they do not render transparent. */
const NEEDS_CONVERSION = /^data:image\/(webp|avif|heic|heif|tiff|bmp)[;,]/i

/** The http(s) image URLs a page refers to, in order, without duplicates. */
export function remoteImageUrls(html: string, css: string, page: PageScan = scanPage(html)): string[] {
  // Array literals, not push(...list): a page can hold more URLs than a call takes arguments.
  const raw = [...page.images, ...cssUrls(html), ...cssUrls(css)]
  const found = new Set(raw.map((u) => decodeHTMLAttribute(u).trim()))
  return [...found].filter(
    (u) => (/^https?:\/\//i.test(u) && !/^https:\/\/fonts\.(googleapis|gstatic)\.com\//i.test(u)) || NEEDS_CONVERSION.test(u),
  )
}

function dataUriBytes(uri: string): Buffer {
  const data = splitDataUri(uri)
  const bytes = data && decodeDataUri(data)
  if (!bytes) throw new FetchError('malformed data: URI', 'http_status')
  return bytes
}

export class RemoteImages {
  readonly #cache: LRUCache<string, LoadedImage>
  /** Fetches in flight, shared by every request that asks for the URL meanwhile, with how many wait on each. */
  readonly #inflight = new Map<string, { promise: Promise<LoadedImage>; waiting: number; cancel: AbortController }>()

  constructor(
    private readonly fetcher: GuardedFetcher,
    private readonly options: { cacheBytes: number; cacheTtlMs: number; concurrency?: number; pageTimeoutMs?: number },
    private readonly metrics: Pick<Metrics, 'cache'> = noMetrics,
  ) {
    this.#cache = new LRUCache<string, LoadedImage>({
      maxSize: Math.max(1, options.cacheBytes),
      sizeCalculation: (v) => Math.max(1, v.bytes.byteLength),
      ttl: options.cacheTtlMs,
    })
  }

  /** `fonts`: URLs the page's `@font-face` rules name (loaded as fonts, not images). */
  async resolve(html: string, css: string, limits: RemoteImageLimits, page?: PageScan, fonts: readonly string[] = []): Promise<RemoteImageResult> {
    const skip = new Set(fonts)
    const urls = remoteImageUrls(html, css, page).filter((u) => !skip.has(u))
    const warnings: string[] = []
    const images: Record<string, string> = {}
    if (urls.length > limits.imagesPerRender) {
      throw new AppError('IMAGE_TOO_LARGE', `The page uses more than ${limits.imagesPerRender} images (MAX_IMAGES_PER_RENDER)`)
    }
    let pixels = 0
    const loaded = new Map<string, LoadedImage>()
    // resvg decodes every image to RGBA before drawing it: refused as soon as the images in hand
    // pass the budget, before megabytes of data URIs cross to a worker that would refuse them too
    // (the worker's raster estimate counts them), and the fetches nobody else waits on are ended
    // (40 images of 25 MP each downloaded 14 MB through the API process before the refusal).
    const budget = limits.memoryBudgetBytes
    const overBudget = () =>
      new AppError(
        'IMAGE_TOO_LARGE',
        `The page's images hold ${(pixels / 1e6).toFixed(1)} MP together, ${Math.round((pixels * 4) / 2 ** 20)} MB decoded; ` +
          `a render may use ${Math.round((budget ?? 0) / 2 ** 20)} MB (RENDER_BUDGET_MB)`,
      )
    const released = new Set<string>()
    const release = () => {
      for (const url of urls) if (!released.has(url)) this.#release(url), released.add(url)
    }
    // A page's images are fetched a few at a time (FETCH_CONCURRENCY), as a browser does: 40 large
    // images at once put 14 MB through the API process's event loop before the budget could refuse them.
    const limit = pLimit(this.options.concurrency ?? 6)
    let refused = false
    // One deadline for all of the page's images (FETCH_PAGE_TIMEOUT_MS): those not in hand by then
    // are broken images, and their fetches end unless another request waits on them.
    const pageTimeoutMs = this.options.pageTimeoutMs ?? Infinity
    const tooLate = () => new FetchError(`the page's images took longer than ${pageTimeoutMs} ms together (FETCH_PAGE_TIMEOUT_MS)`, 'timeout')
    let expired = false
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      if (!Number.isFinite(pageTimeoutMs)) return
      timer = setTimeout(() => {
        expired = true
        reject(tooLate())
      }, pageTimeoutMs)
    })
    late.catch(() => undefined)
    try {
      await Promise.all(
        urls.map((url) => limit(async () => {
          if (refused) return
          // Past the deadline, only what the cache holds: no fetch starts to be cut short at once.
          if (expired && !this.#cache.has(url)) {
            warnings.push(`image ${url.slice(0, 100)} not loaded: ${tooLate().message}`)
            released.add(url)
            return
          }
          try {
            const image = await Promise.race([this.#one(url, limits.imagePixels), late])
            loaded.set(url, image)
            pixels += image.pixels
            if (budget !== undefined && pixels * 4 > budget) throw overBudget()
          } catch (err) {
            if (!(err instanceof FetchError)) throw err
            warnings.push(`image ${url.slice(0, 100)} not loaded: ${err.message}`)
          } finally {
            if (!released.has(url)) this.#release(url), released.add(url)
          }
        })),
      )
    } catch (err) {
      refused = true
      limit.clearQueue()
      release()
      throw err
    } finally {
      clearTimeout(timer)
    }
    // Encoded only now, for a page that will be drawn (base64 of 40 large images is ~20 ms).
    for (const [url, image] of loaded) images[url] = `data:${image.mime};base64,${image.bytes.toString('base64')}`
    return { images, warnings }
  }

  /** Every `#one` is matched by one `#release` once its caller is done with the URL. */
  #one(url: string, maxPixels: number): Promise<LoadedImage> {
    const hit = this.#cache.get(url)
    this.metrics.cache('remote_images', hit !== undefined)
    if (hit) return Promise.resolve(hit)
    let pending = this.#inflight.get(url)
    if (!pending) {
      const cancel = new AbortController()
      const promise = this.#load(url, maxPixels, cancel.signal)
        .then((loaded) => {
          this.#cache.set(url, loaded)
          return loaded
        })
        .finally(() => this.#inflight.delete(url))
      pending = { promise, waiting: 0, cancel }
      this.#inflight.set(url, pending)
    }
    pending.waiting++
    return pending.promise
  }

  /** A caller no longer waits on `url`: a fetch nobody waits on is ended. */
  #release(url: string): void {
    const pending = this.#inflight.get(url)
    if (!pending) return
    if (--pending.waiting <= 0) {
      pending.cancel.abort()
      pending.promise.catch(() => undefined)
    }
  }

  async #load(url: string, maxPixels: number, cancel: AbortSignal): Promise<LoadedImage> {
    const bytes = /^data:/i.test(url) ? dataUriBytes(url) : (await this.fetcher.fetch(url, cancel)).bytes
    let size: { width?: number; height?: number; type?: string }
    try {
      size = imageSize(bytes)
    } catch {
      throw new FetchError('not an image', 'http_status')
    }
    const type = size.type ?? ''
    const pixels = (size.width ?? 0) * (size.height ?? 0)
    const tooLarge = () =>
      new AppError(
        'IMAGE_TOO_LARGE',
        `The image ${url.slice(0, 200)} is ${size.width}×${size.height} (${(pixels / 1e6).toFixed(1)} MP); the limit is ${(maxPixels / 1e6).toFixed(1)} MP per image (MAX_IMAGE_PIXELS)`,
      )
    if (NATIVE.has(type)) {
      if (type !== 'svg' && pixels > maxPixels) throw tooLarge()
      return { bytes, mime: MIME[type]!, pixels }
    }
    // Formats resvg cannot draw are decoded here, and the decoder judges the size: a header
    // alone (a few garbage bytes after `RIFF…WEBPVP8`) read as 8546×9575 and refused the whole
    // render, where a browser shows a broken image.
    const sharp = await loadSharp()
    try {
      const png = await sharp(bytes, { limitInputPixels: maxPixels, animated: false }).png().toBuffer()
      return { bytes: png, mime: 'image/png', pixels }
    } catch (err) {
      if (/pixel limit/i.test((err as Error).message)) throw tooLarge()
      throw new FetchError(`could not decode the ${type || 'image'} (${(err as Error).message})`, 'http_status')
    }
  }
}
