/**
 * Render throughput of the worker pool alone, in this process, with no HTTP, database or load
 * generator competing for the cores: how rendering itself scales from one worker to all cores.
 * The HTTP figure (bench/http.ts) is the one users get; the difference between the two is what
 * the API process and the client cost on a machine whose every core also renders.
 */
import { createRenderPool } from '../src/render/pool/render-pool.js'
import { configFrom } from '../src/config/load-config.js'
import type { Card } from './lib/cards.js'
import { jobFor } from './stages.js'

export async function poolThroughput(workers: number, card: Card, seconds: number): Promise<number> {
  // The server's defaults (allocator settings and all), with room for the whole load queued.
  const pool = createRenderPool({ ...configFrom().render, workers, queueSize: 1000, timeoutMs: 60_000, memoryMb: 0 })
  try {
    const job = jobFor(card)
    // Every worker booted and warm before the clock starts.
    await Promise.all(Array.from({ length: workers * 2 }, () => pool.run(job)))
    let done = 0
    const end = performance.now() + seconds * 1000
    await Promise.all(
      // Two jobs in flight per worker: one rendering, one waiting, so no worker idles between jobs.
      Array.from({ length: workers * 2 }, async () => {
        while (performance.now() < end) {
          await pool.run(job)
          done++
        }
      }),
    )
    return done / seconds
  } finally {
    await pool.close()
  }
}
