/**
 * The whole service on PostgreSQL (DATABASE_URL), against a real server started for this file:
 * `vellum migrate` and `vellum users` through the CLI, then the API (create, dedupe, quota, fetch,
 * delete, usage, templates, readiness) through the container the server builds.
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { build } from '../../helper.js'
import { startPostgres } from './postgres-server.js'

const BIN = fileURLToPath(new URL('../../../bin/vellum', import.meta.url))
const SECRET = 's'.repeat(40)

const server = await startPostgres()
t.teardown(() => server.stop())

function vellum(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', VELLUM_SECRET: SECRET }
    execFile(process.execPath, [BIN, ...args], { env: { ...base, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

t.test('the CLI migrates and manages users in the configured PostgreSQL; the API serves them', async (t) => {
  const url = server.createDatabase('app')
  const env = { DATABASE_URL: url }
  const migrated = await vellum(env, 'migrate')
  t.equal(migrated.code, 0, migrated.stderr)
  t.match(JSON.parse(migrated.stdout), { store: 'postgres', migrated: true })
  t.notMatch(migrated.stdout, /password/)
  t.equal((await vellum(env, 'migrate')).code, 0, 'a second migrate has nothing to do')

  const added = await vellum(env, 'users', 'add', 'pat', '--limit', '3')
  t.equal(added.code, 0, added.stderr)
  const key = JSON.parse(added.stdout).api_key as string
  t.match((await vellum(env, 'users', 'list')).stdout, /"user_id":"pat"/)

  const h = await build(t, { DATABASE_URL: url, VELLUM_SECRET: SECRET })
  t.equal(h.container.store.kind, 'postgres')
  const auth = h.auth('pat', key)
  const create = (html: string, dedupe = 0) =>
    h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: auth }, payload: { html, device_scale: 1, dedupe_duration_s: dedupe } })

  const twins = await Promise.all([create('<p>same</p>', 60), create('<p>same</p>', 60)])
  t.same(twins.map((r) => r.statusCode), [200, 200])
  t.equal(twins[0]!.json().id, twins[1]!.json().id, 'the same request: one image')
  t.equal(await h.container.usage.usedThisMonth('pat', Date.now()), 1, 'one charge')

  const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => create(`<p>burst ${i}</p>`)))
  t.equal(burst.filter((r) => r.statusCode === 200).length, 2, 'the limit of 3 holds')
  t.equal(burst.filter((r) => r.statusCode === 429).length, 4)

  const id = twins[0]!.json().id as string
  const png = await h.app.inject({ url: `/v1/image/${id}` })
  t.equal(png.statusCode, 200)
  t.equal(png.headers['content-type'], 'image/png')
  t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/image/${id}`, headers: { authorization: auth } })).statusCode, 202)
  t.equal((await h.app.inject({ url: `/v1/image/${id}` })).statusCode, 410, 'deleted: 410')

  const usage = await h.app.inject({ url: '/v1/usage', headers: { authorization: auth } })
  t.same(Object.values(usage.json().data.month), [3])

  const tpl = await h.app.inject({ method: 'POST', url: '/v1/template', headers: { authorization: auth }, payload: { html: '<p>{{name}}</p>' } })
  t.equal(tpl.statusCode, 200, tpl.body)
  const listed = await h.app.inject({ url: '/v1/template', headers: { authorization: auth } })
  t.match(listed.json().data, [{ id: tpl.json().template_id, version: tpl.json().template_version }])

  t.equal((await h.app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'the store answers')
})

t.test('two nodes on one database: an image made on A is served by B, and a delete on A is a 410 on B at once', async (t) => {
  const url = server.createDatabase('nodes')
  const env = { DATABASE_URL: url }
  t.equal((await vellum(env, 'migrate')).code, 0)
  const key = JSON.parse((await vellum(env, 'users', 'add', 'sam', '--limit', '10')).stdout).api_key as string
  const a = await build(t, { DATABASE_URL: url, VELLUM_SECRET: SECRET })
  const b = await build(t, { DATABASE_URL: url, VELLUM_SECRET: SECRET })
  const auth = a.auth('sam', key)
  const made = await a.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: auth }, payload: { html: '<p>shared</p>', device_scale: 1 } })
  t.equal(made.statusCode, 200, made.body)
  const id = made.json().id as string
  t.equal((await b.app.inject({ url: `/v1/image/${id}` })).statusCode, 200, 'B serves it (and now holds it in its cache)')
  t.equal((await b.app.inject({ url: `/v1/image/${id}` })).statusCode, 200, 'again, from the cache')
  t.equal((await a.app.inject({ method: 'DELETE', url: `/v1/image/${id}`, headers: { authorization: auth } })).statusCode, 202)
  t.equal((await b.app.inject({ url: `/v1/image/${id}` })).statusCode, 410, "B's cache does not outlive the truth")
  t.equal((await b.app.inject({ url: `/v1/image/${id}.webp` })).statusCode, 410, 'nor in another format')
})

t.test('an unreachable DATABASE_URL is a configuration error, said in one line without the password', async (t) => {
  const res = await vellum({ DATABASE_URL: 'postgres://vellum:hunter2@127.0.0.1:9/vellum' }, 'users', 'list')
  t.equal(res.code, 2)
  t.match(res.stderr, /DATABASE_URL: cannot open postgres:\/\/vellum:\*\*\*@127\.0\.0\.1:9\/vellum/)
  t.notMatch(res.stderr, /hunter2/)
})
