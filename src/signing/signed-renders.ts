/**
 * Render-on-GET for signed URLs: check the token with the signer's API key (kept sealed by the
 * key vault), turn the signed query into a create request, and serve the image whose id is
 * derived from the signer and the request's content: the same URL always names the same
 * image, the first GET renders and is charged, every later one is read from the store.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { KeyVault } from '../auth/key-vault.js'
import type { UserStore, UserCredentials, UserRow } from '../store/port.js'
import { AppError, validationError } from '../errors/catalogue.js'
import type { ImageService, StoredImage } from '../images/image-service.js'
import type { OutputFormat, VariantRequest } from '../images/variants.js'
import { checkSource, parseCreateImage, type CreateImageRequest } from '../http/schemas/create-image.js'
import { renderKey } from '../render/render-service.js'
import type { TemplateService } from '../templates/template-service.js'
import { templateNotFound } from '../templates/template-service.js'
import { queryPairs, verify } from './signature.js'
import { parseFetchOptions } from '../images/fetch-options.js'

/** Fetch-time options a signed query may carry (§5.4), bare or as `__ro_<name>`. */
const RENDER_OPTIONS = new Set(['width', 'height', 'dpi', 'aspect_ratio', 'x_origin', 'y_origin', 'x_1', 'x_2', 'crop_width', 'y_1', 'y_2', 'crop_height', 'crop_w', 'crop_h'])
/** Create parameters that are not part of a signed query (format is the path segment). */
const IGNORED = new Set(['format', 'dedupe_duration_s', 'pdf_options', 'request_overrides', 'metadata', 'headers', 'additional_header_origins'])

const FORMATS: Record<string, OutputFormat> = { png: 'png', jpg: 'jpg', jpeg: 'jpeg', webp: 'webp' }

export interface SignedImage {
  id: string
  image: StoredImage
  rendered: boolean
  warnings: string[]
}

/** A UUID (version 8: custom) from a hash, so an id can be recomputed from what it names. */
export function contentImageId(userId: string, key: string): string {
  const h = createHash('sha256').update(`signed-url\0${userId}\0${key}`).digest()
  h[6] = (h[6]! & 0x0f) | 0x80
  h[8] = (h[8]! & 0x3f) | 0x80
  const x = h.subarray(0, 16).toString('hex')
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`
}

function invalidToken(message?: string): AppError {
  return new AppError('INVALID_TOKEN', message)
}

/** A verified signed query already turned into what it renders: reused by every later GET of it. */
interface Prepared {
  req: CreateImageRequest
  id: string
  variant: VariantRequest
  /** The token that verified this query and the sealed key it verified with. */
  signedBy: { token: string; sealed: Buffer }
}

/**
 * A signed URL answered before, and nothing it was checked against changed since: the store's
 * change stamp moves with every write to users, templates or image deletions, from this process
 * or another (rotate-key, revoke and set-limit through the CLI; another server on the file).
 */
interface Hot {
  prepared: Prepared
  user: UserRow
  /** The lower-case token that verified it; a later GET must bring the same one. */
  token: string
  stamp: number
}

export class SignedRenders {
  /**
   * Repeated GETs of one URL (every crawler after the first) skip the template render, the
   * create-schema parse and the hashing (a cached signed GET cost 4× a plain image GET, measured
   * with --cpu-prof). What can change between two GETs is still checked on each: the token
   * against the signer's current key, revocation, the template's existence, the image's deletion.
   * Bounded by the bytes of the html and css it holds (SIGNED_URL_CACHE_BYTES).
   */
  readonly #prepared: LRUCache<string, Prepared>
  /** Opened API keys by user and sealed value: a rotation stores a new sealed value, so a stale key is never used. */
  readonly #keys = new LRUCache<string, string>({ max: 10_000 })
  /**
   * Signed URLs answered without a store read while nothing changed (see Hot): only when the
   * store has a change stamp (SQLite). On a shared store every GET reads the signer, since
   * another node may have rotated, revoked or deleted. Keys are the URL's own (no version).
   */
  readonly #hot: LRUCache<string, Hot>

  constructor(
    private readonly deps: {
      users: Pick<UserStore, 'find'>
      vault: KeyVault
      templates: TemplateService
      images: ImageService
      defaults: { deviceScale: number }
      limits: { htmlBytes: number; cssBytes: number; resizeSide: number }
      cacheBytes: number
      /** Store.changeStamp: absent on a store shared between nodes (then no signed GET skips its reads). */
      changeStamp?: () => number
    },
  ) {
    const size = (p: Prepared, key: string) => Math.max(1, key.length + p.req.render.html.length + p.req.render.css.length)
    this.#prepared = new LRUCache<string, Prepared>({ maxSize: Math.max(1, deps.cacheBytes), sizeCalculation: size })
    // Its entries share the Prepared objects above; its own bound keeps a flood of URLs from pinning more.
    this.#hot = new LRUCache<string, Hot>({ maxSize: Math.max(1, Math.floor(deps.cacheBytes / 2)), sizeCalculation: (h, key) => size(h.prepared, key) })
  }

  /** Where the store stands now, or undefined when that cannot be known cheaply. */
  #state(): number | undefined {
    return this.deps.changeStamp?.()
  }

  /** A URL answered before with this very token, while nothing it was checked against changed. */
  #hotHit(key: string, token: string): Hot | undefined {
    const hot = this.#hot.get(key)
    if (!hot || !this.deps.changeStamp) return undefined
    if (hot.stamp !== this.deps.changeStamp()) {
      this.#hot.delete(key)
      return undefined
    }
    const lower = token.toLowerCase()
    if (lower.length !== hot.token.length || !timingSafeEqual(Buffer.from(lower, 'latin1'), Buffer.from(hot.token, 'latin1'))) return undefined
    return hot
  }

  /** `state` was read before the checks, so a write racing them leaves an entry that is already stale. */
  #remember(key: string, stamp: number | undefined, prepared: Prepared, user: UserRow, token: string): void {
    if (stamp !== undefined) this.#hot.set(key, { prepared, user, token: token.toLowerCase(), stamp })
  }

  /** The signer's clear key; a user whose key was never kept gets told how to fix it. */
  #keyOf(user: UserCredentials | undefined): string {
    if (!user || user.revokedAt !== null) throw invalidToken()
    if (!user.sealed) {
      throw invalidToken(
        `Invalid token: the API key of user ${user.id} was issued before this server kept keys for signing; ` +
          `issue a new one with \`vellum users rotate-key ${user.id}\``,
      )
    }
    const cacheKey = `${user.id}\0${user.sealed.toString('base64')}`
    const cached = this.#keys.get(cacheKey)
    if (cached !== undefined) return cached
    const key = this.deps.vault.open(user.id, user.sealed)
    if (key === undefined) throw invalidToken()
    this.#keys.set(cacheKey, key)
    return key
  }

  /**
   * Checks the token. A query already verified with the same token and the same sealed key needs
   * no new HMAC (the answer cannot differ: both inputs are the same bytes); the comparison with the
   * remembered token is constant-time like the HMAC's own.
   */
  #check(user: UserCredentials | undefined, rawQuery: string, token: string, ready: Prepared | undefined): UserRow {
    if (!user || user.revokedAt !== null) throw invalidToken()
    const lower = token.toLowerCase()
    if (!(ready && user.sealed && sameSigner(ready.signedBy, lower, user.sealed))) {
      if (!verify(this.#keyOf(user), rawQuery, lower)) throw invalidToken()
    }
    return { id: user.id, monthlyLimit: user.monthlyLimit, revokedAt: user.revokedAt, createdAt: user.createdAt }
  }

  /** GET /v1/image/create-and-render/:user_id/:token[/:format]?<create parameters> */
  async createAndRender(userId: string, token: string, format: string | undefined, rawQuery: string, signal?: AbortSignal): Promise<SignedImage> {
    const out = formatOf(format)
    const cacheKey = `c\0${userId}\0${out}\0${rawQuery}`
    const hot = this.#hotHit(cacheKey, token)
    if (hot) return this.#deliver(hot.user, hot.prepared, signal)
    const state = this.#state()
    const ready = this.#prepared.get(cacheKey)
    const signer = await this.deps.users.find(userId)
    const user = this.#check(signer, rawQuery, token, ready)
    if (ready) {
      this.#remember(cacheKey, state, ready, user, token)
      return this.#deliver(user, ready, signal)
    }
    // Null prototypes: query names are untrusted (`__proto__`, `constructor` are plain names here).
    const body: Record<string, unknown> = Object.create(null)
    const options: Record<string, string> = Object.create(null)
    for (const [name, value] of queryPairs(rawQuery)) {
      if (name.startsWith('__ro_')) options[name.slice(5)] = value
      else if (RENDER_OPTIONS.has(name)) options[name] = value
      // The TS client 0.9 always writes `url` first: `url=undefined` for an HTML request.
      else if (name === 'url' && value === 'undefined') continue
      else if (!IGNORED.has(name) && !Object.hasOwn(body, name)) body[name] = value
    }
    const prepared = this.#prepare(cacheKey, user, signedBy(signer, token), body, options, out)
    this.#remember(cacheKey, state, prepared, user, token)
    return this.#deliver(user, prepared, signal)
  }

  /** GET /v1/image/:template_id/:token[/:format]?<template values>[&template_version=…] */
  async templated(templateId: string, token: string, format: string | undefined, rawQuery: string, signal?: AbortSignal): Promise<SignedImage> {
    const out = formatOf(format)
    const hotKey = `t\0${templateId}\0${out}\0${rawQuery}`
    const hot = this.#hotHit(hotKey, token)
    if (hot) return this.#deliver(hot.user, hot.prepared, signal)
    const state = this.#state()
    // The owner's key signs; any version names the owner.
    const latest = await this.deps.templates.head(templateId)
    if (!latest) throw templateNotFound(templateId)
    const owner = await this.deps.users.find(latest.userId)
    const pinned = rawQuery.includes('template_version') ? queryPairs(rawQuery).find(([n]) => n === 'template_version')?.[1] : undefined
    const version = pinned === undefined || pinned === '' ? undefined : Number(pinned)
    if (version !== undefined && !Number.isSafeInteger(version)) {
      this.#check(owner, rawQuery, token, undefined)
      throw validationError([{ path: 'template_version', message: `template_version must be a version number (got ${JSON.stringify(pinned)})` }])
    }
    const head = version === undefined ? latest : await this.deps.templates.head(templateId, version)
    const cacheKey = head && `t\0${head.id}\0${head.version}\0${out}\0${rawQuery}`
    const ready = cacheKey ? this.#prepared.get(cacheKey) : undefined
    const user = this.#check(owner, rawQuery, token, ready)
    if (ready) {
      this.#remember(hotKey, state, ready, user, token)
      return this.#deliver(user, ready, signal)
    }
    // The markup is read only to prepare a URL not seen before (or evicted).
    const template = head && (await this.deps.templates.find(head.id, head.version))
    if (!template || !cacheKey) throw templateNotFound(templateId, version)
    const variables = this.deps.templates.variables(template)
    const values: Record<string, unknown> = Object.create(null)
    const options: Record<string, string> = Object.create(null)
    for (const [name, value] of queryPairs(rawQuery)) {
      if (name === 'template_version') continue
      if (name.startsWith('__ro_')) options[name.slice(5)] = value
      // A bare option name the template reads is the template's value (clients prefix the option then).
      else if (RENDER_OPTIONS.has(name) && !variables.has(name)) options[name] = value
      else if (!Object.hasOwn(values, name)) values[name] = jsonOrText(value)
    }
    const prepared = this.#prepare(cacheKey, user, signedBy(owner, token), this.deps.templates.body(template, values), options, out)
    this.#remember(hotKey, state, prepared, user, token)
    return this.#deliver(user, prepared, signal)
  }

  #prepare(
    cacheKey: string,
    user: UserRow,
    signedBy: Prepared['signedBy'],
    body: Record<string, unknown>,
    options: Record<string, string>,
    format: OutputFormat,
  ): Prepared {
    const req: CreateImageRequest = parseCreateImage(body, this.deps.defaults)
    checkSource(body, req, this.deps.limits)
    const prepared = { req, variant: this.#variant(options, format), id: contentImageId(user.id, renderKey(req.render)), signedBy }
    this.#prepared.set(cacheKey, prepared)
    return prepared
  }

  /** `signal`: the client has gone; a render still queued for it alone is dropped (ImageService.ensure). */
  async #deliver(user: UserRow, { req, id, variant }: Prepared, signal?: AbortSignal): Promise<SignedImage> {
    // In the served-image cache means stored and not deleted (a delete evicts it), as for GET /v1/image/:id.
    const cached = await this.deps.images.cached(id, variant)
    if (cached) return { id, image: cached, rendered: false, warnings: [] }
    const { rendered, warnings } = await this.deps.images.ensure(user, req, id, signal)
    return { id, image: await this.deps.images.fetch(id, variant, true), rendered, warnings }
  }

  #variant(options: Record<string, string>, format: OutputFormat): VariantRequest {
    const side = (name: 'width' | 'height'): number | undefined => {
      const v = options[name]
      if (v === undefined || v === '') return undefined
      const n = Number(v)
      const max = this.deps.limits.resizeSide
      if (!Number.isInteger(n) || n < 1 || n > max) {
        throw validationError([{ path: name, message: `${name} must be an integer between 1 and ${max} (MAX_RESIZE_SIDE)` }])
      }
      return n
    }
    return { format, width: side('width'), height: side('height'), ...parseFetchOptions(options) }
  }
}

/** Called after #check passed, so the signer exists and has a sealed key. */
function signedBy(signer: UserCredentials | undefined, token: string): Prepared['signedBy'] {
  return { token: token.toLowerCase(), sealed: signer!.sealed! }
}

function sameSigner(signedBy: Prepared['signedBy'], token: string, sealed: Buffer): boolean {
  // Tokens reaching here passed TOKEN (64 hex characters) or were remembered after doing so.
  if (token.length !== signedBy.token.length || !sealed.equals(signedBy.sealed)) return false
  return timingSafeEqual(Buffer.from(token, 'latin1'), Buffer.from(signedBy.token, 'latin1'))
}

function formatOf(format: string | undefined): OutputFormat {
  if (format === undefined || format === '') return 'png'
  const f = FORMATS[format.toLowerCase()]
  if (f) return f
  if (format.toLowerCase() === 'pdf') throw new AppError('VALIDATION', 'PDF output is not supported by this server; use png, jpg or webp')
  throw new AppError('VALIDATION', `format must be one of png, jpg, jpeg, webp (got ${JSON.stringify(format)})`)
}

/** Template values ride as JSON (.NET, the docs' examples) or as raw text (TS, Go, Python, Ruby). */
function jsonOrText(value: string): unknown {
  // Only text that can start a JSON value is tried: a thrown SyntaxError per plain value was the
  // largest single cost of a cached signed GET (measured with --cpu-prof).
  if (!/^\s*[[{"\d-]|^\s*(?:true|false|null)\s*$/.test(value)) return value
  try {
    return JSON.parse(value)
  } catch {
    return value
  }
}
