/**
 * API keys sealed at rest: AES-256-GCM bound to the user, a server secret from VELLUM_SECRET or
 * generated once into DATA_DIR (mode 0600), and a clear refusal at boot when the secret is not
 * the one the database was sealed with.
 */
import t from 'tap'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KeyVault, loadKeyVault } from '../../src/auth/key-vault.js'
import { openData } from '../../src/container.js'
import { configFrom, ConfigError } from '../../src/config/load-config.js'
import { keyRecord, keyMatches } from '../../src/auth/api-keys.js'

const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'vellum-vault-'))
  t.teardown(() => rmSync(d, { recursive: true, force: true }))
  return d
}

t.test('seal and open: bound to the user, useless under another secret', async (t) => {
  const vault = new KeyVault(Buffer.alloc(32, 7))
  const sealed = vault.seal('alice', 'alice-key-123')
  t.equal(vault.open('alice', sealed), 'alice-key-123')
  t.notOk(sealed.includes(Buffer.from('alice-key-123')), 'not in clear')
  t.not(vault.seal('alice', 'alice-key-123').toString('hex'), sealed.toString('hex'), 'a fresh nonce each time')
  t.equal(vault.open('bob', sealed), undefined, "another user's row cannot borrow it")
  t.equal(new KeyVault(Buffer.alloc(32, 8)).open('alice', sealed), undefined, 'another secret cannot open it')
  const flipped = Buffer.from(sealed)
  flipped[flipped.length - 1] = flipped[flipped.length - 1]! ^ 1
  t.equal(vault.open('alice', flipped), undefined, 'tampering is detected')
})

t.test('the generated secret: 0600 in DATA_DIR, reused, never replaced when malformed', async (t) => {
  const d = dir()
  const first = loadKeyVault(d, undefined)
  const file = join(d, 'secret.key')
  t.equal(statSync(file).mode & 0o777, 0o600)
  const text = readFileSync(file, 'utf8')
  const again = loadKeyVault(d, undefined)
  t.equal(again.open('u', first.seal('u', 'k')), 'k', 'the same secret on the next boot')
  t.equal(readFileSync(file, 'utf8'), text)
  writeFileSync(file, 'not a secret\n')
  t.throws(() => loadKeyVault(d, undefined), { name: 'ConfigError', message: /VELLUM_SECRET: .*secret\.key is not a server secret/ })
  t.equal(readFileSync(file, 'utf8'), 'not a secret\n', 'left as it was')
})

t.test('a database refuses a secret it was not sealed with, at boot, saying what to do', async (t) => {
  const d = dir()
  const secret = 'a'.repeat(40)
  const first = await openData(configFrom({ DATA_DIR: d, VELLUM_SECRET: secret }))
  await first.users.create({ id: 'u1', ...keyRecord(first.vault, 'u1', 'user-one-key'), monthlyLimit: 10, now: Date.now() })
  await first.store.close()

  const again = await openData(configFrom({ DATA_DIR: d, VELLUM_SECRET: secret }))
  const u1 = (await again.users.find('u1'))!
  t.equal(again.vault.open('u1', u1.sealed!), 'user-one-key', 'the key comes back for signing')
  t.ok(keyMatches(u1, 'user-one-key'), 'and Basic auth still uses the digest')
  await again.store.close()

  let err: unknown
  try {
    await openData(configFrom({ DATA_DIR: d, VELLUM_SECRET: 'b'.repeat(40) }))
  } catch (e) {
    err = e
  }
  t.ok(err instanceof ConfigError, 'a configuration error (the CLI and server print it and exit 2)')
  t.match((err as Error).message, /VELLUM_SECRET: the secret does not open the API keys stored in .*vellum\.db/)
  await t.rejects(openData(configFrom({ DATA_DIR: d })), /does not open the API keys/, 'nor does a generated secret.key')
  t.throws(() => configFrom({ VELLUM_SECRET: 'short' }), /VELLUM_SECRET: must be at least 32 characters/)
})
