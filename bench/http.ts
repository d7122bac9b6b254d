/**
 * Vellum through its real HTTP server (the built `bin/vellum serve`, as users run it): cold
 * start, end-to-end latency of unique and repeated requests, cached GET throughput, render
 * throughput on one and on all cores, and resident memory of the whole process tree.
 */
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHmac } from 'node:crypto'
import { request } from 'undici'
import type { Card } from './lib/cards.js'
import { median, p95, timed } from './lib/stats.js'
import type { InterleavedPeer } from './peers/takumi.js'
import { treeRss } from './lib/proc.js'

export const BIN = fileURLToPath(new URL('../bin/vellum', import.meta.url))
export const KEY = 'bench-key-0123456789'
const GET_LOAD = fileURLToPath(new URL('./lib/get-load.ts', import.meta.url))
const run = promisify(execFile)

export interface Server {
  base: string
  pid: number
  auth: string
  stop(): Promise<void>
}

let portSeq = 3900

/**
 * `addUser: false` for a second node on a shared store, where the bench user already exists.
 * `cpus`: the CPUs the server (and every worker and thread it starts) may run on, through
 * `taskset -c`, as on a machine with only those cores.
 */
export async function startServer(options: { workers: number; env?: Record<string, string>; addUser?: boolean; cpus?: string }): Promise<Server & { startedMs: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vellum-bench-'))
  const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', RENDER_WORKERS: String(options.workers), PORT: String(++portSeq), HOST: '127.0.0.1', ...options.env }
  if (options.addUser !== false) execFileSync(process.execPath, [BIN, 'users', 'add', 'bench', '--key', KEY, '--limit', '1000000000'], { env })
  const started = performance.now()
  const child: ChildProcess = options.cpus
    ? spawn('taskset', ['-c', options.cpus, process.execPath, BIN, 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] })
    : spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] })
  const base = `http://127.0.0.1:${env.PORT}`
  for (;;) {
    try {
      const res = await fetch(`${base}/health`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error('the server exited during start')
    await new Promise((r) => setTimeout(r, 10))
  }
  return {
    base,
    pid: child.pid!,
    auth: `Basic ${Buffer.from(`bench:${KEY}`).toString('base64')}`,
    startedMs: performance.now() - started,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

let unique = 0
/** A body no earlier request had: same picture, different render key. */
export function uniqueHtml(html: string): string {
  return `${html}<!-- ${process.pid}-${++unique} -->`
}

/**
 * One create + fetch, with undici's lean client (Node's fetch adds about a millisecond per
 * request of client-side work, which is not the server's).
 */
export async function createAndFetch(server: Server, html: string, scale: number): Promise<{ ms: number; bytes: number }> {
  const t = performance.now()
  const res = await request(`${server.base}/v1/image`, {
    method: 'POST',
    headers: { authorization: server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ html, device_scale: scale }),
  })
  const text = await res.body.text()
  if (res.statusCode !== 200) throw new Error(`create answered ${res.statusCode}: ${text}`)
  const { url } = JSON.parse(text) as { url: string }
  const img = await request(url)
  const bytes = (await img.body.arrayBuffer()).byteLength
  if (img.statusCode !== 200) throw new Error(`fetch answered ${img.statusCode}`)
  return { ms: performance.now() - t, bytes }
}

/**
 * Spawn of `vellum serve` to the first PNG in hand, on a fresh data directory. Adding the
 * bench's user (a separate CLI run before the spawn) is setup, not start-up, and not counted.
 * `clearCodeCache`: as the first start after `npm run build`, without the render worker's code
 * cache (dist/.v8-cache, which an earlier start wrote).
 */
export async function coldStart(card: Card, options: { clearCodeCache?: boolean } = {}): Promise<number> {
  if (options.clearCodeCache) rmSync(fileURLToPath(new URL('../dist/.v8-cache', import.meta.url)), { recursive: true, force: true })
  const server = await startServer({ workers: 0 })
  const first = await createAndFetch(server, uniqueHtml(card.html), card.scale)
  await server.stop()
  return server.startedMs + first.ms
}

/**
 * Unique create + fetch rounds over the card set before anything is timed. A server's first
 * ~150 requests run slower (V8 tiers up the API process's request path and each render worker's
 * pipeline, and both workers get requests): measured on one server, 30 unique requests a card,
 * the first round's geomean was 19.4–19.8 ms against 14.3–15.9 in the rounds after it; after
 * 100 warm-up requests, 15.5–16.8. The cold start is a figure of its own.
 */
export async function warmUp(server: Server, cards: Card[], rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) for (const card of cards) await createAndFetch(server, uniqueHtml(card.html), card.scale)
}

/**
 * Create + fetch latency per card, unique and repeated. With a peer (takumi), its renders of the
 * card alternate with the unique requests, so the e2e/peer ratio is measured at the same moments.
 */
export async function latency(server: Server, cards: Card[], iterations: number, peer?: InterleavedPeer) {
  const rows = []
  for (const card of cards) {
    for (let i = 0; i < 2; i++) await createAndFetch(server, uniqueHtml(card.html), card.scale)
    const uniqueMs: number[] = []
    const peerMs: number[] = []
    const peerOnce = async () => {
      if (peer) peerMs.push((await timed(() => peer.render(card)))[0])
    }
    for (let i = 0; i < iterations; i++) {
      if (i % 2 === 1) await peerOnce()
      uniqueMs.push((await createAndFetch(server, uniqueHtml(card.html), card.scale)).ms)
      if (i % 2 === 0) await peerOnce()
    }
    const repeatedHtml = uniqueHtml(card.html)
    await createAndFetch(server, repeatedHtml, card.scale)
    const repeatedMs: number[] = []
    for (let i = 0; i < iterations * 3; i++) repeatedMs.push((await createAndFetch(server, repeatedHtml, card.scale)).ms)
    rows.push({ card: card.id, uniqueP50: median(uniqueMs), uniqueP95: p95(uniqueMs), repeatedP50: median(repeatedMs), repeatedP95: p95(repeatedMs), peerP50: peer ? median(peerMs) : undefined })
  }
  return rows
}

export async function cachedGetThroughput(server: Server, card: Card, seconds: number): Promise<number> {
  const res = await fetch(`${server.base}/v1/image`, {
    method: 'POST',
    headers: { authorization: server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ html: card.html, device_scale: card.scale }),
  })
  const { url } = (await res.json()) as { url: string }
  await fetch(url)
  // The load generator runs in its own process, as a real client would: in this process it
  // would share one event loop with the bench's own bookkeeping and measure that instead.
  const { stdout } = await run(process.execPath, [...process.execArgv, GET_LOAD, url, '32', String(seconds)])
  const result = JSON.parse(stdout) as { non2xx: number; perSecond: number }
  if (result.non2xx > 0) throw new Error(`${result.non2xx} cached GETs failed`)
  return result.perSecond
}

/** Unique renders per second at `concurrency`, sampling the tree's RSS meanwhile. */
export async function renderLoad(server: Server, cards: Card[], seconds: number, concurrency: number) {
  let done = 0
  let failed = 0
  let peakTree = 0
  let peakMain = 0
  let peakPss = 0
  const sampler = setInterval(() => {
    const rss = treeRss(server.pid)
    peakTree = Math.max(peakTree, rss.tree)
    peakMain = Math.max(peakMain, rss.main)
    peakPss = Math.max(peakPss, rss.treePss)
  }, 100)
  const end = Date.now() + seconds * 1000
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      let i = w
      while (Date.now() < end) {
        const card = cards[i++ % cards.length]!
        try {
          await createAndFetch(server, uniqueHtml(card.html), card.scale)
          done++
        } catch {
          failed++
        }
      }
    }),
  )
  clearInterval(sampler)
  return { perSecond: done / seconds, failed, peakTree, peakMain, peakPss }
}

/**
 * The og:image workflow: a template saved once, then signed GET URLs as a crawler fetches them.
 * First GET = a URL never seen (render, store, charge); repeated = the same URL again (served
 * from the store); throughput = cached signed GETs per second from a separate load process.
 */
export async function signedUrls(server: Server, card: Card, iterations: number, seconds: number) {
  const res = await request(`${server.base}/v1/template`, {
    method: 'POST',
    headers: { authorization: server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ html: `${card.html}<!-- {{n}} -->`, device_scale: card.scale }),
  })
  const text = await res.body.text()
  if (res.statusCode !== 200) throw new Error(`template answered ${res.statusCode}: ${text}`)
  const { template_id: id } = JSON.parse(text) as { template_id: string }
  const url = (n: string) => {
    const query = `n=${n}`
    return `${server.base}/v1/image/${id}/${createHmac('sha256', KEY).update(query).digest('hex')}/png?${query}`
  }
  const get = async (u: string) => {
    const t = performance.now()
    const img = await request(u)
    await img.body.arrayBuffer()
    if (img.statusCode !== 200) throw new Error(`signed GET answered ${img.statusCode}`)
    return performance.now() - t
  }
  for (let i = 0; i < 2; i++) await get(url(`warm-${process.pid}-${i}`))
  const first: number[] = []
  for (let i = 0; i < iterations; i++) first.push(await get(url(`${process.pid}-${++unique}`)))
  const repeatedUrl = url(`${process.pid}-${++unique}`)
  await get(repeatedUrl)
  const repeated: number[] = []
  for (let i = 0; i < iterations * 3; i++) repeated.push(await get(repeatedUrl))
  const { stdout } = await run(process.execPath, [...process.execArgv, GET_LOAD, repeatedUrl, '32', String(seconds)])
  const load = JSON.parse(stdout) as { non2xx: number; perSecond: number }
  if (load.non2xx > 0) throw new Error(`${load.non2xx} cached signed GETs failed`)
  return { firstP50: median(first), firstP95: p95(first), repeatedP50: median(repeated), repeatedP95: p95(repeated), cachedRps: load.perSecond }
}
