/**
 * The one way Vellum fetches a URL (remote images, Google Fonts). Every request:
 * - is http(s) only, with at most `maxRedirects` redirects, each hop checked again;
 * - connects only to public addresses unless `allowPrivate` (tests, trusted networks): the
 *   check runs in undici's connect step, on the address the socket is opened to (IP literals
 *   are checked before connecting, since no lookup happens for them);
 * - has one deadline for headers and body (`timeoutMs`) and a byte cap (`maxBytes`) that is
 *   enforced while reading, whatever Content-Length claims.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import type { Agent } from 'undici'
import { isPublicAddress } from './address-policy.js'

type Undici = typeof import('undici')

export interface GuardedFetchOptions {
  timeoutMs: number
  maxBytes: number
  allowPrivate: boolean
  maxRedirects: number
  /** The Accept header; remote images by default. */
  accept?: string
  /** The settings behind `timeoutMs` and `maxBytes`, named in errors; FETCH_* by default. */
  settingNames?: { timeoutMs: string; maxBytes: string }
  /** DNS seam for tests; defaults to the system resolver. */
  lookup?: typeof dnsLookup
}

export interface FetchedResource {
  bytes: Buffer
  contentType: string
  /** The URL the bytes came from, after redirects. */
  url: string
}

/** A refusal or failure that is the remote side's or the URL's fault (reported, not a 500). */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly reason: 'not_allowed' | 'too_large' | 'timeout' | 'http_status' | 'network' | 'redirects',
  ) {
    super(message)
    this.name = 'FetchError'
  }
}

const notAllowed = (host: string) => new FetchError(`${host} is not a public address`, 'not_allowed')

export class GuardedFetcher {
  readonly #names: { timeoutMs: string; maxBytes: string }
  // undici is loaded on the first fetch: it adds about 20 MiB to the API process, which most
  // deployments (no remote images, no Google Fonts) would carry idle for nothing.
  #client: Promise<{ agent: Agent; request: Undici['request'] }> | undefined

  constructor(private readonly options: GuardedFetchOptions) {
    this.#names = options.settingNames ?? { timeoutMs: 'FETCH_TIMEOUT_MS', maxBytes: 'FETCH_MAX_BYTES' }
  }

  #connect(): Promise<{ agent: Agent; request: Undici['request'] }> {
    // undici is CommonJS: Node's own ESM loader exposes its exports by name, but in the esbuild
    // bundle (dist/, what `npm start` runs) the lazily loaded chunk exports only `default`. Read
    // both shapes; test/e2e runs the bundle so a change here that breaks one of them is seen.
    this.#client ??= import('undici').then((mod) => {
      const { Agent, request } = ('Agent' in mod && mod.Agent ? mod : (mod as unknown as { default: Undici }).default) as Undici
      return { agent: this.#createAgent(Agent), request }
    })
    return this.#client
  }

  #createAgent(AgentClass: Undici['Agent']): Agent {
    const options = this.options
    const resolve = options.lookup ?? dnsLookup
    const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
      resolve(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
        if (err) return callback(err, '', 0)
        const list = (Array.isArray(addresses) ? addresses : [{ address: addresses, family: 4 }]) as LookupAddress[]
        const allowed = options.allowPrivate ? list : list.filter((a) => isPublicAddress(a.address))
        if (allowed.length === 0) return callback(notAllowed(hostname), '', 0)
        if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed)
        callback(null, allowed[0]!.address, allowed[0]!.family)
      })
    }
    return new AgentClass({
      connect: { lookup: guardedLookup, timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      maxResponseSize: options.maxBytes,
    })
  }

  /**
   * Checks the URL itself: scheme, and IP-literal hosts (no DNS lookup happens for those).
   * `base`: a redirect's Location is resolved against the URL that sent it, and one that is not a
   * URL (`http://[::1`) fails that fetch like any other bad address.
   */
  #check(raw: string, base?: URL): URL {
    let url: URL
    try {
      url = new URL(raw, base)
    } catch {
      throw new FetchError(`${raw.slice(0, 100)} is not a valid URL`, 'not_allowed')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchError(`${url.protocol} URLs are not fetched`, 'not_allowed')
    const host = url.hostname.replace(/^\[|\]$/g, '')
    if (isIP(host) && !this.options.allowPrivate && !isPublicAddress(host)) throw notAllowed(url.hostname)
    return url
  }

  /** `cancel`: the caller no longer wants the bytes (the fetch then ends as a FetchError). */
  async fetch(raw: string, cancel?: AbortSignal): Promise<FetchedResource> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs)
    const signal = cancel ? AbortSignal.any([timeout, cancel]) : timeout
    let url = this.#check(raw)
    const { agent, request } = await this.#connect()
    for (let hop = 0; ; hop++) {
      let res: Awaited<ReturnType<Undici['request']>>
      try {
        res = await request(url, { dispatcher: agent, signal, method: 'GET', headers: { accept: this.options.accept ?? 'image/*,*/*;q=0.5' } })
      } catch (err) {
        throw this.#wrap(err, url)
      }
      if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
        await res.body.dump().catch(() => undefined)
        if (hop >= this.options.maxRedirects) throw new FetchError(`more than ${this.options.maxRedirects} redirects`, 'redirects')
        url = this.#check(String(res.headers.location), url)
        continue
      }
      if (res.statusCode !== 200) {
        await res.body.dump().catch(() => undefined)
        throw new FetchError(`${url.host} answered status ${res.statusCode}`, 'http_status')
      }
      const declared = Number(res.headers['content-length'] ?? 0)
      if (declared > this.options.maxBytes) {
        res.body.destroy()
        throw new FetchError(`larger than ${this.options.maxBytes} bytes (${this.#names.maxBytes})`, 'too_large')
      }
      const chunks: Buffer[] = []
      let total = 0
      try {
        for await (const chunk of res.body) {
          total += (chunk as Buffer).byteLength
          if (total > this.options.maxBytes) {
            res.body.destroy()
            throw new FetchError(`larger than ${this.options.maxBytes} bytes (${this.#names.maxBytes})`, 'too_large')
          }
          chunks.push(chunk as Buffer)
        }
      } catch (err) {
        throw this.#wrap(err, url)
      }
      const type = res.headers['content-type']
      return { bytes: Buffer.concat(chunks), contentType: String(Array.isArray(type) ? type[0] : (type ?? '')), url: url.href }
    }
  }

  #wrap(err: unknown, url: URL): FetchError {
    if (err instanceof FetchError) return err
    const e = err as Error & { code?: string; cause?: unknown }
    if (e.cause instanceof FetchError) return e.cause
    if (e.name === 'TimeoutError' || e.name === 'AbortError' || /Timeout/i.test(e.code ?? '')) {
      return new FetchError(`${url.host} did not answer within ${this.options.timeoutMs} ms (${this.#names.timeoutMs})`, 'timeout')
    }
    if (e.code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return new FetchError(`larger than ${this.options.maxBytes} bytes (${this.#names.maxBytes})`, 'too_large')
    return new FetchError(`${url.host}: ${e.message}`, 'network')
  }

  /** Loads undici now rather than on the first fetch (see Container.warmUp). */
  async warm(): Promise<void> {
    await this.#connect()
  }

  async close(): Promise<void> {
    if (this.#client) await (await this.#client).agent.close()
  }
}
