/**
 * Google Fonts for `google_fonts`: the css2 API is asked for each family (base URL from
 * config, so tests point it at a local server), the font files it names are downloaded,
 * checked by their magic bytes and cached on disk under DATA_DIR/fonts with an index per
 * family, so a restart works offline. Without a User-Agent the API answers with TTF files,
 * which every renderer reads. A family that cannot be had falls back to the bundled fonts
 * with a logged warning: a missing web font must not fail a render.
 *
 * Every request goes through a guarded fetcher (deadline GOOGLE_FONTS_TIMEOUT_MS, byte cap
 * GOOGLE_FONTS_MAX_BYTES). The css2 origin is operator configuration and trusted, so its own
 * URLs may be private (a local mirror, the tests' stub); the font URLs its answer lists on any
 * other origin are followed only under the normal address policy (FETCH_ALLOW_PRIVATE), since
 * an answer naming http://127.0.0.1:… must not make Vellum reach into its own network.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { LRUCache } from 'lru-cache'
import type { ExtraFont } from '../render/job.js'
import { noMetrics, type Metrics } from '../observability/metrics.js'
import { GuardedFetcher, type GuardedFetchOptions } from '../net/guarded-fetch.js'

export interface GoogleFontsOptions {
  cssUrl: string
  maxFamilies: number
  cacheDir: string
}

export interface FontFetchers {
  /** For URLs on the css2 API's own origin (GOOGLE_FONTS_CSS_URL). */
  trusted: GuardedFetcher
  /** For font files anywhere else. */
  files: GuardedFetcher
}

/** The two fetchers, from the Google Fonts limits and the remote-fetch address policy. */
export function createFontFetchers(
  fonts: { timeoutMs: number; maxBytes: number },
  fetch: Pick<GuardedFetchOptions, 'allowPrivate' | 'maxRedirects'>,
): FontFetchers {
  const common = {
    timeoutMs: fonts.timeoutMs,
    maxBytes: fonts.maxBytes,
    accept: '*/*',
    settingNames: { timeoutMs: 'GOOGLE_FONTS_TIMEOUT_MS', maxBytes: 'GOOGLE_FONTS_MAX_BYTES' },
  }
  return {
    // No redirects: the trust is in the configured origin, not in wherever it points.
    trusted: new GuardedFetcher({ ...common, allowPrivate: true, maxRedirects: 0 }),
    files: new GuardedFetcher({ ...common, allowPrivate: fetch.allowPrivate, maxRedirects: fetch.maxRedirects }),
  }
}

export interface Logger {
  warn(obj: object, msg: string): void
}

export interface FontResolution {
  fonts: ExtraFont[]
  warnings: string[]
}

const WEIGHTS = [100, 200, 300, 400, 500, 600, 700, 800, 900] as const
type Weight = (typeof WEIGHTS)[number]

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32)

/** TTF/OTF/WOFF/WOFF2 signatures: anything else (an HTML error page) is never cached. */
function isFontFile(buf: Buffer): boolean {
  if (buf.length < 12) return false
  const sig = buf.subarray(0, 4).toString('latin1')
  return sig === '\x00\x01\x00\x00' || sig === 'true' || sig === 'OTTO' || sig === 'wOFF' || sig === 'wOF2'
}

function writeAtomic(file: string, data: Buffer | string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`
  writeFileSync(tmp, data)
  renameSync(tmp, file)
}

export interface FontFaceSource {
  family: string
  weight: Weight
  style: 'normal' | 'italic'
  url: string
}

/** Reads the @font-face blocks of a css2 answer. */
export function parseFontFaces(css: string): FontFaceSource[] {
  const faces: FontFaceSource[] = []
  for (const block of css.match(/@font-face\s*{[^}]*}/g) ?? []) {
    const family = /font-family:\s*['"]?([^;'"]+)['"]?\s*;/.exec(block)?.[1]?.trim()
    const weightRaw = Number(/font-weight:\s*(\d+)/.exec(block)?.[1] ?? 400)
    const style = /font-style:\s*italic/.test(block) ? 'italic' : 'normal'
    const url = /src:[^;]*?url\(\s*['"]?([^'")]+)['"]?\s*\)/.exec(block)?.[1]
    if (!family || !url) continue
    const weight = (WEIGHTS.find((w) => w >= weightRaw) ?? 900) as Weight
    faces.push({ family, weight, style, url })
  }
  return faces
}

export class GoogleFonts {
  readonly #memory = new LRUCache<string, ExtraFont[]>({ max: 256 })
  readonly #inflight = new Map<string, Promise<ExtraFont[]>>()
  readonly #trustedOrigin: string

  constructor(
    private readonly options: GoogleFontsOptions,
    private readonly fetchers: FontFetchers,
    private readonly log: Logger,
    private readonly metrics: Pick<Metrics, 'cache'> = noMetrics,
  ) {
    mkdirSync(options.cacheDir, { recursive: true })
    this.#trustedOrigin = new URL(options.cssUrl).origin
  }

  /** Fonts for the requested families; unavailable ones are reported, never thrown. */
  async resolve(families: string[]): Promise<FontResolution> {
    const warnings: string[] = []
    const wanted = families.slice(0, this.options.maxFamilies)
    if (families.length > wanted.length) {
      warnings.push(`google_fonts: only the first ${this.options.maxFamilies} families are loaded (GOOGLE_FONTS_MAX_FAMILIES)`)
    }
    const results = await Promise.all(
      wanted.map((spec) =>
        this.family(spec).catch((err: Error) => {
          this.log.warn({ family: spec, err: err.message }, 'google font unavailable, using the bundled fonts')
          warnings.push(`google_fonts: "${spec}" could not be loaded (${err.message}); the bundled fonts were used`)
          return [] as ExtraFont[]
        }),
      ),
    )
    return { fonts: results.flat(), warnings }
  }

  family(spec: string): Promise<ExtraFont[]> {
    const key = spec.toLowerCase()
    const cached = this.#memory.get(key)
    this.metrics.cache('google_fonts', cached !== undefined)
    if (cached) return Promise.resolve(cached)
    let pending = this.#inflight.get(key)
    if (!pending) {
      pending = this.#load(spec)
        .then((fonts) => {
          this.#memory.set(key, fonts)
          return fonts
        })
        .finally(() => this.#inflight.delete(key))
      this.#inflight.set(key, pending)
    }
    return pending
  }

  async #load(spec: string): Promise<ExtraFont[]> {
    const indexFile = join(this.options.cacheDir, `${hash(spec.toLowerCase())}.json`)
    if (existsSync(indexFile)) {
      const fonts = JSON.parse(readFileSync(indexFile, 'utf8')) as ExtraFont[]
      if (fonts.length && fonts.every((f) => existsSync(f.path))) return fonts
    }
    const css = await this.#fetchCss(spec)
    const faces = parseFontFaces(css)
    if (faces.length === 0) throw new Error('the font service listed no font files')
    const seen = new Set<string>()
    const fonts: ExtraFont[] = []
    for (const face of faces) {
      // css2 lists one face per unicode-range subset only for browsers; keep the first per style.
      const id = `${face.family}|${face.weight}|${face.style}`
      if (seen.has(id)) continue
      seen.add(id)
      // Resolved against the stylesheet's URL, as a browser resolves a relative src.
      const url = new URL(face.url, this.options.cssUrl).href
      const bytes = await this.#fetchBytes(url)
      if (!isFontFile(bytes)) throw new Error(`${url} is not a font file`)
      const file = join(this.options.cacheDir, `${hash(url)}.font`)
      if (!existsSync(file)) writeAtomic(file, bytes)
      fonts.push({ name: face.family, weight: face.weight, style: face.style, path: file })
    }
    writeAtomic(indexFile, JSON.stringify(fonts))
    return fonts
  }

  /** Asks for regular and bold, upright and italic; families lacking some styles get a plainer query. */
  async #fetchCss(spec: string): Promise<string> {
    const [name, weightList] = spec.split(':') as [string, string | undefined]
    const family = name.trim().replace(/ /g, '+')
    const requested = (weightList ?? '')
      .split(/[,;]/)
      .map((w) => Number(w.replace(/[^\d]/g, '')))
      .filter((w) => WEIGHTS.includes(w as Weight))
    const weights = requested.length ? [...new Set(requested)].sort((a, b) => a - b) : [400, 700]
    const attempts = [
      `${family}:ital,wght@${[...weights.map((w) => `0,${w}`), ...weights.map((w) => `1,${w}`)].join(';')}`,
      `${family}:wght@${weights.join(';')}`,
      family,
    ]
    let lastError: Error = new Error('no answer')
    for (const query of attempts) {
      const url = `${this.options.cssUrl}?family=${query}&display=swap`
      try {
        return (await this.#fetchBytes(url)).toString('utf8')
      } catch (err) {
        lastError = err as Error
        if (!/status 400/.test(lastError.message)) break
      }
    }
    throw lastError
  }

  async #fetchBytes(url: string): Promise<Buffer> {
    const trusted = new URL(url).origin === this.#trustedOrigin
    return (await (trusted ? this.fetchers.trusted : this.fetchers.files).fetch(url)).bytes
  }
}
