/**
 * The cluster section (issue 16): what a second node buys and what PostgreSQL costs, on this
 * machine. A real PostgreSQL server (the tests' launcher: Debian's binaries, a throwaway
 * cluster on 127.0.0.1) and shipped servers with one render worker each, so two nodes fit on
 * two cores:
 * - renders/s of unique title cards with one node, then with two nodes on the same database,
 *   each loaded by its own clients as a load balancer would spread them;
 * - the added latency of one create (POST /v1/image, a unique card, one at a time) with the
 *   store in PostgreSQL instead of SQLite: the two kinds of node are asked in turn, so drift
 *   in the machine's speed falls on both alike.
 * Run alone: `npm run build && node --import tsx bench/cluster.ts`.
 */
import { randomBytes } from 'node:crypto'
import { request } from 'undici'
import type { Card } from './lib/cards.js'
import { fmt, median, p95 } from './lib/stats.js'
import { renderLoad, startServer, uniqueHtml, type Server } from './http.js'
import { startPostgres } from '../test/store/postgres/postgres-server.js'

export interface ClusterResult {
  oneNode: number
  twoNodes: number
  failed: number
  createSqlite: { p50: number; p95: number }
  createPostgres: { p50: number; p95: number }
}

async function create(server: Server, html: string): Promise<number> {
  const t = performance.now()
  const res = await request(`${server.base}/v1/image`, {
    method: 'POST',
    headers: { authorization: server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ html, device_scale: 1 }),
  })
  const text = await res.body.text()
  if (res.statusCode !== 200) throw new Error(`create answered ${res.statusCode}: ${text}`)
  return performance.now() - t
}

export async function clusterRun(card: Card, seconds: number, iterations: number): Promise<ClusterResult> {
  const pg = await startPostgres()
  try {
    const env = { DATABASE_URL: pg.createDatabase('bench'), VELLUM_SECRET: randomBytes(32).toString('base64url') }
    const a = await startServer({ workers: 1, env })
    const b = await startServer({ workers: 1, env, addUser: false })
    const sqlite = await startServer({ workers: 1 })
    try {
      for (const s of [a, b, sqlite]) await create(s, uniqueHtml(card.html))
      const one = await renderLoad(a, [card], seconds, 4)
      const [la, lb] = await Promise.all([renderLoad(a, [card], seconds, 4), renderLoad(b, [card], seconds, 4)])
      const onSqlite: number[] = []
      const onPostgres: number[] = []
      for (let i = 0; i < iterations; i++) {
        onSqlite.push(await create(sqlite, uniqueHtml(card.html)))
        onPostgres.push(await create(a, uniqueHtml(card.html)))
      }
      return {
        oneNode: one.perSecond,
        twoNodes: la.perSecond + lb.perSecond,
        failed: one.failed + la.failed + lb.failed,
        createSqlite: { p50: median(onSqlite), p95: p95(onSqlite) },
        createPostgres: { p50: median(onPostgres), p95: p95(onPostgres) },
      }
    } finally {
      await Promise.all([a.stop(), b.stop(), sqlite.stop()])
    }
  } finally {
    pg.stop()
  }
}

export function clusterLines(c: ClusterResult): string[] {
  const added = c.createPostgres.p50 - c.createSqlite.p50
  return [
    `| cluster: renders/s, 1 node vs 2 nodes on one PostgreSQL (1 worker each, title) | ${fmt(c.oneNode, 1)} vs ${fmt(c.twoNodes, 1)} renders/s = ${fmt(c.twoNodes / c.oneNode, 2)}× (${c.failed} failed) | (info) | n/a |`,
    `| cluster: create p50 / p95, PostgreSQL vs SQLite (one at a time) | ${fmt(c.createPostgres.p50, 2)} / ${fmt(c.createPostgres.p95, 2)} vs ${fmt(c.createSqlite.p50, 2)} / ${fmt(c.createSqlite.p95, 2)} ms: ${added >= 0 ? '+' : '−'}${fmt(Math.abs(added), 2)} ms p50 | (info) | n/a |`,
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { loadCards } = await import('./lib/cards.js')
  const title = loadCards().find((c) => c.id === '1-title')!
  const result = await clusterRun(title, Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 15), Number(process.env.BENCH_ITERATIONS ?? 30))
  process.stdout.write(`| figure | measured | target | met |\n|---|---|---|---|\n${clusterLines(result).join('\n')}\n`)
}
