/**
 * API keys are 256-bit random strings shown once. Only a salted SHA-256 digest is stored: a
 * password KDF would add CPU to every request for no gain on keys this long, while the salt
 * keeps operator-chosen keys (`users add --key`) out of precomputed tables.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

export function generateApiKey(): string {
  return randomBytes(32).toString('base64url')
}

export function newSalt(): Buffer {
  return randomBytes(16)
}

export function digestKey(salt: Buffer, key: string): Buffer {
  return createHash('sha256').update(salt).update(key, 'utf8').digest()
}

// Compared against when the user is unknown, so an unknown user costs the same as a wrong key.
const DUMMY_SALT = randomBytes(16)
const DUMMY_DIGEST = digestKey(DUMMY_SALT, 'dummy')

/** Constant-time check; digests are fixed-length, so timingSafeEqual never throws on length. */
export function keyMatches(stored: { salt: Buffer; digest: Buffer } | undefined, key: string): boolean {
  const salt = stored?.salt ?? DUMMY_SALT
  const expected = stored?.digest ?? DUMMY_DIGEST
  const ok = timingSafeEqual(digestKey(salt, key), expected)
  return stored !== undefined && ok
}

/** Everything stored for a new key: the digest Basic auth checks and the sealed key signing needs. */
export function keyRecord(vault: { seal(userId: string, key: string): Buffer }, userId: string, key: string): { salt: Buffer; digest: Buffer; sealed: Buffer } {
  const salt = newSalt()
  return { salt, digest: digestKey(salt, key), sealed: vault.seal(userId, key) }
}
