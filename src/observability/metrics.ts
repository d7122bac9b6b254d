/**
 * What the service counts and times, as Prometheus metrics (prom-client, a registry of its own
 * rather than the global one, so tests and several apps in one process never share counters).
 * Services get the `Metrics` interface from the composition root; the `/metrics` route exposes
 * the registry.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { StageTimings } from '../render/job.js'

export type RenderOutcome = 'ok' | 'refused' | 'timeout' | 'crashed' | 'queue_full' | 'failed'
export type CacheName = 'served_images' | 'variants' | 'remote_images' | 'google_fonts' | 'page_fonts' | 'sheets' | 'font_sets'
export type WorkerEnd = 'crash' | 'deadline' | 'idle' | 'shutdown'

export interface Metrics {
  readonly registry: Registry
  render(outcome: RenderOutcome, timings?: StageTimings): void
  storeSeconds(seconds: number): void
  queueWaitSeconds(seconds: number): void
  cache(name: CacheName, hit: boolean): void
  /** Lookups counted elsewhere (a render worker's own caches), added in one go. */
  cacheCounts(name: CacheName, hits: number, misses: number): void
  quotaRejected(): void
  workerStarted(): void
  workerEnded(cause: WorkerEnd): void
}

// Renders take milliseconds (a title card) to seconds (device scale 3 with shadows).
const STAGE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export function createMetrics(options: { queueDepth: () => number }): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'vellum_' })
  const renders = new Counter({ name: 'vellum_renders_total', help: 'Renders by outcome', labelNames: ['outcome'] as const, registers: [registry] })
  const stages = new Histogram({
    name: 'vellum_render_stage_seconds',
    help: 'Time of each render stage (parse, layout, raster, encode in a worker; store in the API process)',
    labelNames: ['stage'] as const,
    buckets: STAGE_BUCKETS,
    registers: [registry],
  })
  const queueWait = new Histogram({ name: 'vellum_render_queue_wait_seconds', help: 'Time a render waited for a worker', buckets: STAGE_BUCKETS, registers: [registry] })
  new Gauge({
    name: 'vellum_render_queue_depth',
    help: 'Renders waiting for a worker',
    registers: [registry],
    collect() {
      this.set(options.queueDepth())
    },
  })
  const caches = new Counter({ name: 'vellum_cache_requests_total', help: 'Cache lookups by cache and result', labelNames: ['cache', 'result'] as const, registers: [registry] })
  const quota = new Counter({ name: 'vellum_quota_rejections_total', help: 'Requests refused because the plan limit was reached', registers: [registry] })
  const workerStarts = new Counter({ name: 'vellum_worker_starts_total', help: 'Render worker processes started', registers: [registry] })
  const workerEnds = new Counter({ name: 'vellum_worker_ends_total', help: 'Render worker processes ended, by cause', labelNames: ['cause'] as const, registers: [registry] })
  return {
    registry,
    render(outcome, timings) {
      renders.inc({ outcome })
      if (!timings) return
      stages.observe({ stage: 'parse' }, timings.parse / 1000)
      stages.observe({ stage: 'layout' }, timings.layout / 1000)
      stages.observe({ stage: 'raster' }, timings.rasterize / 1000)
      stages.observe({ stage: 'encode' }, timings.encode / 1000)
    },
    storeSeconds: (s) => stages.observe({ stage: 'store' }, s),
    queueWaitSeconds: (s) => queueWait.observe(s),
    cache: (cache, hit) => caches.inc({ cache, result: hit ? 'hit' : 'miss' }),
    cacheCounts(cache, hits, misses) {
      if (hits) caches.inc({ cache, result: 'hit' }, hits)
      if (misses) caches.inc({ cache, result: 'miss' }, misses)
    },
    quotaRejected: () => quota.inc(),
    workerStarted: () => workerStarts.inc(),
    workerEnded: (cause) => workerEnds.inc({ cause }),
  }
}

/** For code run without a server (the CLI's local render, unit tests of one service). */
export const noMetrics: Metrics = {
  registry: new Registry(),
  render: () => {},
  storeSeconds: () => {},
  queueWaitSeconds: () => {},
  cache: () => {},
  cacheCounts: () => {},
  quotaRejected: () => {},
  workerStarted: () => {},
  workerEnded: () => {},
}
