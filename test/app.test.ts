/** buildApp's lifecycle: closing waits for the requests in flight, and only for those a client still waits on. */
import t from 'tap'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { build } from './helper.js'

/** Sends a create request on a raw socket; `leaveAfterMs`: the client hangs up then. */
async function post(port: number, authorization: string, payload: object, leaveAfterMs?: number): Promise<string> {
  const body = JSON.stringify(payload)
  const socket = connect(port, '127.0.0.1')
  await new Promise((r) => socket.once('connect', r))
  socket.write(
    `POST /v1/image HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: ${authorization}\r\nconnection: close\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
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

t.test('a render still queued when its client hangs up is dropped, and not charged', async (t) => {
  const h = await build(t) // one render worker
  await h.addUser('stays', 'stays-user-key-1')
  await h.addUser('leaves', 'leaves-user-key-1')
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = h.app.server.address() as AddressInfo
  for (let i = 0; i < 300 && !h.container.pool.ready(); i++) await sleep(20)
  // The worker is busy with a slow render; a second request queues behind it and its client leaves.
  const slow = post(port, h.auth('stays', 'stays-user-key-1'), { html: `<p>${'😀🎉👍🔥'.repeat(120)}</p>`, dedupe_duration_s: 0 })
  for (let i = 0; i < 300 && h.container.pool.stats().busy === 0; i++) await sleep(10)
  await post(port, h.auth('leaves', 'leaves-user-key-1'), { html: '<p>nobody will read this</p>' }, 100)
  t.equal(h.container.pool.stats().total, 1, 'no worker was stopped to drop it')
  t.match(await slow, /^HTTP\/1\.1 200/, 'the request whose client stayed is answered')
  await sleep(500)
  t.equal(await h.container.usage.usedThisMonth('stays', Date.now()), 1)
  t.equal(await h.container.usage.usedThisMonth('leaves', Date.now()), 0, 'the abandoned render was never drawn or charged')
  t.equal(h.container.pool.stats().pending, 0)
})

t.test('a request whose client hung up does not hold the close open', async (t) => {
  const h = await build(t)
  await h.addUser('gone', 'gone-user-key-1')
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  // The worker warm first: while it boots, a request waits outside workerpool's queue.
  for (let i = 0; i < 300 && !h.container.pool.ready(); i++) await sleep(20)
  const { port } = h.app.server.address() as AddressInfo
  // A render of a second or more (hundreds of emoji), and a client that leaves once it has started.
  const body = JSON.stringify({ html: `<p>${'😀🎉👍🔥'.repeat(120)}</p>`, dedupe_duration_s: 0 })
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
