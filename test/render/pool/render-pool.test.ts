/** The low-memory profile: render workers stop when idle and come back on the next request. */
import t from 'tap'
import type { Test } from 'tap'
import { build } from '../../helper.js'
import { renderLimits } from '../../../src/container.js'
import { readFileSync } from 'node:fs'
import { renderWorkerPids } from '../../processes.js'

t.test('idle workers are stopped and restarted on demand', async (t) => {
  const h = await build(t, { RENDER_IDLE_TIMEOUT_MS: 300 })
  await h.addUser('idle', 'idle-key-1234')
  const post = (html: string) =>
    h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: h.auth('idle', 'idle-key-1234') }, payload: { html, device_scale: 1 } })
  t.equal((await h.app.inject({ url: '/health' })).json().render.total, 0, 'no worker before the first render')
  // Looked at while the render runs: once it is done, a loaded machine can take longer than the
  // 300 ms idle timeout to ask, and the worker is (rightly) gone already.
  let settled = false
  const first = post('<p>one</p>').finally(() => (settled = true))
  let busyTotal = 0
  while (!settled && busyTotal === 0) {
    busyTotal = (await h.app.inject({ url: '/health' })).json().render.total
    await new Promise((r) => setTimeout(r, 20))
  }
  t.equal((await first).statusCode, 200)
  t.equal(busyTotal, 1, 'a worker while busy')
  const deadline = Date.now() + 10_000
  while ((await h.app.inject({ url: '/health' })).json().render.total !== 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
  }
  t.equal((await h.app.inject({ url: '/health' })).json().render.total, 0, 'stopped after the idle timeout')
  t.equal((await post('<p>two</p>')).statusCode, 200, 'the next render starts a worker again')
})

t.test('a render that outgrows the worker memory limit ends that worker, not the service', async (t) => {
  // Output pixels are allowed up to 400 MP here so that the allocation itself is the bomb:
  // 18000×18000 RGBA asks resvg for 1.3 GB against a 600 MB data limit.
  const h = await build(t, { RENDER_MEMORY_MB: 600, MAX_OUTPUT_PIXELS: 400_000_000 })
  await h.addUser('bomb', 'bomb-key-1234')
  const post = (payload: object) =>
    h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: h.auth('bomb', 'bomb-key-1234') }, payload })
  t.equal((await post({ html: '<p>before</p>', device_scale: 1 })).statusCode, 200)
  const bomb = await post({ html: '<p>big</p>', viewport_width: 6000, viewport_height: 6000, device_scale: 3 })
  t.equal(bomb.statusCode, 422)
  t.match(bomb.json().message, /RENDER_BUDGET_MB/, 'the estimate refuses it before resvg allocates anything')

  // The rlimit stays the backstop for whatever an estimate misses: the same job with a budget
  // beyond the limit (as a wrong estimate would let through) ends its worker, not the service.
  const job = (html: string, deviceScale: number, viewport?: number) => ({
    params: { html, css: '', googleFonts: [], selector: undefined, deviceScale, viewportWidth: viewport, viewportHeight: viewport, transparentBackground: false, disableTwemoji: false },
    limits: { ...renderLimits(h.container.config), memoryBudgetBytes: 64 * 1024 ** 3 },
    fonts: [],
    images: {},
  })
  const crashed = await h.container.pool.run(job('<p>big</p>', 3, 6000)).then(() => 'rendered', (err: Error) => err.message)
  t.match(crashed, /ran out of memory or crashed .*RENDER_MEMORY_MB/)
  t.equal((await post({ html: '<p>after</p>', device_scale: 1 })).statusCode, 200, 'a new worker takes the next render')
  t.equal((await h.app.inject({ url: '/health' })).statusCode, 200)
  t.equal(await h.container.usage.usedThisMonth('bomb', Date.now()), 2, 'the refused and the crashed renders cost nothing')
})

t.test('the first worker starts alone; the others after the first render, and a burst gets them at once', async (t) => {
  const h = await build(t, { RENDER_WORKERS: 2 })
  await h.addUser('cold', 'cold-key-1234')
  const post = (html: string) =>
    h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: h.auth('cold', 'cold-key-1234') }, payload: { html, device_scale: 1 } })
  const total = async () => (await h.app.inject({ url: '/health' })).json().render.total as number
  t.equal(await total(), 1, 'one worker boots at start')
  t.equal((await post('<p>first</p>')).statusCode, 200)
  const deadline = Date.now() + 10_000
  while ((await total()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  t.equal(await total(), 2, 'the second starts once the first render is done')

  const burst = await build(t, { RENDER_WORKERS: 2 })
  await burst.addUser('burst', 'burst-key-1234')
  const results = await Promise.all(
    ['<p>a</p>', '<p>b</p>'].map((html) =>
      burst.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: burst.auth('burst', 'burst-key-1234') }, payload: { html } }),
    ),
  )
  t.same(results.map((r) => r.statusCode), [200, 200])
  t.equal((await burst.app.inject({ url: '/health' })).json().render.total, 2, 'two concurrent renders started both workers')
})

/**
 * Builds the app with one render worker and `env`, renders once, and returns what the worker
 * process was started with: its command line and its environment (from /proc).
 */
async function soleWorker(t: Test, env: Record<string, string | number>) {
  const h = await build(t, { RENDER_WORKERS: 1, ...env })
  await h.addUser('solo', 'solo-key-1234')
  const res = await h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: h.auth('solo', 'solo-key-1234') }, payload: { html: '<p>x</p>' } })
  t.equal(res.statusCode, 200)
  const workers = renderWorkerPids()
  t.equal(workers.length, 1)
  return {
    args: readFileSync(`/proc/${workers[0]}/cmdline`, 'utf8').split('\0'),
    environ: readFileSync(`/proc/${workers[0]}/environ`, 'utf8').split('\0'),
  }
}

t.test("a worker's allocator keeps freed pixel memory as long as RENDER_FREED_MEMORY_KEEP_MS says", async (t) => {
  // The worker's environment is what resvg's mimalloc reads at load.
  const { environ } = await soleWorker(t, { RENDER_FREED_MEMORY_KEEP_MS: 250 })
  t.ok(environ.includes('MIMALLOC_PURGE_DELAY=250'))
})

t.test("a worker's V8 heap is capped and grows between collections as the plan (or the operator) says", async (t) => {
  const { args } = await soleWorker(t, { RENDER_WORKER_HEAP_MB: 128, RENDER_WORKER_HEAP_GROWTH_PERCENT: 150 })
  // Under a cgroup V8 would pick a growth of ~1.3× from the container's limit (memory-plan.ts).
  t.ok(args.includes('--heap-growing-percent=150'), args.join(' '))
  t.ok(args.includes('--max-old-space-size=128'), args.join(' '))
})

t.test('a worker starts without NODE_EXTRA_CA_CERTS: it opens no connection, and Node parses that bundle at every start', async (t) => {
  const before = process.env.NODE_EXTRA_CA_CERTS
  process.env.NODE_EXTRA_CA_CERTS = '/etc/ssl/certs/ca-certificates.crt'
  t.teardown(() => {
    if (before === undefined) delete process.env.NODE_EXTRA_CA_CERTS
    else process.env.NODE_EXTRA_CA_CERTS = before
  })
  const { environ } = await soleWorker(t, {})
  t.notOk(environ.some((v) => v.startsWith('NODE_EXTRA_CA_CERTS=')), 'not in the worker')
  t.ok(environ.some((v) => v.startsWith('MIMALLOC_PURGE_DELAY=')), 'the rest of the environment is')
})

t.test("a dropped render is cancelled only while it is in workerpool's queue (the shape it keeps its queue in is checked here)", async (t) => {
  const workerpool = (await import('workerpool')).default
  const { stillQueued } = await import('../../../src/render/pool/render-pool.js')
  // A pool with no worker script to run: tasks stay queued behind a worker that never answers.
  const pool = workerpool.pool({ maxWorkers: 1, workerType: 'process' })
  t.teardown(() => pool.terminate(true))
  const first = pool.exec(() => new Promise(() => undefined), [])
  const second = pool.exec(() => 1, [])
  first.catch(() => undefined)
  second.catch(() => undefined)
  const tasks = (pool as unknown as { taskQueue?: { tasks?: unknown[] } }).taskQueue?.tasks
  t.ok(Array.isArray(tasks), 'workerpool keeps its queue as taskQueue.tasks: if an upgrade changes that, stillQueued must change')
  t.equal(stillQueued(pool, second), true, 'waiting behind the busy worker')
  t.equal(stillQueued(pool, first), false, 'sent to the worker')
})

t.test('whenQuiet: once the first worker is warm and its renders are through, or at most the given time after it is warm', async (t) => {
  const h = await build(t, { RENDER_WORKERS: 1 })
  const pool = h.container.pool
  const job = (html: string) => ({
    params: { html, css: '', googleFonts: [], selector: undefined, deviceScale: 1, viewportWidth: 400, viewportHeight: undefined, transparentBackground: false, disableTwemoji: false },
    limits: renderLimits(h.container.config),
    fonts: [],
    images: {},
  })
  // Asked while the worker still boots, with a render waiting for it: the render goes first.
  let quiet = false
  const quietly = pool.whenQuiet(60_000).then(() => (quiet = true))
  await pool.run(job('<p>first</p>'))
  t.notOk(quiet, 'not while the render that waited for the boot was in flight, nor as it ends')
  await quietly
  t.ok(pool.ready())
  await t.resolves(pool.whenQuiet(60_000), 'at once when nothing is in flight')

  // A render in flight longer than the limit: the wait ends at the limit, before the render.
  const long = pool.run(job(`<div style="display:flex;flex-wrap:wrap">${'<p style="box-shadow:0 0 30px red;margin:4px">long render</p>'.repeat(3000)}</div>`))
  let rendered = false
  void long.finally(() => (rendered = true)).catch(() => undefined)
  await new Promise((r) => setTimeout(r, 20))
  await pool.whenQuiet(50)
  t.notOk(rendered, 'the wait ended while the render still ran')
  t.ok((await long).png.byteLength > 0, 'which then finished')
})
