/**
 * Turns render parameters into a PNG: resolves web fonts in this process (I/O), then hands the
 * CPU work to the worker pool. Identical parameters share one render: a request arriving while
 * the same render is in flight joins it, so a burst of identical requests costs one render.
 * (Finished renders are cached as served images by the image service, not here.)
 */
import { createHash } from 'node:crypto'
import type { RenderParams } from '../http/schemas/create-image.js'
import type { GoogleFonts } from '../fonts/google-fonts.js'
import { MAX_PAGE_FACES, type FontFaceLoader, type FontFaceResolution } from '../fonts/font-face-loader.js'
import { faceUrls, fontFaceRules, type FontFaceRule } from '../fonts/font-face-rules.js'
import { pageGoogleFonts } from '../fonts/page-fonts.js'
import { scanPageAsync } from '../net/page-scan.js'
import type { RemoteImages } from '../net/remote-images.js'
import type { RenderRunner } from './pool/render-pool.js'
import type { ExtraFont, RenderLimits, RenderResult } from './job.js'
import { AppError } from '../errors/catalogue.js'
import type { Metrics, RenderOutcome } from '../observability/metrics.js'

function outcomeOf(err: unknown): RenderOutcome {
  if (!(err instanceof AppError)) return 'failed'
  if (err.code === 'RENDER_TIMEOUT') return 'timeout'
  if (err.code === 'RENDER_CRASHED') return 'crashed'
  if (err.code === 'QUEUE_FULL') return 'queue_full'
  return err.status < 500 ? 'refused' : 'failed'
}

export interface RenderOutput extends Omit<RenderResult, 'png'> {
  png: Buffer
  /** sha256 of the PNG, used as its strong ETag. */
  etag: string
}

/** Stable identity of what is drawn: the same parameters always give the same key. */
export function renderKey(params: RenderParams): string {
  const canonical = JSON.stringify([
    params.html,
    params.css,
    [...params.googleFonts].sort(),
    params.selector ?? null,
    params.deviceScale,
    params.viewportWidth ?? null,
    params.viewportHeight ?? null,
    params.transparentBackground,
    params.disableTwemoji,
  ])
  return createHash('sha256').update(canonical).digest('hex')
}

/** Without a loader (a service built without one): each @font-face is reported, not loaded. */
function unloadedFaces(rules: FontFaceRule[]): FontFaceResolution {
  return { faces: [], warnings: rules.map((r) => `@font-face "${r.family}" not loaded: page fonts are not enabled here; the bundled fonts were used`) }
}

export class RenderService {
  readonly #inflight = new Map<string, { promise: Promise<RenderOutput>; shared: boolean }>()

  constructor(
    private readonly deps: {
      pool: RenderRunner
      googleFonts: GoogleFonts
      limits: RenderLimits
      /** Remote images; without it, http(s) images render as broken images (empty boxes). */
      images?: RemoteImages
      /** The page's own @font-face fonts; without it they are not loaded (reported). */
      fontFaces?: FontFaceLoader
      /** The operator's FONTS_DIR families, handed to every render. */
      operatorFonts?: ExtraFont[]
      metrics?: Pick<Metrics, 'render' | 'cacheCounts'>
    },
  ) {}

  /**
   * `signal` (a batch whose other variation failed, a client that left): a render nobody else
   * joined is dropped from the queue if it has not started; one that another request joined is
   * left alone.
   */
  render(params: RenderParams, key = renderKey(params), signal?: AbortSignal): Promise<RenderOutput> {
    const joined = this.#inflight.get(key)
    if (joined) {
      joined.shared = true
      return joined.promise
    }
    const entry: { promise: Promise<RenderOutput>; shared: boolean } = { promise: Promise.resolve() as never, shared: false }
    const own = new AbortController()
    signal?.addEventListener('abort', () => entry.shared || own.abort(), { once: true })
    entry.promise = this.#render(params, own.signal).finally(() => this.#inflight.delete(key))
    this.#inflight.set(key, entry)
    return entry.promise
  }

  async #render(params: RenderParams, signal: AbortSignal): Promise<RenderOutput> {
    try {
      return await this.#renderOnce(params, signal)
    } catch (err) {
      this.deps.metrics?.render(outcomeOf(err))
      throw err
    }
  }

  async #renderOnce(params: RenderParams, signal: AbortSignal): Promise<RenderOutput> {
    // Web fonts (google_fonts, and the page's own <link>/@import of Google Fonts) and remote
    // images are I/O: fetched here, so the worker only computes.
    // One linear tokenizer pass over the HTML, in slices, serves both pre-scans (see page-scan.ts).
    const page = await scanPageAsync(params.html)
    const families = [...new Set([...params.googleFonts, ...pageGoogleFonts(params.html, params.css, page)])]
    // The page's @font-face rules, read from its sheets (the css parameter last, as it cascades);
    // the URLs they name are fonts, not images for the image pre-scan.
    const faceRules = await fontFaceRules([...page.styles, params.css], MAX_PAGE_FACES + 1)
    const [fonts, faces, images] = await Promise.all([
      families.length ? this.deps.googleFonts.resolve(families) : { fonts: [], warnings: [] },
      this.deps.fontFaces ? this.deps.fontFaces.resolve(faceRules) : unloadedFaces(faceRules),
      this.deps.images ? this.deps.images.resolve(params.html, params.css, this.deps.limits, page, faceUrls(faceRules)) : { images: {}, warnings: [] },
    ])
    if (signal.aborted) throw new AppError('RENDER_FAILED', 'Not rendered: no request waits for it any more (its client left, or another variation of its batch failed)')
    const result = await this.deps.pool.run({
      params,
      limits: this.deps.limits,
      fonts: [...fonts.fonts, ...(this.deps.operatorFonts ?? [])],
      pageFaces: faces.faces,
      images: images.images,
    }, signal)
    this.deps.metrics?.render('ok', result.timings)
    for (const [name, c] of Object.entries(result.caches ?? {})) this.deps.metrics?.cacheCounts(name as keyof NonNullable<RenderResult['caches']>, c.hits, c.misses)
    const png = Buffer.from(result.png.buffer, result.png.byteOffset, result.png.byteLength)
    return {
      ...result,
      png,
      warnings: [...fonts.warnings, ...faces.warnings, ...images.warnings, ...result.warnings],
      etag: createHash('sha256').update(png).digest('hex').slice(0, 32),
    }
  }
}
