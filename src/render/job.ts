/**
 * What crosses the process boundary between the API process and a render worker. Plain data
 * only (structured clone): the worker owns fonts and renderer state.
 */
import type { WorkerCacheStats } from './cache-stats.js'
import type { RenderParams } from '../http/schemas/create-image.js'

export interface RenderLimits {
  elements: number
  depth: number
  outputPixels: number
  imagePixels: number
  imagesPerRender: number
  shadowBlurPx: number
  shadowSpreadPx: number
  shadows: number
  /**
   * Characters of SVG `<text>` one render may outline (inline SVG and SVG images together):
   * outlining runs ~35 µs a character, so past this a page is refused at once instead of
   * holding a worker until RENDER_TIMEOUT_MS. Absent: no limit.
   */
  svgTextChars?: number
  /**
   * Bytes one render may use above a worker's baseline; pages estimated to need more are refused
   * before layout or before rasterizing (RENDER_BUDGET_MB). Absent: the default worker's budget.
   */
  memoryBudgetBytes?: number
}

/** A font file fetched by the API process (Google Fonts), cached on disk, loaded by the worker. */
export interface ExtraFont {
  name: string
  weight: 100 | 200 | 300 | 400 | 500 | 600 | 700 | 800 | 900
  style: 'normal' | 'italic'
  path: string
}

/**
 * A face from the page's own `@font-face` rules, fetched (or decoded from `data:`) by the API
 * process and checked to be a font file by its magic bytes; the worker unpacks it and applies
 * `unicodeRange` (fonts/page-faces.ts).
 */
export interface PageFace {
  family: string
  /** The weights the face covers ([w, w] for one). */
  weight: [number, number]
  style: 'normal' | 'italic'
  /** As written in the rule; absent: every character of the file. */
  unicodeRange?: string
  /** Hash of `data`: the worker keeps one unpacked copy per id (satori caches by buffer). */
  id: string
  data: Uint8Array
}

export interface RenderJob {
  params: RenderParams
  limits: RenderLimits
  fonts: ExtraFont[]
  /** The page's `@font-face` faces that loaded, in rule order. */
  pageFaces?: PageFace[]
  /** Remote image URL → data URI, fetched by the API process through the guarded fetcher. */
  images: Record<string, string>
}

export interface StageTimings {
  parse: number
  layout: number
  rasterize: number
  encode: number
}

export interface RenderResult {
  png: Uint8Array
  width: number
  height: number
  /** CSS declarations the renderer dropped or clamped, for the `x-vellum-dropped-css` header. */
  warnings: string[]
  timings: StageTimings
  /** Lookups of the worker's own caches during this render. */
  caches?: WorkerCacheStats
}
