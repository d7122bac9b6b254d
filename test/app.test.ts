/** buildApp's lifecycle: closing waits for the requests in flight, and only for those a client still waits on. */
import t, { type Test } from 'tap'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { build } from './helper.js'
import { sign } from '../src/signing/signature.js'

/** Sends a request on a raw socket; `leaveAfterMs`: the client hangs up then. */
async function send(port: number, method: string, path: string, authorization: string | undefined, payload: object | undefined, leaveAfterMs?: number): Promise<string> {
  const body = payload === undefined ? '' : JSON.stringify(payload)
  const socket = connect(port, '127.0.0.1')
  await new Promise((r) => socket.once('connect', r))
  socket.write(
    `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${authorization ? `authorization: ${authorization}\r\n` : ''}connection: close\r\n` +
      (payload === undefined ? '\r\n' : `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`),
  )
  if (leaveAfterMs !== undefined) {
    await sleep(leaveAfterMs)
    socket.destroy()
    return ''
  }
  let answer = ''
  socket.on('data', (d) => (answer += d))
  await new Promise((r) => socket.once('close', r))
  return answer
}

const post = (port: number, authorization: string, payload: object, leaveAfterMs?: number) => send(port, 'POST', '/v1/image', authorization, payload, leaveAfterMs)

/** A render of a second or more on this machine: blurred shadows over a large canvas (within MAX_SHADOWS). */
const SLOW = {
  html: `<div style="display:flex;flex-wrap:wrap">${'<div style="width:90px;height:90px;margin:10px;box-shadow:0 0 60px 20px rgba(0,0,0,.4);filter:blur(3px)"></div>'.repeat(45)}</div>`,
  viewport_width: 1400,
  viewport_height: 1200,
  dedupe_duration_s: 0,
}

/** The app listening on a port, its one render worker warm, with these users (id → API key). */
async function listening(t: Test, users: Record<string, string>) {
  const h = await build(t)
  for (const [id, key] of Object.entries(users)) await h.addUser(id, key)
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  // While the worker boots, a request waits outside workerpool's queue.
  for (let i = 0; i < 300 && !h.container.pool.ready(); i++) await sleep(20)
  return { h, port: (h.app.server.address() as AddressInfo).port }
}

t.test('a render still queued when its client hangs up is dropped, and not charged', async (t) => {
  const { h, port } = await listening(t, { stays: 'stays-user-key-1', leaves: 'leaves-user-key-1' })
  // The worker is busy with a slow render; a second request queues behind it and its client leaves.
  const slow = post(port, h.auth('stays', 'stays-user-key-1'), SLOW)
  for (let i = 0; i < 300 && h.container.pool.stats().busy === 0; i++) await sleep(10)
  await post(port, h.auth('leaves', 'leaves-user-key-1'), { html: '<p>nobody will read this</p>' }, 100)
  t.equal(h.container.pool.stats().total, 1, 'no worker was stopped to drop it')
  t.match(await slow, /^HTTP\/1\.1 200/, 'the request whose client stayed is answered')
  await sleep(500)
  t.equal(await h.container.usage.usedThisMonth('stays', Date.now()), 1)
  t.equal(await h.container.usage.usedThisMonth('leaves', Date.now()), 0, 'the abandoned render was never drawn or charged')
  t.equal(h.container.pool.stats().pending, 0)
})

t.test('signed URLs and batches: a render still queued when every client has gone is dropped, and not charged', async (t) => {
  const { h, port } = await listening(t, { busy: 'busy-user-key-1', signer: 'signer-user-key-1' })
  const used = (user: string) => h.container.usage.usedThisMonth(user, Date.now())
  const busy = () => post(port, h.auth('busy', 'busy-user-key-1'), SLOW)
  const started = async () => {
    for (let i = 0; i < 300 && h.container.pool.stats().busy === 0; i++) await sleep(10)
  }
  const query = (text: string) => `html=${encodeURIComponent(`<p>${text}</p>`)}`
  const signedPath = (q: string) => `/v1/image/create-and-render/signer/${sign('signer-user-key-1', q)}?${q}`

  // Two crawlers fetch the same signed URL while the worker is busy; both time out.
  let slow = busy()
  await started()
  const shared = query('fetched by two crawlers that both give up')
  await Promise.all([send(port, 'GET', signedPath(shared), undefined, undefined, 100), send(port, 'GET', signedPath(shared), undefined, undefined, 150)])
  // A batch whose client gives up.
  await send(port, 'POST', '/v1/image/batch', h.auth('signer', 'signer-user-key-1'), { variations: [{ html: '<p>one</p>' }, { html: '<p>two</p>' }] }, 100)
  t.match(await slow, /^HTTP\/1\.1 200/, 'the request whose client stayed is answered')
  await sleep(500)
  t.equal(h.container.pool.stats().total, 1, 'no worker was stopped to drop them')
  t.equal(h.container.pool.stats().pending, 0, 'nothing left queued')
  t.equal(await used('signer'), 0, 'neither the signed render nor the batch was drawn or charged')

  // Of two crawlers on one URL, one stays: the render is drawn once, charged once, and answered.
  slow = busy()
  await started()
  const kept = query('one crawler gives up, the other waits')
  const [, answer] = await Promise.all([send(port, 'GET', signedPath(kept), undefined, undefined, 100), send(port, 'GET', signedPath(kept), undefined, undefined)])
  t.match(answer, /^HTTP\/1\.1 200/, 'the crawler that stayed gets the image')
  t.match(answer, /content-type: image\/png/i)
  await slow
  t.equal(await used('signer'), 1, 'charged once')
  // A URL whose render was dropped renders when asked again.
  t.match(await send(port, 'GET', signedPath(shared), undefined, undefined), /^HTTP\/1\.1 200/, 'a dropped URL renders on its next request')
  t.equal(await used('signer'), 2)
})

t.test('a request whose client hung up does not hold the close open', async (t) => {
  const h = await build(t)
  await h.addUser('gone', 'gone-user-key-1')
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  // The worker warm first: while it boots, a request waits outside workerpool's queue.
  for (let i = 0; i < 300 && !h.container.pool.ready(); i++) await sleep(20)
  const { port } = h.app.server.address() as AddressInfo
  // A render of a second or more, and a client that leaves once it has started.
  const body = JSON.stringify(SLOW)
  const socket = connect(port, '127.0.0.1')
  await new Promise((r) => socket.once('connect', r))
  socket.write(
    `POST /v1/image HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: ${h.auth('gone', 'gone-user-key-1')}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
  for (let i = 0; i < 300 && h.container.pool.stats().busy === 0; i++) await sleep(20)
  t.equal(h.container.pool.stats().busy, 1, 'the render has started')
  socket.destroy()
  // A started render finishes (and is stored and charged: a retry finds it) into a closed connection.
  for (let i = 0; i < 200 && (await h.container.usage.usedThisMonth('gone', Date.now())) === 0; i++) await sleep(100)
  t.equal(await h.container.usage.usedThisMonth('gone', Date.now()), 1, 'the render ran to its end')
  // Neither onResponse nor onRequestAbort fired for it: close() waited forever (the server's
  // SHUTDOWN_TIMEOUT_MS then cut it off and exited 1).
  const outcome = await Promise.race([h.app.close().then(() => 'closed'), sleep(5000).then(() => 'still waiting')])
  t.equal(outcome, 'closed')
})
