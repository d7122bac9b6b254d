/**
 * The fidelity cases: each folder under cases/ holds `case.html`, an optional `case.css` and
 * an optional `options.json` (the create-image options that change sizing: selector,
 * viewport_width, viewport_height, device_scale, transparent_background), plus the
 * `reference.png` headless Chromium drew for them (made by `npm run fidelity:refs`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RenderParams } from '../../src/http/schemas/create-image.js'
import type { PageFace } from '../../src/render/job.js'
import { FontFaceLoader } from '../../src/fonts/font-face-loader.js'
import { fontFaceRules } from '../../src/fonts/font-face-rules.js'
import { GuardedFetcher } from '../../src/net/guarded-fetch.js'
import { scanPage } from '../../src/net/page-scan.js'

export const FIDELITY_DIR = dirname(fileURLToPath(import.meta.url))
export const CASES_DIR = join(FIDELITY_DIR, 'cases')
export const RECORDED_FILE = join(FIDELITY_DIR, 'recorded.json')

export interface CaseOptions {
  selector?: string
  viewport_width?: number
  viewport_height?: number
  /** Default 1 here (the API's default is 2): half the pixels to compare, same layout. */
  device_scale?: number
  transparent_background?: boolean
  disable_twemoji?: boolean
}

export interface FidelityCase {
  name: string
  dir: string
  html: string
  css: string
  options: CaseOptions
  referencePath: string
}

export function loadCases(only: string[] = []): FidelityCase[] {
  return readdirSync(CASES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && (only.length === 0 || only.some((o) => d.name.includes(o))))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const dir = join(CASES_DIR, name)
      const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '')
      const optionsText = read('options.json')
      return {
        name,
        dir,
        html: read('case.html'),
        css: read('case.css'),
        options: optionsText ? (JSON.parse(optionsText) as CaseOptions) : {},
        referencePath: join(dir, 'reference.png'),
      }
    })
}

/** The case as the render pipeline receives it after the HTTP layer's parsing. */
export function renderParams(c: FidelityCase): RenderParams {
  return {
    html: c.html,
    css: c.css,
    googleFonts: [],
    selector: c.options.selector,
    deviceScale: c.options.device_scale ?? 1,
    viewportWidth: c.options.viewport_width,
    viewportHeight: c.options.viewport_height,
    transparentBackground: c.options.transparent_background ?? false,
    disableTwemoji: c.options.disable_twemoji ?? false,
  }
}

/** What the ratchet holds a case to: its whole-picture and its ink mismatch, in percent. */
export interface Recorded {
  pixels: number
  ink: number
}

export function loadRecorded(): Record<string, Recorded> {
  if (!existsSync(RECORDED_FILE)) return {}
  const raw = JSON.parse(readFileSync(RECORDED_FILE, 'utf8')) as Record<string, number | Recorded>
  // Older files held the whole-picture figure alone; the ink figure is then unknown (Infinity: not yet held).
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === 'number' ? { pixels: v, ink: Infinity } : v]))
}

// Cases bring fonts as data: URIs only (no network in tests); a remote source would be refused
// (deadline 1 ms) and show as a dropped face.
const faceLoader = new FontFaceLoader(new GuardedFetcher({ timeoutMs: 1, maxBytes: 1, allowPrivate: false, maxRedirects: 0 }), {
  maxFaceBytes: 4 * 1024 * 1024,
  maxPageBytes: 8 * 1024 * 1024,
  cacheBytes: 1,
  cacheTtlMs: 0,
  concurrency: 1,
})

/** The case's own @font-face faces, read and loaded as the API process does before a render. */
export async function pageFaces(c: FidelityCase): Promise<PageFace[]> {
  return (await faceLoader.resolve(await fontFaceRules([...scanPage(c.html).styles, c.css]))).faces
}
