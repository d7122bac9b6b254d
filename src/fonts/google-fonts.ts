/**
 * Google Fonts for `google_fonts`: the css2 API is asked for each family (base URL from
 * config, so tests point it at a local server), the font files it names are downloaded,
 * checked by their magic bytes and cached on disk under DATA_DIR/fonts with an index per
 * family, so a restart works offline. Without a User-Agent the API answers with TTF files,
 * which every renderer reads. A family that cannot be had falls back to the bundled fonts
 * with a logged warning: a missing web font must not fail a render.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { LRUCache } from 'lru-cache'
import type { ExtraFont } from '../render/job.js'

export interface GoogleFontsOptions {
  cssUrl: string
  timeoutMs: number
  maxBytes: number
  maxFamilies: number
  cacheDir: string
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

  constructor(
    private readonly options: GoogleFontsOptions,
    private readonly log: Logger,
  ) {
    mkdirSync(options.cacheDir, { recursive: true })
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
      const bytes = await this.#fetchBytes(face.url)
      if (!isFontFile(bytes)) throw new Error(`${face.url} is not a font file`)
      const file = join(this.options.cacheDir, `${hash(face.url)}.font`)
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
    const res = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs), redirect: 'follow' })
    if (!res.ok) throw new Error(`${new URL(url).host} answered status ${res.status}`)
    const declared = Number(res.headers.get('content-length') ?? 0)
    if (declared > this.options.maxBytes) throw new Error(`font larger than ${this.options.maxBytes} bytes (GOOGLE_FONTS_MAX_BYTES)`)
    const chunks: Buffer[] = []
    let total = 0
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength
      if (total > this.options.maxBytes) throw new Error(`font larger than ${this.options.maxBytes} bytes (GOOGLE_FONTS_MAX_BYTES)`)
      chunks.push(Buffer.from(chunk))
    }
    return Buffer.concat(chunks)
  }
}
