/** The low-memory profile: render workers stop when idle and come back on the next request. */
import t from 'tap'
import { build } from '../../helper.js'

t.test('idle workers are stopped and restarted on demand', async (t) => {
  const h = await build(t, { RENDER_IDLE_TIMEOUT_MS: 300 })
  h.addUser('idle', 'idle-key-1234')
  const post = (html: string) =>
    h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: h.auth('idle', 'idle-key-1234') }, payload: { html, device_scale: 1 } })
  t.equal((await h.app.inject({ url: '/health' })).json().render.total, 0, 'no worker before the first render')
  t.equal((await post('<p>one</p>')).statusCode, 200)
  t.equal((await h.app.inject({ url: '/health' })).json().render.total, 1, 'a worker while busy')
  const deadline = Date.now() + 10_000
  while ((await h.app.inject({ url: '/health' })).json().render.total !== 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100))
  }
  t.equal((await h.app.inject({ url: '/health' })).json().render.total, 0, 'stopped after the idle timeout')
  t.equal((await post('<p>two</p>')).statusCode, 200, 'the next render starts a worker again')
})
