/**
 * Users and their API key digests. Statements are prepared once; callers get intent-named
 * methods and never see SQL.
 */
import type { Db } from './database.js'

export interface UserRow {
  id: string
  monthlyLimit: number
  revokedAt: number | null
  createdAt: number
}

export interface UserCredentials extends UserRow {
  salt: Buffer
  digest: Buffer
  /** The API key sealed by the key vault; null for users created before keys were kept. */
  sealed: Buffer | null
}

interface RawUser {
  id: string
  key_salt: Buffer
  key_hash: Buffer
  monthly_limit: number
  revoked_at: number | null
  created_at: number
  key_sealed: Buffer | null
}

const toUser = (r: RawUser): UserCredentials => ({
  id: r.id,
  monthlyLimit: r.monthly_limit,
  revokedAt: r.revoked_at,
  createdAt: r.created_at,
  salt: r.key_salt,
  digest: r.key_hash,
  sealed: r.key_sealed,
})

export class UsersRepository {
  readonly #find
  readonly #insert
  readonly #list
  readonly #setLimit
  readonly #revoke
  readonly #setKey
  readonly #vaultCheck
  readonly #setVaultCheck

  constructor(db: Db) {
    this.#find = db.prepare<[string], RawUser>('SELECT * FROM users WHERE id = ?')
    this.#insert = db.prepare(
      'INSERT INTO users (id, key_salt, key_hash, key_sealed, monthly_limit, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    )
    this.#setKey = db.prepare('UPDATE users SET key_salt = ?, key_hash = ?, key_sealed = ? WHERE id = ?')
    this.#vaultCheck = db.prepare<[], { sealed: Buffer }>('SELECT sealed FROM vault_check WHERE id = 1')
    this.#setVaultCheck = db.prepare('INSERT OR IGNORE INTO vault_check (id, sealed) VALUES (1, ?)')
    this.#list = db.prepare<[], RawUser>('SELECT * FROM users ORDER BY created_at, id')
    this.#setLimit = db.prepare('UPDATE users SET monthly_limit = ? WHERE id = ?')
    this.#revoke = db.prepare('UPDATE users SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
  }

  find(id: string): UserCredentials | undefined {
    const row = this.#find.get(id)
    return row ? toUser(row) : undefined
  }

  create(user: { id: string; salt: Buffer; digest: Buffer; sealed: Buffer | null; monthlyLimit: number; now: number }): void {
    this.#insert.run(user.id, user.salt, user.digest, user.sealed, user.monthlyLimit, user.now)
  }

  /** Replaces the key: the old one stops matching the digest and is no longer kept sealed. */
  setKey(id: string, key: { salt: Buffer; digest: Buffer; sealed: Buffer }): boolean {
    return this.#setKey.run(key.salt, key.digest, key.sealed, id).changes > 0
  }

  /** The value the key vault sealed when this database first met a secret (see key-vault.ts). */
  vaultCheck(): Buffer | undefined {
    return this.#vaultCheck.get()?.sealed
  }

  setVaultCheck(sealed: Buffer): void {
    this.#setVaultCheck.run(sealed)
  }

  /** Every user; `canSign` is false for keys issued before keys were kept (rotate-key fixes it). */
  list(): Array<UserRow & { canSign: boolean }> {
    return this.#list.all().map((r) => {
      const { salt: _salt, digest: _digest, sealed, ...user } = toUser(r)
      return { ...user, canSign: sealed !== null }
    })
  }

  setLimit(id: string, limit: number): boolean {
    return this.#setLimit.run(limit, id).changes > 0
  }

  revoke(id: string, now: number): boolean {
    return this.#revoke.run(now, id).changes > 0
  }
}
