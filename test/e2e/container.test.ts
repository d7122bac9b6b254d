/**
 * The shipped server in a real 256 MiB memory cgroup (v1; root), started with no variables but
 * where to listen and keep data: what `npm start` does in a small container. It must size itself
 * from the limit (one lean worker), render a mixed 1×/2× load without failures or OOM kills, and
 * when memory runs out anyway (an operator claiming more than the container has), the kernel must
 * kill a render worker, which the pool replaces, never the API process.
 */
import { readFileSync } from 'node:fs'
import t, { type Test } from 'tap'
import { loadCards } from '../../bench/lib/cards.js'
import { makeGroup, oomKills } from '../../bench/lib/cgroup.js'
import { post, startServer, workerPids } from './served.js'

const cards = loadCards()
let seq = 0
const unique = (html: string) => `${html}<!-- ${process.pid}-${++seq}-${Math.random()} -->`

/** Starts in a fresh group; the group goes once the server and its workers are gone. */
async function inContainer(t: Test, limitMb: number, env: Record<string, string> = {}) {
  const group = makeGroup(`vellum-e2e-${process.pid}-${++seq}`, limitMb)
  // '' unsets the test default (one worker): the plan decides, as in a user's container.
  const served = await startServer(t, { RENDER_WORKERS: '', LOG_LEVEL: 'info', ...env }, { cgroup: group.dir })
  t.teardown(async () => {
    served.child.kill('SIGKILL')
    await served.exited
    group.remove()
  })
  return { served, group, auth: await served.addUser('container', 1_000_000) }
}

t.test('npm start in 256 MiB: sized from the limit, a mixed load without a failure or an OOM kill', async (t) => {
  const { served, group, auth } = await inContainer(t, 256)
  t.match(served.stderr(), /memory plan: limit 256 MiB \(cgroup\) → 1 render worker, heap 80 MiB each growing as V8 chooses, freed pixel memory kept 10 ms, render budget \d+ MB/)
  const mixed = cards.flatMap((c) => [{ ...c, scale: 1 }, { ...c, scale: 2 }])
  // What the processes hold (anonymous and shared memory: what reclaim cannot take back), sampled.
  // The group's own peak (memory.max_usage_in_bytes) also counts page cache, which fills any
  // group up to its limit once enough is written (the images go into SQLite under DATA_DIR)
  // and is then reclaimed: at the limit by design, not a process near an OOM kill.
  let peakHeld = 0
  const stat = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(group.read('memory.stat'))?.[1] ?? 0)
  const sampler = setInterval(() => (peakHeld = Math.max(peakHeld, stat('total_rss') + stat('total_shmem'))), 50)
  t.teardown(() => clearInterval(sampler))
  const end = Date.now() + 15_000
  let done = 0
  const failures: string[] = []
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let i = w; Date.now() < end; i++) {
        const card = mixed[i % mixed.length]!
        const res = await post(served.base, '/v1/image', auth, { html: unique(card.html), device_scale: card.scale })
        const body = await res.text()
        if (res.status !== 200) {
          failures.push(`${card.id}@${card.scale}x: ${res.status} ${body}`)
          continue
        }
        const img = await fetch(JSON.parse(body).url)
        await img.arrayBuffer()
        if (img.status === 200) done++
        else failures.push(`${card.id}@${card.scale}x fetch: ${img.status}`)
      }
    }),
  )
  t.same(failures, [], 'no render failed')
  t.ok(done >= mixed.length, `${done} renders, every card at 1× and 2×`)
  clearInterval(sampler)
  t.equal(oomKills(group.read('memory.oom_control')), 0, 'no OOM kill')
  const peak = Number(group.read('memory.max_usage_in_bytes')) / 1024 / 1024
  const held = peakHeld / 1024 / 1024
  t.ok(held < 256, `the processes held at most ${held.toFixed(0)} MiB (anonymous + shared)`)
  t.equal(served.child.exitCode, null, 'the server is up')
  t.comment(`256 MiB: ${done} renders in 15 s, processes at most ${held.toFixed(0)} MiB, group peak with page cache ${peak.toFixed(0)} MiB, cache now ${(stat('total_cache') / 1024 / 1024).toFixed(0)} MiB`)
})

t.test('memory that runs out anyway ends a render worker, never the API process', async (t) => {
  // The operator claims 4 GiB in a 256 MiB container: the plan (and the render budget) trust it.
  // One worker: the claimed plan would run two, which do not both fit 256 MiB even at rest, so a
  // replacement booting beside the other worker was OOM-killed in turn (CI, dmesg) and the
  // render after the kill failed for want of memory, not for the order this test is about.
  const { served, group, auth } = await inContainer(t, 256, { MEMORY_LIMIT_MB: '4096', RENDER_WORKERS: '1' })
  const small = { html: unique('<div style="width:100px;height:50px;background:#0a0"></div>'), device_scale: 1 }
  t.equal((await post(served.base, '/v1/image', auth, small)).status, 200)
  const before = workerPids(served.serverPid)
  // Workers are first in the OOM killer's order from the moment node starts, replacements too.
  t.ok(before.length > 0, 'a worker runs')
  t.same(before.map((pid) => readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim()), before.map(() => '1000'), 'each worker is first on the OOM killer\'s list')
  // ~34 MP: two RGBA canvases and a blur layer are far beyond 256 MiB.
  const huge = `<div style="width:5800px;height:5800px;display:flex;background:linear-gradient(45deg,#f00,#00f);box-shadow:0 0 40px 10px #000"></div>`
  const res = await post(served.base, '/v1/image', auth, { html: unique(huge), device_scale: 1 })
  const body = await res.json()
  t.equal(res.status, 422, JSON.stringify(body))
  t.ok(oomKills(group.read('memory.oom_control')) >= 1, 'the kernel killed a process')
  t.equal(served.child.exitCode, null, 'not the API process')
  t.equal((await fetch(`${served.base}/health`)).status, 200)
  const again = await post(served.base, '/v1/image', auth, { ...small, html: unique(small.html) })
  t.equal(again.status, 200, 'the next render is served by a fresh worker')
  t.notSame(workerPids(served.serverPid), before, 'the worker was replaced')
})
