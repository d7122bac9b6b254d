/**
 * Bad input inside every documented limit, sent to the shipped server while /health is polled:
 * the API process stays responsive (p99 under 50 ms), stays up, and every bomb is either
 * rendered within the worker's memory budget or refused with a 4xx naming the limit, never by
 * the worker dying at its rlimit (which in a container would be the OOM killer).
 */
import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { request } from 'undici'
import { startServer, post, workerPids, type Served } from './served.js'

const MEMORY_MB = 512

/** Peak resident memory (VmHWM) of each worker seen while polling, in MiB. */
function watchWorkers(served: Served): { peakMb(): number; stop(): void } {
  const peaks = new Map<number, number>()
  const timer = setInterval(() => {
    for (const pid of workerPids(served.serverPid)) {
      try {
        const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
        peaks.set(pid, Math.max(peaks.get(pid) ?? 0, kb / 1024))
      } catch {}
    }
  }, 25)
  return { peakMb: () => Math.max(0, ...peaks.values()), stop: () => clearInterval(timer) }
}

/**
 * Polls /health back to back until `work` settles; returns the latencies in ms. Back to back,
 * not on a timer: a bomb that lasts 300 ms then yields a few hundred samples, so the p99 is a
 * p99 and not the single slowest poll. undici's client, lighter than fetch, so the poller spends
 * little of the core it shares with the server.
 */
async function pollHealth(base: string, work: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = []
  let done = false
  void work.finally(() => (done = true)).catch(() => undefined)
  while (!done) {
    const start = performance.now()
    const res = await request(`${base}/health`)
    await res.body.arrayBuffer()
    latencies.push(performance.now() - start)
    if (res.statusCode !== 200) throw new Error(`/health answered ${res.statusCode}`)
  }
  return latencies
}

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? 0

/**
 * Serves one 5000×5000 PNG (25 MP, exactly MAX_IMAGE_PIXELS; a few hundred KB) from a process of
 * its own: served from this one, its writes would stall the /health poller measured here.
 */
async function imageServer(t: Test): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'vellum-bomb-')), 'big.png')
  writeFileSync(file, await sharp({ create: { width: 5000, height: 5000, channels: 3, background: '#3366cc' } }).png().toBuffer())
  const script = `const b = require('fs').readFileSync(${JSON.stringify(file)});
    const s = require('http').createServer((q, r) => r.writeHead(200, { 'content-type': 'image/png' }).end(b));
    s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'))`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => void child.kill('SIGKILL'))
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d) => resolve(String(d).trim())))
  return `http://127.0.0.1:${port}`
}

t.test('bombs inside the documented limits, with /health polled throughout', async (t) => {
  const images = await imageServer(t)
  const served = await startServer(t, { RENDER_MEMORY_MB: MEMORY_MB, FETCH_ALLOW_PRIVATE: 'true', RENDER_TIMEOUT_MS: 30_000 })
  const auth = await served.addUser('bomber', 100_000)
  // A running server has answered a request before: the first one's one-time costs are not a bomb's.
  t.equal((await post(served.base, '/v1/image', auth, { html: '<p>warm</p>' })).status, 200)
  const watch = watchWorkers(served)
  t.teardown(() => watch.stop())
  const nested = (n: number, close: boolean) => '<div>'.repeat(n) + 'x' + (close ? '</div>'.repeat(n) : '')
  const boxes = Array.from({ length: 400 }, (_, i) => `<div style="width:90px;height:90px;margin:5px;background:linear-gradient(${i}deg,#f00,#00f);box-shadow:0 0 40px 20px rgba(0,0,0,.5)"></div>`).join('')
  const bombs: Array<[string, string, unknown]> = [
    ['20,000 nested divs', '/v1/image', { html: nested(20_000, true) }],
    ['100,000 nested unclosed divs (500 KB)', '/v1/image', { html: nested(100_000, false) }],
    ['a batch of 4 × 95,000 nested divs (1.9 MB)', '/v1/image/batch', { variations: Array.from({ length: 4 }, (_, i) => ({ html: nested(95_000, false) + i })) }],
    ['500 KB of plain text', '/v1/image', { html: 'lorem ipsum dolor sit amet '.repeat(19_000).slice(0, 500_000) }],
    ['device_scale 3 on 2000×2000 with gradients and shadows', '/v1/image', { html: `<div style="display:flex;flex-wrap:wrap">${boxes}</div>`, viewport_width: 2000, viewport_height: 2000, device_scale: 3 }],
    ['30,000 emoji', '/v1/image', { html: `<p>${'😀🎉'.repeat(15_000)}</p>` }],
    ['40 images of 5000×5000', '/v1/image', { html: Array.from({ length: 40 }, (_, i) => `<img src="${images}/${i}.png" style="width:40px;height:40px">`).join('') }],
    ['::before/::after on 2,400 elements', '/v1/image', { html: '<span class="g">x</span>'.repeat(2400), css: `.g::before{content:"${'before '.repeat(20)}";box-shadow:0 0 30px #000}.g::after{content:"${'after '.repeat(20)}"}` }],
    ['a shadow blur through var()', '/v1/image', { html: '<div style="--b:1000px;--s:500px;width:100px;height:100px;box-shadow:0 0 var(--b) var(--s) red"></div>' }],
    ['a clamped shadow scaled 50×', '/v1/image', { html: '<div style="width:40px;height:40px;box-shadow:0 0 60px 100px red;transform:scale(50)"></div>', viewport_width: 2000, viewport_height: 2000 }],
  ]
  /** The API process's own event-loop delay since the last scrape (prom-client resets it on each). */
  const loopMaxMs = async () => {
    const text = await (await fetch(`${served.base}/metrics`)).text()
    return Number(/^vellum_nodejs_eventloop_lag_max_seconds (\S+)/m.exec(text)?.[1] ?? NaN) * 1000
  }
  for (const [name, path, body] of bombs) {
    await loopMaxMs()
    const started = Date.now()
    const request = post(served.base, path, auth, body).then(async (r) => ({ status: r.status, body: await r.text() }))
    const latencies = await pollHealth(served.base, request)
    const res = await request
    const ms = Date.now() - started
    t.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `${name}: ${res.status} in ${ms} ms ${res.status === 200 ? '' : res.body.slice(0, 200)}`)
    t.notMatch(res.body, /ran out of memory or crashed/, `${name}: not stopped by the worker dying`)
    if (res.status !== 200) t.match(JSON.parse(res.body).message, /[A-Z_]{6,}/, `${name}: the refusal names the limit`)
    t.comment(`${name}: the API event loop's longest delay ${(await loopMaxMs()).toFixed(1)} ms`)
    t.ok(p99(latencies) < 50, `${name}: /health p99 ${p99(latencies).toFixed(1)} ms over ${latencies.length} polls`)
    t.ok(watch.peakMb() < MEMORY_MB, `${name}: worker peak RSS ${watch.peakMb().toFixed(0)} MiB within the ${MEMORY_MB} MiB budget`)
  }
  t.equal((await fetch(`${served.base}/health`)).status, 200, 'the server is still up')
})
