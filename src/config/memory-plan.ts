/**
 * How the default configuration spends the memory it is given. Without a limit it keeps the
 * defaults every figure in the README was measured with; under a limit (a container's cgroup, or
 * MEMORY_LIMIT_MB) it picks the number of render workers, their V8 heap cap, how long freed
 * pixel memory is kept, the caches and a render's memory budget so that the whole process tree
 * stays under the limit at its peak. A variable the operator set always wins over the plan.
 *
 * The costs below are what the cgroup charged (v1 `memory.max_usage_in_bytes`, which counts a
 * shared page once, like PSS) in `npm run bench`'s container section: 60 s of unique 1×/2×
 * renders of the five bench cards, four clients.
 */

import type { Config } from './schema.js'

/** The API process: Node, Fastify, SQLite, undici and sharp (loaded right after it listens), requests in flight. */
export const API_MB = 110

/** A render worker's settings and what it costs: warm (fonts parsed, first render done) and at its peak under load. */
interface WorkerProfile {
  name: string
  /** V8 old-space cap (0 = Node's default). */
  heapMb: number
  /** How long resvg's allocator keeps freed pixel memory (MIMALLOC_PURGE_DELAY). */
  freedMemoryKeepMs: number
  /** How far V8 lets the heap grow past what survived a full collection before the next (see FULL_GROWTH). */
  heapGrowthPercent: number
  warmMb: number
  peakMb: number
}

/**
 * V8 sizes its heap from the memory it sees, and under a cgroup it sees the container's limit:
 * at 512 MiB a worker's old space is capped near 256 MB and V8 then grows it by only ~1.3–1.4×
 * past the live data before the next full collection (4× on a machine with plenty of memory), and
 * its young generation shrinks to 1–2 MB. Satori allocates fast and keeps ~30 MB live (fonts,
 * caches), so a worker in a container ran a full collection every few renders: 60 s of mixed
 * unique 1×/2× cards gave 9–10 renders/s in 512 MiB and 1 GiB groups against 17–18 with the
 * same plan and no cgroup. Each profile therefore says the growth it wants (V8's
 * `--heap-growing-percent`); its heap cap still bounds the heap, and the peaks below were measured
 * with it. `npm run bench`'s container section (60 s, 4 clients), before → after: 512 MiB 11.7 → 17.5
 * renders/s, 1 GiB 12.4 → 21.1; no OOM kill, no failed render. The lean (256 MiB) profile keeps
 * V8's own growth: 100 % gave 9.4–10.5 renders/s against 7.8 but an OOM kill in CI.
 */
const FULL_GROWTH = 300

/** Richest first: the plan takes the richest profile that runs as many workers as any. */
const PROFILES: WorkerProfile[] = [
  { name: 'full', heapMb: 0, freedMemoryKeepMs: 1000, heapGrowthPercent: FULL_GROWTH, warmMb: 130, peakMb: 260 },
  { name: 'capped', heapMb: 160, freedMemoryKeepMs: 1000, heapGrowthPercent: 100, warmMb: 120, peakMb: 180 },
  // Lean: V8's own growth. At 100 % the 256 MiB group held 230–250 MiB under the container test's
  // load, and one CI run had 3 OOM kills: there is no room for a bigger heap at 256 MiB. With a
  // 96 MiB cap the processes still reached 229–242 MiB (one OOM kill in six runs of the container
  // test); 80 MiB takes ~10 MiB off the worker's peak (136 → 123 MiB anonymous, 30 s of mixed
  // load) for about the same renders/s (17.6 and 16.7 → 16.0, within this VM's drift).
  // Freed pixel memory kept 10 ms: long enough for the next render under load to reuse it (the
  // gap between two is a scavenge and an IPC round trip), short enough to be gone between
  // requests. At 0 every render faulted its pixmaps in afresh: an empty 1200×630 raster took
  // 2.8 ms against 0.43 (1,536 page faults against 0), a 2× card four times that. Measured in the
  // 256 MiB group, 20 s of the container load, interleaved (renders/s; the processes' anonymous
  // peak). One set: 0 ms 21.5–22.65 (187–200 MiB), 10 ms 23.2–24.5 (204–213), 30 ms 24.8–27.6
  // (211–234); a later one: 10 ms 25.1–26.25 (204–217), 20 ms 25.95–26.95 (215–216), 30 ms
  // 26.55–29.45 (214–217). 30 gained little over 20 and once held 234 MiB. 0 against 20, three
  // runs each interleaved: 21.2–22.55 against 24.5–27.8 renders/s (191–207 against 211–226 MiB).
  // test/e2e/container.test.ts's 15 s: the processes held 212–241 MiB (eleven runs) against 210–217,
  // then 244 in CI, and the bench's 60 s at 256 MiB had an OOM kill (1 of 1,942 renders failed):
  // 20 ms left no room, so 10 ms, which measured 204–217 MiB.
  { name: 'lean', heapMb: 80, freedMemoryKeepMs: 10, heapGrowthPercent: 0, warmMb: 100, peakMb: 125 },
]

/** RENDER_MEMORY_MB without a container limit, and its floor (see the schema). */
export const DEFAULT_DATA_LIMIT_MB = 2048
const MIN_DATA_LIMIT_MB = 384
const MiB = 1024 * 1024

export interface MemoryPlan {
  /** The limit planned for, in MiB; undefined: none (today's defaults). */
  limitMb: number | undefined
  workers: number
  heapMb: number
  freedMemoryKeepMs: number
  heapGrowthPercent: number
  /** Each worker's data-segment rlimit (RENDER_MEMORY_MB). */
  dataLimitMb: number
  /** The most one render may use so that every worker rendering at once still fits; undefined: no cap from the container. */
  budgetMb: number | undefined
  imageCacheBytes: number
  fetchCacheBytes: number
  signedUrlCacheBytes: number
  /** Fetched @font-face files (PAGE_FONT_CACHE_BYTES). */
  pageFontCacheBytes: number
  /** The limit leaves less than one lean worker needs: it runs anyway, and the boot log says so. */
  tooSmall: boolean
  /**
   * The API process loads sharp (libvips) at boot rather than on the first JPEG, WebP, resize or
   * image conversion. Loading it mid-request held the event loop ~200 ms; loaded, it holds
   * 5–7 MiB of anonymous memory and ~10 MiB of library pages the container is charged for
   * (measured at 256 MiB: the processes' anonymous peak 213–218 → 198 MiB). The lean plan keeps
   * that room and takes the one-time pause instead.
   */
  preloadImageCodecs: boolean
  /**
   * SQLite image commits run in a thread of their own (commit-thread.ts), off the event loop. The
   * thread is a second V8 isolate with its own connection: ~10 MiB of the API process at boot and
   * a malloc arena that grew to ~18 MiB in use under load (the PNGs it is handed). Measured at
   * 256 MiB (npm start, 30 s of mixed 1×/2× load): the API process's anonymous peak 80–83 → 69–71
   * MiB. The lean plan commits on the event loop instead (1–4 ms a render, at the ~20 renders/s one
   * worker draws); durability is the same either way.
   */
  commitThread: boolean
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

/** `fixedWorkers`: RENDER_WORKERS when the operator set it; the plan then sizes that many. */
export function planMemory(limitBytes: number | undefined, cores: number, fixedWorkers?: number): MemoryPlan {
  if (limitBytes === undefined) {
    return {
      limitMb: undefined,
      workers: fixedWorkers ?? cores,
      heapMb: 0,
      freedMemoryKeepMs: 1000,
      heapGrowthPercent: FULL_GROWTH,
      dataLimitMb: DEFAULT_DATA_LIMIT_MB,
      budgetMb: undefined,
      imageCacheBytes: 32 * MiB,
      fetchCacheBytes: 32 * MiB,
      signedUrlCacheBytes: 8 * MiB,
      pageFontCacheBytes: 8 * MiB,
      tooSmall: false,
      preloadImageCodecs: true,
      commitThread: true,
    }
  }
  const limitMb = Math.floor(limitBytes / MiB)
  // Caches grow with the limit: 1/32 of it each (8 MiB at 256 MiB, the 32 MiB default from 1 GiB).
  const cacheMb = clamp(Math.floor(limitMb / 32), 4, 32)
  const signedMb = clamp(Math.floor(limitMb / 128), 1, 8)
  // Fetched page fonts take a quarter of the remote-fetch share (2 MiB at 256 MiB, 8 MiB from
  // 1 GiB): the two caches hold what pages fetch, and together cost what the fetch cache did.
  const fontMb = Math.max(1, Math.floor(cacheMb / 4))
  const free = limitMb - API_MB - 2 * cacheMb - signedMb
  const fits = (p: WorkerProfile) => Math.min(fixedWorkers ?? cores, Math.floor(free / p.peakMb))
  const most = Math.max(...PROFILES.map(fits))
  const profile = most > 0 ? PROFILES.find((p) => fits(p) === most)! : PROFILES[PROFILES.length - 1]!
  const workers = fixedWorkers ?? Math.max(1, most)
  // Every worker may render at once: each gets an equal share of what their warm footprint leaves.
  const budgetMb = Math.max(16, Math.floor((free - workers * profile.warmMb) / workers))
  // The data rlimit must not cut the budget short (it counts address space: 1.5 per resident byte, see memory-budget.ts).
  const dataLimitMb = Math.max(MIN_DATA_LIMIT_MB, Math.ceil(200 + budgetMb * 1.5))
  return {
    limitMb,
    workers,
    heapMb: profile.heapMb,
    freedMemoryKeepMs: profile.freedMemoryKeepMs,
    heapGrowthPercent: profile.heapGrowthPercent,
    dataLimitMb,
    budgetMb,
    imageCacheBytes: cacheMb * MiB,
    fetchCacheBytes: (cacheMb - fontMb) * MiB,
    signedUrlCacheBytes: signedMb * MiB,
    pageFontCacheBytes: fontMb * MiB,
    tooSmall: most === 0 || (fixedWorkers !== undefined && most < fixedWorkers),
    preloadImageCodecs: profile.name !== 'lean',
    commitThread: profile.name !== 'lean',
  }
}

/** The boot log's one line: what the process was sized for and what it chose (including what the operator set). */
export function memorySummary(config: Pick<Config, 'memory' | 'render' | 'cache' | 'fetch' | 'pageFonts'>): string {
  const { memory: m, render: r, cache: c } = config
  const mib = (b: number) => `${Math.round(b / MiB)} MiB`
  const limit = m.limitMb === undefined ? 'no memory limit' : `limit ${m.limitMb} MiB (${m.source === 'cgroup' ? 'cgroup' : 'MEMORY_LIMIT_MB'})`
  const heap = r.heapMb > 0 ? `heap ${r.heapMb} MiB each` : "Node's default heap"
  return (
    `${limit} → ${r.workers} render worker${r.workers === 1 ? '' : 's'}, ${heap} ${r.heapGrowthPercent > 0 ? `growing ${r.heapGrowthPercent} % between collections` : "growing as V8 chooses"}, freed pixel memory kept ${r.freedMemoryKeepMs} ms, ` +
    `render budget ${r.budgetMb} MB, data limit ${r.memoryMb > 0 ? `${r.memoryMb} MB` : 'none'}; ` +
    `caches: images ${mib(c.imageBytes)}, remote fetches ${mib(config.fetch.cacheBytes)}, page fonts ${mib(config.pageFonts.cacheBytes)}, signed URLs ${mib(c.signedUrlBytes)}`
  )
}
