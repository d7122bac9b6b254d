/**
 * API keys kept recoverable for signing. Basic auth only needs the salted digest, but a signed
 * URL's HMAC needs the clear key, so each key is also sealed with a server secret (AES-256-GCM,
 * a fresh 96-bit nonce per seal, the user id as associated data so a sealed key cannot be moved
 * to another user's row). The secret is VELLUM_SECRET, or else 32 random bytes generated once
 * into DATA_DIR/secret.key (mode 0600). Losing the secret loses signing, never Basic auth.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ConfigError } from '../config/load-config.js'
import type { UserStore } from '../store/port.js'

const NONCE = 12
const TAG = 16
const CHECK = 'vellum key vault'

/** A boot-time problem with the secret, reported like any bad configuration (named, exit 2). */
const secretError = (message: string) => new ConfigError([`VELLUM_SECRET: ${message}`])

export class KeyVault {
  readonly #key: Buffer

  constructor(key: Buffer) {
    if (key.length !== 32) throw secretError('the server secret must be 32 bytes')
    this.#key = key
  }

  /** nonce ‖ tag ‖ ciphertext. */
  seal(userId: string, apiKey: string): Buffer {
    const nonce = randomBytes(NONCE)
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce)
    cipher.setAAD(Buffer.from(userId, 'utf8'))
    const body = Buffer.concat([cipher.update(apiKey, 'utf8'), cipher.final()])
    return Buffer.concat([nonce, cipher.getAuthTag(), body])
  }

  /** The clear key, or undefined when the box was not sealed with this secret for this user. */
  open(userId: string, sealed: Buffer): string | undefined {
    if (sealed.length < NONCE + TAG) return undefined
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, sealed.subarray(0, NONCE))
      decipher.setAAD(Buffer.from(userId, 'utf8'))
      decipher.setAuthTag(sealed.subarray(NONCE, NONCE + TAG))
      return Buffer.concat([decipher.update(sealed.subarray(NONCE + TAG)), decipher.final()]).toString('utf8')
    } catch {
      return undefined
    }
  }

  /** A value to store once: a later boot whose secret cannot open it is refused (see checkAgainst). */
  sealCheck(): Buffer {
    return this.seal('', CHECK)
  }

  opensCheck(sealed: Buffer): boolean {
    return this.open('', sealed) === CHECK
  }
}

/**
 * The vault for DATA_DIR: from VELLUM_SECRET when set (any string of 32+ characters, hashed to
 * the AES key), else from DATA_DIR/secret.key, generated on first use. A present but malformed
 * file is an error, never silently replaced: that would orphan every sealed key.
 */
export function loadKeyVault(dataDir: string, envSecret: string | undefined): KeyVault {
  if (envSecret !== undefined) return new KeyVault(createHash('sha256').update(envSecret, 'utf8').digest())
  const dir = resolve(dataDir)
  const file = join(dir, 'secret.key')
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw secretError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code}): set VELLUM_SECRET or fix the file's permissions`)
    }
    mkdirSync(dir, { recursive: true })
    text = `${randomBytes(32).toString('base64url')}\n`
    try {
      // 'wx': two processes booting at once (server and CLI) never overwrite each other's secret.
      writeFileSync(file, text, { mode: 0o600, flag: 'wx' })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      text = readFileSync(file, 'utf8')
    }
  }
  const key = Buffer.from(text.trim(), 'base64url')
  if (key.length !== 32 || key.toString('base64url') !== text.trim()) {
    throw secretError(`${file} is not a server secret (32 bytes, base64url); restore the original file or set VELLUM_SECRET`)
  }
  return new KeyVault(key)
}

/**
 * Binds a database to the secret it first met: the first boot seals a known value, every later
 * boot must open it. A wrong VELLUM_SECRET (or a secret.key from another install) is refused
 * here, at boot, with what to do, instead of every signed URL answering 401 later.
 */
export async function checkVault(vault: KeyVault, stored: Pick<UserStore, 'vaultCheck' | 'setVaultCheck'>, where: string): Promise<void> {
  let sealed = await stored.vaultCheck()
  if (!sealed) {
    // Re-read: another node booting at the same moment may have sealed first, with its secret.
    await stored.setVaultCheck(vault.sealCheck())
    sealed = await stored.vaultCheck()
  }
  if (!sealed || !vault.opensCheck(sealed)) {
    throw secretError(
      `the secret does not open the API keys stored in ${where}: ` +
        'set VELLUM_SECRET (or DATA_DIR/secret.key) back to the one this database was created with',
    )
  }
}
