/**
 * Stopping the shipped server however it is signalled: SIGTERM to the node process (`docker
 * stop` with `node bin/vellum serve` as PID 1), SIGTERM to `npm start` (`docker stop` with npm
 * as PID 1), SIGINT to the whole process group of `npm start` (Ctrl-C in a terminal) and
 * SIGTERM to the server's group (systemd). Each time the renders in flight answer 200, a new
 * request gets 503 or a refused connection, and the process exits within SHUTDOWN_TIMEOUT_MS.
 */
import t, { type Test } from 'tap'
import { startServer, post, type Served } from './served.js'

const SHUTDOWN_TIMEOUT_MS = 20_000
// 1.5–2 s of rendering each at device scale 2 (the blurred shadows: gradients alone became a
// direct fill in simplify-svg and took ~0.2 s, and the SHUTDOWN_TIMEOUT_MS test below then saw
// its three renders finish before the deadline on a fast run).
const slowCard = (n: number) => ({
  html: `<div style="display:flex;flex-wrap:wrap;width:1800px">${'<div style="width:280px;height:280px;margin:8px;background:linear-gradient(45deg,#f00,#00f);box-shadow:0 0 12px #000"></div>'.repeat(24)}</div><p>render ${n}</p>`,
  device_scale: 2,
  dedupe_duration_s: 0,
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function stopWhileRendering(t: Test, served: Served, signal: () => void): Promise<void> {
  const auth = await served.addUser('sig')
  // Warm both workers so the renders below start at once.
  await Promise.all([1, 2].map(() => post(served.base, '/v1/image', auth, { html: '<p>warm</p>', dedupe_duration_s: 0 })))
  const inFlight = [1, 2, 3, 4].map((n) => post(served.base, '/v1/image', auth, slowCard(n)).then(async (r) => ({ status: r.status, body: await r.text() })))
  await new Promise((r) => setTimeout(r, 300))
  const signalledAt = Date.now()
  signal()
  await new Promise((r) => setTimeout(r, 150))
  const late = await fetch(`${served.base}/health`).then((r) => String(r.status), (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message)
  t.match(late, /^(503|ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)$/, `a new request after the signal is refused (${late})`)
  const results = await Promise.all(inFlight)
  t.same(results.map((r) => r.status), [200, 200, 200, 200], `the renders in flight answer 200 (${results.filter((r) => r.status !== 200).map((r) => r.body).join(' | ')})`)
  const exit = await Promise.race([served.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), SHUTDOWN_TIMEOUT_MS + 5000))])
  const tookMs = Date.now() - signalledAt
  t.not(exit, 'timeout', 'the started process exits')
  t.ok(tookMs < SHUTDOWN_TIMEOUT_MS, `within SHUTDOWN_TIMEOUT_MS (${tookMs} ms)`)
  for (let i = 0; i < 100 && alive(served.serverPid); i++) await new Promise((r) => setTimeout(r, 50))
  t.notOk(alive(served.serverPid), 'the node server process is gone too')
  t.notMatch(served.stderr(), /still in flight at SHUTDOWN_TIMEOUT_MS/, 'drained, not cut off')
}

const env = { RENDER_WORKERS: 2, SHUTDOWN_TIMEOUT_MS }

t.test('SIGTERM to node bin/vellum serve (docker stop, node as PID 1)', async (t) => {
  const served = await startServer(t, env)
  await stopWhileRendering(t, served, () => process.kill(served.serverPid, 'SIGTERM'))
  t.match(await served.exited, { code: 0 }, 'exit code 0')
})

t.test('SIGTERM to npm start (docker stop, npm as PID 1)', async (t) => {
  const served = await startServer(t, env, { via: 'npm' })
  await stopWhileRendering(t, served, () => process.kill(served.child.pid!, 'SIGTERM'))
})

t.test('SIGINT to the process group of npm start (Ctrl-C in a terminal)', async (t) => {
  const served = await startServer(t, env, { via: 'npm' })
  await stopWhileRendering(t, served, () => process.kill(-served.child.pid!, 'SIGINT'))
})

t.test("SIGTERM to the server's process group (systemd's default KillMode)", async (t) => {
  const served = await startServer(t, env)
  await stopWhileRendering(t, served, () => process.kill(-served.child.pid!, 'SIGTERM'))
  t.match(await served.exited, { code: 0 }, 'exit code 0')
})

t.test('SHUTDOWN_TIMEOUT_MS bounds the drain: a render still running then is cut off, exit code 1', async (t) => {
  const served = await startServer(t, { RENDER_WORKERS: 1, SHUTDOWN_TIMEOUT_MS: 300 })
  const auth = await served.addUser('slow')
  await post(served.base, '/v1/image', auth, { html: '<p>warm</p>' })
  const pending = [9, 10, 11].map((n) => post(served.base, '/v1/image', auth, slowCard(n)).then((r) => r.status, () => 'reset'))
  await new Promise((r) => setTimeout(r, 200))
  const signalledAt = Date.now()
  process.kill(served.serverPid, 'SIGTERM')
  const exit = await served.exited
  const tookMs = Date.now() - signalledAt
  t.match(exit, { code: 1 }, 'exit code 1: requests were still in flight')
  t.ok(tookMs < 3000, `exited soon after SHUTDOWN_TIMEOUT_MS (${tookMs} ms)`)
  const statuses = await Promise.all(pending)
  t.ok(statuses.some((s) => s !== 200), `the renders still running or queued are cut off (${statuses.join(', ')})`)
  t.match(served.stderr(), /still in flight at SHUTDOWN_TIMEOUT_MS/, 'and the log says so')
})
