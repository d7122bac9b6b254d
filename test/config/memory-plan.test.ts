/**
 * The memory plan: what the default configuration becomes under a limit, and that every variable
 * an operator sets still wins. The real cgroup and the real server under it are in
 * test/config/memory-limit.test.ts and test/e2e/container.test.ts.
 */
import t from 'tap'
import { API_MB, memorySummary, planMemory } from '../../src/config/memory-plan.js'
import { loadConfig } from '../../src/config/load-config.js'

const MiB = 1024 * 1024
const none = () => undefined

t.test('without a limit: the defaults the README was measured with', async (t) => {
  const p = planMemory(undefined, 2)
  t.match(p, { limitMb: undefined, workers: 2, heapMb: 0, freedMemoryKeepMs: 1000, heapGrowthPercent: 300, dataLimitMb: 2048, budgetMb: undefined, imageCacheBytes: 32 * MiB, fetchCacheBytes: 32 * MiB, signedUrlCacheBytes: 8 * MiB, tooSmall: false })
  const c = loadConfig({}, {}, none)
  t.match(c.render, { workers: c.render.workers, memoryMb: 2048, budgetMb: 1232, heapMb: 0, freedMemoryKeepMs: 1000 })
  t.same(c.memory, { limitMb: undefined, source: 'none', tooSmall: false, preloadImageCodecs: true, commitThread: true })
})

t.test('every plan fits its limit at the workers’ measured peak, and uses the cores it can', async (t) => {
  for (const cores of [1, 2, 4, 16]) {
    for (const limitMb of [256, 320, 384, 512, 768, 1024, 2048, 4096, 16384]) {
      const p = planMemory(limitMb * MiB, cores)
      const caches = (p.imageCacheBytes + p.fetchCacheBytes + p.pageFontCacheBytes + p.signedUrlCacheBytes) / MiB
      t.ok(p.workers >= 1 && p.workers <= cores, `${limitMb} MiB, ${cores} cores: ${p.workers} workers`)
      // Every worker warm plus one budget each (all rendering at once), the API and its caches.
      t.ok(API_MB + caches + p.workers * p.budgetMb! <= limitMb, `${limitMb} MiB, ${cores} cores: budgets fit`)
      t.ok(p.dataLimitMb >= 384 && (p.dataLimitMb - 200) / 1.5 >= p.budgetMb!, 'the data rlimit never cuts the budget short')
      t.equal(p.tooSmall, false)
    }
  }
  // More memory never means fewer workers or a smaller budget per render.
  let last = planMemory(256 * MiB, 2)
  for (const limitMb of [384, 512, 768, 1024, 2048]) {
    const p = planMemory(limitMb * MiB, 2)
    t.ok(p.workers >= last.workers, `${limitMb}: workers ${p.workers} ≥ ${last.workers}`)
    t.ok(p.workers > last.workers || p.budgetMb! >= last.budgetMb!, `${limitMb}: budget ${p.budgetMb} ≥ ${last.budgetMb}`)
    last = p
  }
})

t.test('256, 512 and 1024 MiB on two cores', async (t) => {
  t.match(planMemory(256 * MiB, 2), { limitMb: 256, workers: 1, heapMb: 80, freedMemoryKeepMs: 10, heapGrowthPercent: 0, dataLimitMb: 384, imageCacheBytes: 8 * MiB, preloadImageCodecs: false, commitThread: false })
  t.match(planMemory(512 * MiB, 2), { limitMb: 512, workers: 2, heapMb: 160, freedMemoryKeepMs: 1000, heapGrowthPercent: 100, preloadImageCodecs: true, commitThread: true })
  // V8's own choice under a 1 GiB cgroup would be ~1.4×: the plan says 4×, as on a large machine.
  t.match(planMemory(1024 * MiB, 2), { limitMb: 1024, workers: 2, heapMb: 0, freedMemoryKeepMs: 1000, heapGrowthPercent: 300, imageCacheBytes: 32 * MiB, preloadImageCodecs: true })
  t.match(planMemory(undefined, 2), { limitMb: undefined, preloadImageCodecs: true }, 'no limit: libvips is loaded at boot')
})

t.test('a limit too small for one worker: one lean worker, said at boot', async (t) => {
  const p = planMemory(160 * MiB, 2)
  t.match(p, { workers: 1, heapMb: 80, tooSmall: true })
  t.ok(p.budgetMb! >= 16)
})

t.test('MEMORY_LIMIT_MB plans as a cgroup would; it wins over the cgroup found', async (t) => {
  const c = loadConfig({ MEMORY_LIMIT_MB: '256' }, {}, () => 4096 * MiB)
  t.same(c.memory, { limitMb: 256, source: 'MEMORY_LIMIT_MB', tooSmall: false, preloadImageCodecs: false, commitThread: false })
  t.equal(c.render.workers, 1)
  t.equal(c.render.heapMb, 80)
  t.equal(c.cache.imageBytes, 8 * MiB)
  t.equal(c.fetch.cacheBytes, 6 * MiB)
  t.equal(c.pageFonts.cacheBytes, 2 * MiB, 'page fonts take a quarter of the fetch share')
  const cg = loadConfig({}, {}, () => 512 * MiB)
  t.same(cg.memory, { limitMb: 512, source: 'cgroup', tooSmall: false, preloadImageCodecs: true, commitThread: true })
  t.equal(cg.render.heapMb, 160)
  t.match(memorySummary(cg), /^limit 512 MiB \(cgroup\) → \d+ render workers?, heap 160 MiB each growing 100 % between collections, freed pixel memory kept 1000 ms, render budget \d+ MB, data limit \d+ MB; caches: images 16 MiB, remote fetches 12 MiB, page fonts 4 MiB, signed URLs 4 MiB$/)
})

t.test('what the operator sets wins; the budget still fits the workers they asked for', async (t) => {
  const c = loadConfig(
    { RENDER_WORKER_HEAP_MB: '200', RENDER_WORKER_HEAP_GROWTH_PERCENT: '50', RENDER_FREED_MEMORY_KEEP_MS: '5', IMAGE_CACHE_BYTES: '1048576', FETCH_CACHE_BYTES: '2097152', SIGNED_URL_CACHE_BYTES: '0', RENDER_MEMORY_MB: '1000' },
    {},
    () => 256 * MiB,
  )
  t.match(c.render, { heapMb: 200, heapGrowthPercent: 50, freedMemoryKeepMs: 5, memoryMb: 1000 })
  t.equal(c.cache.imageBytes, 1048576)
  t.equal(c.fetch.cacheBytes, 2097152)
  t.equal(c.cache.signedUrlBytes, 0)
  const one = loadConfig({}, {}, () => 1024 * MiB).render.budgetMb
  const four = loadConfig({ RENDER_WORKERS: '4' }, {}, () => 1024 * MiB)
  t.equal(four.render.workers, 4)
  t.ok(four.render.budgetMb < one, `four workers share the limit: ${four.render.budgetMb} < ${one} MB each`)
  t.equal(four.render.heapMb, 160, 'four workers fit 1 GiB with capped heaps')
  t.equal(four.memory.tooSmall, false)
  t.equal(loadConfig({ RENDER_WORKERS: '8' }, {}, () => 1024 * MiB).memory.tooSmall, true, 'eight exceed it even lean: said at boot')
  t.equal(loadConfig({ RENDER_BUDGET_MB: '10' }, {}, () => 1024 * MiB).render.budgetMb, 10, 'a smaller explicit budget')
  t.equal(loadConfig({ RENDER_BUDGET_MB: '5000' }, {}, () => 1024 * MiB).render.budgetMb, one, 'a larger one is capped at the share')
})

t.test('MEMORY_LIMIT_MB above the cgroup: the heap grows as V8 chooses from the real limit', async (t) => {
  const over = loadConfig({ MEMORY_LIMIT_MB: '4096' }, {}, () => 256 * MiB)
  t.equal(over.render.heapGrowthPercent, 0)
  t.match(memorySummary(over), /growing as V8 chooses/)
  t.equal(loadConfig({ MEMORY_LIMIT_MB: '512' }, {}, () => 4096 * MiB).render.heapGrowthPercent, 100, 'below the cgroup: the plan')
  t.equal(loadConfig({}, {}, () => 1024 * MiB).render.heapGrowthPercent, 300, 'the cgroup alone: the plan')
  t.equal(loadConfig({ MEMORY_LIMIT_MB: '4096', RENDER_WORKER_HEAP_GROWTH_PERCENT: '50' }, {}, () => 256 * MiB).render.heapGrowthPercent, 50, 'the operator’s value wins')
})
