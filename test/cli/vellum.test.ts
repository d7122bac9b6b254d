/** bin/vellum as a user runs it: users management and a local render, all against DATA_DIR. */
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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
    { user_id: 'alice', monthly_limit: 7, revoked: false },
    { user_id: 'bob', revoked: true },
  ])
  t.equal((await vellum(dir, 'users', 'set-limit', 'nobody', '7')).code, 2)
  t.equal((await vellum(dir, 'users', 'set-limit', 'alice', '-1')).code, 2)

  const { db, users } = openData(configFrom({ DATA_DIR: dir }))
  const alice = users.find('alice')!
  t.ok(keyMatches({ salt: alice.salt, digest: alice.digest }, created.api_key), 'the printed key authenticates')
  const file = readFileSync(join(dir, 'vellum.db'))
  t.notOk(file.includes(Buffer.from(created.api_key)), 'the key is not stored in clear')
  t.notOk(file.includes(Buffer.from('bob-chosen-key')))
  db.close()

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
  const unknown = await vellum(dir, 'frobnicate')
  t.equal(unknown.code, 2)
  t.match(unknown.stderr, /unknown command/)
})
