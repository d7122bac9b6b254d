/**
 * The OpenAPI document is generated from the same route schemas that validate requests: it is a
 * valid OpenAPI 3.1 document, and every route the app serves (but the document and the docs page
 * themselves) is in it.
 */
import t from 'tap'
import { validate } from '@readme/openapi-parser'
import { build } from '../helper.js'

t.test('GET /openapi.json describes every route, and validates', async (t) => {
  const h = await build(t)
  const res = await h.app.inject({ url: '/openapi.json' })
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.equal(doc.openapi, '3.1.0')
  const result = await validate(structuredClone(doc))
  t.ok(result.valid, `a valid OpenAPI document: ${JSON.stringify('errors' in result ? result.errors : []).slice(0, 500)}`)

  // printRoutes draws a radix tree: each label continues its parent's path, 4 columns a level.
  const served = new Set<string>()
  const stack: string[] = []
  for (const line of h.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (.+?) \(([A-Z, ]+)\)$/.exec(line)
    if (!m) continue
    const depth = m[1]!.length / 4
    const path = (stack[depth - 1] ?? '') + m[2]!
    stack[depth] = path
    for (const alternative of path.split('|').map((p, i, all) => (i === 0 ? p : all[0]!.replace(/:\w+$/, '') + p))) {
      for (const method of m[3]!.split(', ')) if (method !== 'HEAD') served.add(`${method} ${alternative.replace(/:\w+/g, ':param')}`)
    }
  }
  const documented = new Set<string>()
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path.replace(/\{\w+\}/g, ':param')}`)
  }
  const known = (route: string) => [...documented].some((d) => d.split(' ')[1] === route.split(' ')[1])
  // A radix node shares its methods among the parameter names it merges, so a path is checked
  // once any method is documented for it, and each method of the API below explicitly.
  const missing = [...served].filter((r) => !documented.has(r) && !known(r) && !r.includes('/docs') && r !== 'GET /openapi.json' && r !== 'GET /playground')
  t.same(missing, [], 'every route is documented')
  t.ok(served.size >= 10, `routes read from the router (${served.size})`)
  for (const route of ['POST /v1/image', 'POST /v1/image/batch', 'GET /v1/image/:param', 'DELETE /v1/image/:param', 'DELETE /v1/image/batch', 'GET /v1/images', 'GET /v1/images/:param', 'GET /v1/usage', 'GET /health', 'GET /healthz', 'GET /readyz']) {
    t.ok(documented.has(route), route)
  }
  const create = doc.paths['/v1/image'].post
  t.match(create.requestBody.content['application/json'].schema.properties.device_scale, { minimum: 0.1, maximum: 3 }, 'ranges come from the zod schema')
  t.same(create.security ?? doc.security, [{ basic: [] }], 'Basic auth')
})

t.test('the API reference page', async (t) => {
  const h = await build(t)
  const res = await h.app.inject({ url: '/docs/' })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/html/)
  t.match(res.body, /swagger-ui/i)
})

t.test('liveness and readiness', async (t) => {
  const h = await build(t)
  t.same((await h.app.inject({ url: '/healthz' })).json(), { status: 'ok' })
  t.same((await h.app.inject({ url: '/readyz' })).json().checks.loaded, false, 'not ready before the API has loaded undici and sharp')
  await h.container.warmUp()
  const deadline = Date.now() + 30_000
  let ready = await h.app.inject({ url: '/readyz' })
  while (ready.statusCode !== 200 && Date.now() < deadline) {
    t.same(ready.json(), { status: 'not ready', checks: { render: false, loaded: true, store: true } }, 'not ready while the first worker warms up')
    await new Promise((r) => setTimeout(r, 100))
    ready = await h.app.inject({ url: '/readyz' })
  }
  t.same(ready.json(), { status: 'ready', checks: { render: true, loaded: true, store: true } })
  await h.container.store.close()
  const noStore = await h.app.inject({ url: '/readyz' })
  t.equal(noStore.statusCode, 503, 'a store that does not answer is not ready')
  t.match(noStore.json(), { checks: { store: false } })
})
