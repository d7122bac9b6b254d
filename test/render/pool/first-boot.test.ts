/**
 * Renders that arrive while the pool's first worker is still booting (a server's first requests
 * after it starts listening) wait for that worker. Sent to the pool at once, each found no idle
 * worker and forked another, which booted on the core the first worker needed: spawn → first
 * PNG took a second cold worker's whole boot.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRenderPool } from '../../../src/render/pool/render-pool.js'
import { renderLimits } from '../../../src/container.js'
import { configFrom } from '../../../src/config/load-config.js'
import type { RenderJob } from '../../../src/render/job.js'
import { renderWorkerPids } from '../../processes.js'

const config = configFrom({ RENDER_WORKERS: 2, RENDER_MEMORY_MB: 0 })
const job = (html: string): RenderJob => ({
  params: { html, css: '', googleFonts: [], selector: undefined, deviceScale: 1, viewportWidth: undefined, viewportHeight: undefined, transparentBackground: false, disableTwemoji: false },
  limits: renderLimits(config),
  fonts: [],
  images: {},
})

/** A pool whose observer records how many workers had been started when each render began. */
function observedPool(options: Partial<typeof config.render> = {}) {
  const pool = createRenderPool({ ...config.render, workers: 2, ...options })
  let started = 0
  const startedWhenRenderBegan: number[] = []
  pool.observe({
    workerStarted: () => void started++,
    workerEnded: () => undefined,
    queueWaitSeconds: () => void startedWhenRenderBegan.push(started),
  } as never)
  return { pool, startedWhenRenderBegan }
}

t.test('a render sent during the first worker’s boot runs on that worker, with no second one forked', async (t) => {
  const { pool, startedWhenRenderBegan } = observedPool()
  t.teardown(() => pool.close())
  t.equal(pool.ready(), false, 'sent while the first worker boots')
  const result = await pool.run(job('<p>first</p>'))
  t.ok(result.png.length > 0)
  t.same(startedWhenRenderBegan, [1], 'one worker existed when the render began')
})

t.test('a burst during the boot waits too, then gets every worker', async (t) => {
  const { pool } = observedPool()
  t.teardown(() => pool.close())
  const results = await Promise.all(['a', 'b', 'c'].map((s) => pool.run(job(`<p>${s}</p>`))))
  t.ok(results.every((r) => r.png.length > 0), 'all three rendered')
  t.equal(pool.stats().total, 2, 'the renders queued behind the first started the second worker')
})

t.test('renders waiting for the boot are bounded by RENDER_QUEUE_SIZE', async (t) => {
  const { pool } = observedPool({ queueSize: 2, workers: 1 })
  t.teardown(() => pool.close())
  const outcomes = await Promise.allSettled(['a', 'b', 'c'].map((s) => pool.run(job(`<p>${s}</p>`))))
  t.same(outcomes.map((o) => o.status), ['fulfilled', 'fulfilled', 'rejected'])
  t.match((outcomes[2] as PromiseRejectedResult).reason, { code: 'QUEUE_FULL' })
  t.ok((await pool.run(job('<p>after</p>'))).png.length > 0, 'the refused render held no place')
})

t.test('a request that ends while it waits for the boot is dropped before it renders', async (t) => {
  const { pool, startedWhenRenderBegan } = observedPool({ workers: 1 })
  t.teardown(() => pool.close())
  const gone = new AbortController()
  const dropped = pool.run(job('<p>gone</p>'), gone.signal)
  gone.abort()
  await t.rejects(dropped, { code: 'RENDER_FAILED' })
  t.same(startedWhenRenderBegan, [], 'it never reached a worker')
  t.ok((await pool.run(job('<p>next</p>'))).png.length > 0, 'the pool renders the next one')
})

t.test('a worker boots without sharp and loads it with its first truecolour PNG', async (t) => {
  // libvips is ~200 ms of a worker's boot (on the cold start's path) and 10–20 MiB; the palette
  // path, which the warm-up and most cards take, never needs it.
  const { pool } = observedPool({ workers: 1 })
  t.teardown(() => pool.close())
  const libvips = () => renderWorkerPids().some((pid) => readFileSync(`/proc/${pid}/maps`, 'utf8').includes('libvips'))
  await pool.run(job('<p>flat colours: a palette PNG</p>'))
  t.equal(renderWorkerPids().length, 1)
  t.equal(libvips(), false, 'warm, one palette render done, no libvips mapped')
  const gradient = await pool.run(job('<div style="width:400px;height:300px;background:linear-gradient(45deg,#ff0000,#00ff00,#0000ff)"></div>'))
  t.ok(gradient.png.length > 0)
  t.equal(libvips(), true, 'a gradient (more than 256 colours) loaded it')
})
