/**
 * The shipped server when every render worker dies at once while busy, with more renders
 * queued (the kernel's OOM killer in a container): the renders inside the dead workers fail
 * with a clear 422, the queued ones are served by replacement workers, and the server keeps
 * answering. The figure printed is kill → first queued render answered.
 */
import t from 'tap'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, post, workerPids } from './served.js'
import { alive, allBusy, allQuiet } from '../processes.js'

// Seconds of rendering, well within every limit: six blurred shadows at device scale 3.
const slowCard = (n: number) => ({
  html: `<div style="display:flex;flex-wrap:wrap;width:1200px">${'<div style="width:150px;height:150px;margin:40px;box-shadow:0 0 40px 20px #888"></div>'.repeat(6)}</div><p>slow ${n}</p>`,
  device_scale: 3,
  dedupe_duration_s: 0,
})

t.test('all workers killed while busy, renders queued behind them', async (t) => {
  const served = await startServer(t, { RENDER_WORKERS: 2 })
  const auth = await served.addUser('oom')
  await Promise.all([1, 2].map((n) => post(served.base, '/v1/image', auth, { html: `<p>warm ${n}</p>` })))
  // Both workers started, warmed up and idle: each slow render below starts at once in its own.
  t.ok(await allQuiet(() => workerPids(served.serverPid), 2), 'two warm, idle workers')
  const answer = (body: unknown) => post(served.base, '/v1/image', auth, body).then(async (r) => ({ status: r.status, body: await r.text(), at: Date.now() }))
  const busy = [1, 2].map((n) => answer(slowCard(n)))
  // Both slow renders inside a worker, none waiting, and both workers rendering.
  const stats = async () => ((await (await fetch(`${served.base}/health`)).json()) as { render: { busy: number; pending: number } }).render
  for (let i = 0; i < 300; i++) {
    const s = await stats()
    if (s.busy === 2 && s.pending === 0) break
    await new Promise((r) => setTimeout(r, 20))
  }
  t.ok(await allBusy(workerPids(served.serverPid)), 'both workers are rendering')
  const queued = [1, 2, 3].map((n) => answer({ html: `<p>queued ${n}</p>`, device_scale: 1 }))
  await new Promise((r) => setTimeout(r, 100))
  const pids = workerPids(served.serverPid)
  t.equal(pids.length, 2, 'two workers')
  const killedAt = Date.now()
  for (const pid of pids) process.kill(pid, 'SIGKILL')

  const failed = await Promise.all(busy)
  t.comment(JSON.stringify(failed.map((r) => ({ status: r.status, afterKillMs: r.at - killedAt }))))
  t.same(failed.map((r) => r.status), [422, 422], 'the renders inside the killed workers fail')
  t.match(failed.map((r) => JSON.parse(r.body).message), [/ran out of memory or crashed/, /ran out of memory or crashed/])
  const served2 = await Promise.all(queued)
  t.same(served2.map((r) => r.status), [200, 200, 200], 'the queued renders are served by replacement workers')
  const firstMs = Math.min(...served2.map((r) => r.at)) - killedAt
  t.comment(`kill → first queued render answered: ${firstMs} ms; all three: ${Math.max(...served2.map((r) => r.at)) - killedAt} ms`)
  // The acceptance figure is under 2 s on an idle machine (a worker boots in about 1 s); the
  // assertion leaves room for a loaded CI machine and catches a hang (before: never).
  t.ok(firstMs < 6000, `recovered in ${firstMs} ms`)
  t.equal((await stats()).pending, 0, 'nothing left pending')
})

t.test('a render past its deadline is stopped even when the worker traps SIGTERM (an agent preloaded through NODE_OPTIONS)', async (t) => {
  // What APM agents and signal-exit do: a JS handler for SIGTERM. Inside resvg's native raster
  // no JS runs, so the signal is never handled and the worker rendered on for the raster's whole
  // 15 s before the pool could replace it; the pool now escalates to SIGKILL (workerpool patch).
  const dir = mkdtempSync(join(tmpdir(), 'vellum-agent-'))
  const agent = join(dir, 'agent.cjs')
  writeFileSync(agent, "process.on('SIGTERM', () => {})\n")
  const served = await startServer(t, { RENDER_WORKERS: 1, RENDER_TIMEOUT_MS: 300, NODE_OPTIONS: `--require ${agent}` })
  const auth = await served.addUser('agent')
  t.equal((await post(served.base, '/v1/image', auth, { html: '<p>warm</p>' })).status, 200)
  const [worker] = workerPids(served.serverPid)
  t.ok(worker, 'one warm worker')
  const caught = BigInt(`0x${/SigCgt:\s+([0-9a-f]+)/.exec(readFileSync(`/proc/${worker}/status`, 'utf8'))![1]}`)
  t.equal((caught >> 14n) & 1n, 1n, 'the worker catches SIGTERM (signal 15)')
  const heavy = await post(served.base, '/v1/image', auth, {
    html: '<div style="width:100%;height:100%;background:radial-gradient(circle,#f00,#00f);filter:blur(60px)"></div>',
    css: 'html,body{height:100%}', viewport_width: 6000, viewport_height: 6000, device_scale: 1,
  })
  t.equal(heavy.status, 422)
  const message = await heavy.text()
  t.match(message, /longer than 300 ms \(RENDER_TIMEOUT_MS\)/, message)
  const gone = Date.now() + 5000
  while (alive(worker!) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50))
  t.notOk(alive(worker!), 'the worker past its deadline was killed within seconds')
  const next = await post(served.base, '/v1/image', auth, { html: '<p>after</p>' })
  t.equal(next.status, 200, 'a replacement serves the next render')
})
