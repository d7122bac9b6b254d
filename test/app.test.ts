/** buildApp's lifecycle: closing waits for the requests in flight, and only for those a client still waits on. */
import t from 'tap'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { build } from './helper.js'

t.test('a request whose client hung up does not hold the close open', async (t) => {
  const h = await build(t)
  await h.addUser('gone', 'gone-user-key-1')
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = h.app.server.address() as AddressInfo
  // A render of a second or more (hundreds of emoji), and a client that leaves after 100 ms.
  const body = JSON.stringify({ html: `<p>${'😀🎉👍🔥'.repeat(120)}</p>`, dedupe_duration_s: 0 })
  const socket = connect(port, '127.0.0.1')
  await new Promise((r) => socket.once('connect', r))
  socket.write(
    `POST /v1/image HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: ${h.auth('gone', 'gone-user-key-1')}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )
  await sleep(100)
  socket.destroy()
  // The render finishes meanwhile and answers into a closed connection.
  for (let i = 0; i < 200 && (await h.container.usage.usedThisMonth('gone', Date.now())) === 0; i++) await sleep(100)
  t.equal(await h.container.usage.usedThisMonth('gone', Date.now()), 1, 'the render ran to its end')
  // Neither onResponse nor onRequestAbort fired for it: close() waited forever (the server's
  // SHUTDOWN_TIMEOUT_MS then cut it off and exited 1).
  const outcome = await Promise.race([h.app.close().then(() => 'closed'), sleep(5000).then(() => 'still waiting')])
  t.equal(outcome, 'closed')
})
