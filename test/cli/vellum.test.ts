/** bin/vellum as a user runs it: users management and a local render, all against DATA_DIR. */
import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { decodePng, coverage } from '../helper.js'
import { openData } from '../../src/container.js'
import { configFrom } from '../../src/config/load-config.js'
import { keyMatches } from '../../src/auth/api-keys.js'

const BIN = fileURLToPath(new URL('../../bin/vellum', import.meta.url))

function vellum(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

t.test('vellum users and render', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vellum-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))

  const added = await vellum(dir, 'users', 'add', 'alice', '--limit', '50')
  t.equal(added.code, 0, added.stderr)
  const created = JSON.parse(added.stdout)
  t.equal(created.user_id, 'alice')
  t.match(created.api_key, /^[A-Za-z0-9_-]{43}$/, 'a strong random key (256 bits)')

  const chosen = await vellum(dir, 'users', 'add', 'bob', '--key', 'bob-chosen-key')
  t.same(JSON.parse(chosen.stdout).api_key, 'bob-chosen-key')
  const dup = await vellum(dir, 'users', 'add', 'bob')
  t.equal(dup.code, 2)
  t.match(dup.stderr, /already exists/)

  t.equal((await vellum(dir, 'users', 'set-limit', 'alice', '7')).code, 0)
  t.equal((await vellum(dir, 'users', 'revoke', 'bob')).code, 0)
  const list = (await vellum(dir, 'users', 'list')).stdout.trim().split('\n').map((l) => JSON.parse(l))
  t.match(list, [
    { user_id: 'alice', monthly_limit: 7, revoked: false, can_sign: true },
    { user_id: 'bob', revoked: true },
  ])
  t.equal((await vellum(dir, 'users', 'set-limit', 'nobody', '7')).code, 2)
  t.equal((await vellum(dir, 'users', 'set-limit', 'alice', '-1')).code, 2)

  const { store, users } = await openData(configFrom({ DATA_DIR: dir }))
  const alice = (await users.find('alice'))!
  t.ok(keyMatches({ salt: alice.salt, digest: alice.digest }, created.api_key), 'the printed key authenticates')
  const file = readFileSync(join(dir, 'vellum.db'))
  t.notOk(file.includes(Buffer.from(created.api_key)), 'the key is not stored in clear')
  t.notOk(file.includes(Buffer.from('bob-chosen-key')))
  await store.close()

  // rotate-key: a new key for Basic auth and signing; the old one stops working for both.
  const rotated = await vellum(dir, 'users', 'rotate-key', 'alice')
  t.equal(rotated.code, 0, rotated.stderr)
  const newKey = JSON.parse(rotated.stdout).api_key as string
  t.match(newKey, /^[A-Za-z0-9_-]{43}$/)
  const after = await openData(configFrom({ DATA_DIR: dir }))
  const alice2 = (await after.users.find('alice'))!
  t.notOk(keyMatches(alice2, created.api_key), 'the old key no longer authenticates')
  t.ok(keyMatches(alice2, newKey), 'the new one does')
  t.equal(after.vault.open('alice', alice2.sealed!), newKey, 'and is the one kept (sealed) for signing')
  const stored = Buffer.concat([join(dir, 'vellum.db'), join(dir, 'vellum.db-wal')].filter((f) => existsSync(f)).map((f) => readFileSync(f)))
  t.notOk(stored.includes(Buffer.from(newKey)), 'never in clear')
  await after.store.close()
  t.equal((await vellum(dir, 'users', 'rotate-key', 'nobody')).code, 2)
  // A secret that is not the one the database was sealed with: refused at start, saying what to do.
  const wrongSecret = await new Promise<{ code: number; stderr: string }>((resolve) => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dir, VELLUM_SECRET: 'w'.repeat(40) }
    execFile(process.execPath, [BIN, 'users', 'list'], { env, timeout: 60_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr })
    })
  })
  t.equal(wrongSecret.code, 2)
  t.match(wrongSecret.stderr, /VELLUM_SECRET: the secret does not open the API keys stored in .*vellum\.db/)

  const html = join(dir, 'card.html')
  writeFileSync(html, '<div class="c"></div>')
  writeFileSync(join(dir, 'card.css'), '.c{width:100px;height:50px;background:#00ff00}')
  const out = join(dir, 'card.png')
  const rendered = await vellum(dir, 'render', html, '--css', join(dir, 'card.css'), '--out', out, '--scale', '2')
  t.equal(rendered.code, 0, rendered.stderr)
  t.match(JSON.parse(rendered.stdout), { out, width: 200, height: 100 })
  const png = decodePng(readFileSync(out))
  t.ok(coverage(png, [0, 255, 0]) > 0.99)

  const bad = await vellum(dir, 'render')
  t.equal(bad.code, 2)
  const missing = await vellum(dir, 'render', join(dir, 'missing.html'))
  t.equal(missing.code, 2, 'a file that cannot be read is bad input')
  t.equal(missing.stderr, `vellum: cannot read ${join(dir, 'missing.html')} (ENOENT)\n`, 'said in one line, no stack trace')
  const unknown = await vellum(dir, 'frobnicate')
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /unknown command/)
})

/** A port nothing listens on, for a server started as a separate process. */
async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

t.test('vellum serve, as `npm start` runs it (the dist/ bundle once built): create, fetch, stop', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vellum-serve-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const key = JSON.parse((await vellum(dir, 'users', 'add', 'carol')).stdout).api_key as string
  const port = await freePort()
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RENDER_WORKERS: '1' }
  const server = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  server.stderr!.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)))
  t.teardown(() => void server.kill('SIGKILL'))
  const base = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/health`).then((r) => r.ok, () => false)
    if (up) break
    if (i > 600 || server.exitCode !== null) return t.fail(`the server did not start: ${stderr}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  const created = await fetch(`${base}/v1/image`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`carol:${key}`).toString('base64')}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      html: '<div class="c"><b>Bold</b> <i>italic</i> <code>mono</code> Ελληνικά</div>',
      css: '.c { width: 400px; height: 100px; background: #0000ff; color: #fff; font-size: 24px }',
    }),
  })
  t.equal(created.status, 200, stderr)
  const { url } = (await created.json()) as { url: string }
  const png = decodePng(Buffer.from(await (await fetch(url)).arrayBuffer()))
  t.same({ width: png.width, height: png.height }, { width: 800, height: 200 }, 'the API default device_scale is 2')
  t.ok(coverage(png, [0, 0, 255]) > 0.6, 'the blue box')
  t.ok(coverage(png, [255, 255, 255]) > 0.01, 'white text drawn on it (bundled fonts found)')
  server.kill('SIGTERM')
  t.equal(await exited, 0, 'a graceful stop on SIGTERM')
})

t.test('running from source, as the README says (npx tsx src/cli/main.ts …)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vellum-src-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
  const run = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', main, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dir }, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      )
    })
  const added = await run('users', 'add', 'src-user')
  t.equal(added.code, 0, added.stderr)
  t.equal(JSON.parse(added.stdout).user_id, 'src-user')
  t.equal((await run('frobnicate')).code, 2)
})
