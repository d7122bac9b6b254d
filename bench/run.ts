/**
 * `npm run bench`: every figure Vellum is judged on, measured side by side in one sitting, with
 * the peers on the same cards and fonts. Prints one table and writes bench/report/latest.md
 * plus a chart drawn by Vellum itself. Settings (environment):
 *   BENCH_ITERATIONS (30)       samples per card for latency figures
 *   BENCH_LOAD_SECONDS (60)     the memory load: unique renders at full concurrency
 *   BENCH_THROUGHPUT_SECONDS (15) each throughput run
 *   BENCH_SKIP_PEERS=1          Vellum only
 *   BENCH_CONTAINER_SECONDS (60) each container run (default config in a memory cgroup; root)
 *   BENCH_CONTAINER_LIMITS (256,512,1024) the cgroup limits, MiB
 *   (the cluster section starts a throwaway PostgreSQL: Debian's postgresql package)
 * Never run two benchmarks at once on this machine: the figures are ratios measured together.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { loadCards } from './lib/cards.js'
import { fmt, geomean, median } from './lib/stats.js'
import { MiB, treeRss } from './lib/proc.js'
import { benchStages } from './stages.js'
import { loadTakumi, type PeerResult } from './peers/takumi.js'
import { benchChromium } from './peers/chromium.js'
import { cachedGetThroughput, coldStart, latency, renderLoad, signedUrls, startServer, uniqueHtml, createAndFetch, warmUp } from './http.js'
import { renderChart } from './report.js'
import { poolThroughput } from './pool.js'
import { containerRun, type ContainerResult } from './container.js'
import { clusterLines, clusterRun, type ClusterResult } from './cluster.js'

const N = Number(process.env.BENCH_ITERATIONS ?? 30)
const LOAD_S = Number(process.env.BENCH_LOAD_SECONDS ?? 60)
const TP_S = Number(process.env.BENCH_THROUGHPUT_SECONDS ?? 15)
const SKIP_PEERS = process.env.BENCH_SKIP_PEERS === '1'
const CONTAINER_S = Number(process.env.BENCH_CONTAINER_SECONDS ?? 60)
const CONTAINER_LIMITS = (process.env.BENCH_CONTAINER_LIMITS ?? '256,512,1024').split(',').map(Number)
const cores = availableParallelism()
const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`)

const cards = loadCards()
const title = cards.find((c) => c.id === '1-title')!

const notes: string[] = []
const takumiPeer = SKIP_PEERS ? undefined : await loadTakumi()
if (takumiPeer && 'skipped' in takumiPeer) notes.push(`takumi skipped: ${takumiPeer.skipped}`)
const tk = takumiPeer && !('skipped' in takumiPeer) ? takumiPeer : undefined

log(`stages in a render worker, ${N} renders per card${tk ? ', interleaved with takumi' : ''}`)
const { stages, peer: takumi } = await benchStages(cards, N, tk)

let takumiTp: number | undefined
let chromium: PeerResult[] | undefined
let chromiumTp: number | undefined
if (!SKIP_PEERS) {
  if (tk) {
    log('takumi throughput')
    takumiTp = await tk.throughput(title.html, TP_S, cores * 2)
  }
  log('chromium')
  const cr = await benchChromium(cards, N)
  if ('skipped' in cr) notes.push(`Chromium skipped: ${cr.skipped}`)
  else {
    chromium = cr.results
    chromiumTp = await cr.throughput(title.html, TP_S, cores)
    await cr.close()
  }
} else notes.push('peers skipped (BENCH_SKIP_PEERS=1)')

log(`render pool alone: 1 worker, then ${cores}`)
const poolOne = await poolThroughput(1, title, TP_S)
const poolAll = await poolThroughput(cores, title, TP_S)

log('cold start')
// A restart (the render worker's code cache, written by an earlier worker with the same flags,
// is on disk: worker-code-cache.ts), then the first boot after a build, with no cache.
const cold = median([await coldStart(title), await coldStart(title), await coldStart(title)])
const firstBoot = median([await coldStart(title, { clearCodeCache: true }), await coldStart(title, { clearCodeCache: true }), await coldStart(title, { clearCodeCache: true })])

log(`HTTP server, ${cores} workers`)
const server = await startServer({ workers: 0 })
await createAndFetch(server, uniqueHtml(title.html), 1)
await new Promise((r) => setTimeout(r, 2000))
const idle = treeRss(server.pid)
await warmUp(server, cards, 40)
const http = await latency(server, cards, N, tk)
const cachedRps = await cachedGetThroughput(server, title, 5)
log('signed template URLs (og:image)')
const signed = await signedUrls(server, title, N, 5)
const tpAll = await (async () => {
  const tcard = [title]
  return (await renderLoad(server, tcard, TP_S, cores * 4)).perSecond
})()
log(`memory load ${LOAD_S}s`)
const load = await renderLoad(server, cards, LOAD_S, cores * 4)
await server.stop()

// One core means one core: a single worker alone spreads over more (libvips encodes on its own
// threads, resvg and libuv have theirs), so the server is pinned to CPU 0, workers and threads included.
log('HTTP server on 1 core (taskset -c 0), 1 worker')
const single = await startServer({ workers: 1, cpus: '0' })
await createAndFetch(single, uniqueHtml(title.html), 1)
const tpOne = (await renderLoad(single, [title], TP_S, 4)).perSecond
await single.stop()

log('cluster: one node vs two on one PostgreSQL; create latency PostgreSQL vs SQLite')
let cluster: ClusterResult | undefined
try {
  cluster = await clusterRun(title, TP_S, N)
} catch (err) {
  notes.push(`cluster skipped: ${(err as Error).message} (needs PostgreSQL's server binaries: apt-get install postgresql)`)
}

log(`containers: the default configuration in memory cgroups of ${CONTAINER_LIMITS.join(', ')} MiB, ${CONTAINER_S}s each`)
const containers: ContainerResult[] = []
for (const limitMb of CONTAINER_LIMITS) {
  try {
    containers.push(await containerRun(cards, limitMb, CONTAINER_S))
  } catch (err) {
    notes.push(`container ${limitMb} MiB skipped: ${(err as Error).message} (needs root and a writable cgroup v1 memory controller)`)
  }
}

// ---- table ----
const byCard = (rows: PeerResult[] | undefined, id: string) => rows?.find((r) => r.card === id)
const lines: string[] = []
lines.push(`Vellum bench — ${new Date().toISOString()} — ${cores} cores, Node ${process.version}, ${N} samples per card`)
lines.push('')
lines.push('| card | parse | layout | raster | encode | server p50 | p95 | PNG KB (resvg) | e2e unique p50 | p95 | repeated p50 | takumi p50 | Chromium p50 | server/takumi | e2e/Chromium |')
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|')
for (const s of stages) {
  const h = http.find((r) => r.card === s.card)!
  const tk = byCard(takumi, s.card)
  const cr = byCard(chromium, s.card)
  lines.push(
    `| ${s.card} | ${fmt(s.parse)} | ${fmt(s.layout)} | ${fmt(s.rasterize)} | ${fmt(s.encode)} | ${fmt(s.total)} | ${fmt(s.totalP95)} | ${fmt(s.bytes / 1024, 0)} (${fmt(s.resvgBytes / 1024, 0)}) | ${fmt(h.uniqueP50)} | ${fmt(h.uniqueP95)} | ${fmt(h.repeatedP50, 2)} | ${fmt(tk?.p50 ?? NaN)} | ${fmt(cr?.p50 ?? NaN)} | ${tk ? fmt(s.total / tk.p50, 2) + '×' : '–'} | ${cr ? fmt(h.uniqueP50 / cr.p50, 2) + '×' : '–'} |`,
  )
}
const serverOverTakumi = takumi ? geomean(stages.map((s) => s.total / byCard(takumi, s.card)!.p50)) : NaN
const e2eOverChromium = chromium ? geomean(http.map((h) => h.uniqueP50 / byCard(chromium, h.card)!.p50)) : NaN
const repeatedP50 = median(http.map((h) => h.repeatedP50))
const bytesRatio = Math.max(...stages.map((s) => s.bytes / s.resvgBytes))
// Issue 15's figures against takumi in-process: end to end through HTTP, and PNG size (worst card).
// Against takumi's renders taken between the same requests (latency()), as the server ratio is.
const e2eOverTakumi = takumi ? geomean(http.map((h) => h.uniqueP50 / (h.peerP50 ?? byCard(takumi, h.card)!.p50))) : NaN
const bytesOverTakumi = takumi ? Math.max(...stages.map((s) => s.bytes / (byCard(takumi, s.card)?.bytes ?? NaN))) : NaN
lines.push('')
lines.push('All times in ms (medians unless p95). Server = one render in a render worker (no HTTP); e2e = HTTP create + fetch through the real server.')
lines.push('')
lines.push('| figure | measured | target | met |')
lines.push('|---|---|---|---|')
const target = (name: string, value: string, goal: string, ok: boolean | undefined) =>
  lines.push(`| ${name} | ${value} | ${goal} | ${ok === undefined ? 'n/a' : ok ? 'yes' : 'no'} |`)
target('unique server p50 vs takumi (geomean)', `${fmt(serverOverTakumi, 2)}×`, '≤ 3.0× (issue 15; the first bar was 2×)', takumi ? serverOverTakumi <= 3 : undefined)
target('unique e2e p50 (HTTP create + fetch) vs takumi in-process (geomean)', `${fmt(e2eOverTakumi, 2)}×`, '≤ 3.5×', takumi ? e2eOverTakumi <= 3.5 : undefined)
target('unique e2e p50 vs warm Chromium (geomean)', `${fmt(e2eOverChromium, 2)}×`, '≤ 0.5×', chromium ? e2eOverChromium <= 0.5 : undefined)
target('repeated create + cached fetch p50', `${fmt(repeatedP50, 2)} ms`, '≤ 2 ms', repeatedP50 <= 2)
target('cached GET throughput', `${fmt(cachedRps, 0)} req/s`, '≥ 5000 req/s', cachedRps >= 5000)
target('signed templated URL: first GET p50 / p95 (renders, stores, charges)', `${fmt(signed.firstP50)} / ${fmt(signed.firstP95)} ms`, '(info)', undefined)
target('signed templated URL: repeated GET p50 / p95', `${fmt(signed.repeatedP50, 2)} / ${fmt(signed.repeatedP95, 2)} ms`, '(info)', undefined)
target('cached signed-URL GET throughput', `${fmt(signed.cachedRps, 0)} req/s`, '≥ 5000 req/s', signed.cachedRps >= 5000)
target(`throughput ${cores} cores vs 1 core (title; the 1-core server pinned with taskset)`, `${fmt(tpAll, 1)} vs ${fmt(tpOne, 1)} renders/s = ${fmt(tpAll / tpOne, 2)}×`, '≥ 1.7×', tpAll / tpOne >= 1.7)
target(`render pool alone, no HTTP: ${cores} workers vs 1 (title)`, `${fmt(poolAll, 1)} vs ${fmt(poolOne, 1)} renders/s = ${fmt(poolAll / poolOne, 2)}×`, '(info)', undefined)
target('throughput vs takumi (title)', `${fmt(tpAll, 1)} vs ${fmt(takumiTp ?? NaN, 1)} renders/s = ${fmt(tpAll / (takumiTp ?? NaN), 2)}×`, '≥ 0.5×', takumiTp ? tpAll / takumiTp >= 0.5 : undefined)
target('throughput vs Chromium (title)', `${fmt(tpAll, 1)} vs ${fmt(chromiumTp ?? NaN, 1)} renders/s`, '(info)', undefined)
target('RSS idle (whole tree / API process; tree PSS)', `${fmt(MiB(idle.tree), 0)} / ${fmt(MiB(idle.main), 0)} MiB; PSS ${fmt(MiB(idle.treePss), 0)} MiB`, '≤ 80 MiB', MiB(idle.tree) <= 80)
target(`RSS peak, ${LOAD_S}s unique load (tree / API process; tree PSS)`, `${fmt(MiB(load.peakTree), 0)} / ${fmt(MiB(load.peakMain), 0)} MiB; PSS ${fmt(MiB(load.peakPss), 0)} MiB (${fmt(load.perSecond, 1)} renders/s, ${load.failed} failed)`, '≤ 200 MiB', MiB(load.peakTree) <= 200)
// Issue 15's bars: 256 MiB ≥ 24 renders/s (what the hand-tuned profile did), 512 MiB ≥ 36, 1 GiB ≥ 36 (two cores' worth).
for (const c of containers) {
  const goal = c.limitMb <= 256 ? 24 : 36
  target(
    `default config in a ${c.limitMb} MiB cgroup, ${CONTAINER_S}s mixed 1×/2× load`,
    `peak ${fmt(c.peakMb, 0)} MiB, ${c.oomKills} OOM kills, ${c.failed} of ${c.done + c.failed} failed, ${fmt(c.perSecond, 1)} renders/s${c.apiAlive ? '' : ', API process died'}`,
    `0 OOM, 0 failed, ≥ ${goal} renders/s`,
    c.oomKills === 0 && c.failed === 0 && c.apiAlive && c.perSecond >= goal,
  )
}
for (const c of containers) notes.push(`plan at ${c.limitMb} MiB: ${c.plan}${c.failed ? `; failures: ${JSON.stringify(c.failures)}` : ''}`)
if (cluster) lines.push(...clusterLines(cluster))
target('cold start to first PNG', `${fmt(cold, 0)} ms`, '≤ 500 ms', cold <= 500)
target('cold start to first PNG, first boot after a build (no code cache yet)', `${fmt(firstBoot, 0)} ms`, '(info)', undefined)
target('PNG bytes vs resvg default encoder (worst card)', `${fmt(bytesRatio, 2)}×`, '≤ 1.5×', bytesRatio <= 1.5)
target("PNG bytes vs takumi's PNG of the same card (worst card)", `${fmt(bytesOverTakumi, 2)}×`, '≤ 1.3×', takumi ? bytesOverTakumi <= 1.3 : undefined)
if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`))

const table = lines.join('\n')
process.stdout.write(`${table}\n`)

const reportDir = fileURLToPath(new URL('./report/', import.meta.url))
mkdirSync(reportDir, { recursive: true })
const chart = await renderChart(
  stages.map((s) => ({
    card: s.card,
    series: {
      'Vellum server': s.total,
      'Vellum e2e': http.find((h) => h.card === s.card)!.uniqueP50,
      takumi: byCard(takumi, s.card)?.p50 ?? NaN,
      Chromium: byCard(chromium, s.card)?.p50 ?? NaN,
    },
  })),
)
writeFileSync(`${reportDir}latest.png`, chart)
writeFileSync(`${reportDir}latest.md`, `# Vellum benchmark report\n\n${table}\n\n![p50 per card](latest.png)\n`)
log(`report: bench/report/latest.md, chart: bench/report/latest.png`)
