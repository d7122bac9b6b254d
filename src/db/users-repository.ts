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
}

interface RawUser {
  id: string
  key_salt: Buffer
  key_hash: Buffer
  monthly_limit: number
  revoked_at: number | null
  created_at: number
}

const toUser = (r: RawUser): UserCredentials => ({
  id: r.id,
  monthlyLimit: r.monthly_limit,
  revokedAt: r.revoked_at,
  createdAt: r.created_at,
  salt: r.key_salt,
  digest: r.key_hash,
})

export class UsersRepository {
  readonly #find
  readonly #insert
  readonly #list
  readonly #setLimit
  readonly #revoke

  constructor(db: Db) {
    this.#find = db.prepare<[string], RawUser>('SELECT * FROM users WHERE id = ?')
    this.#insert = db.prepare(
      'INSERT INTO users (id, key_salt, key_hash, monthly_limit, created_at) VALUES (?, ?, ?, ?, ?)',
    )
    this.#list = db.prepare<[], RawUser>('SELECT * FROM users ORDER BY created_at, id')
    this.#setLimit = db.prepare('UPDATE users SET monthly_limit = ? WHERE id = ?')
    this.#revoke = db.prepare('UPDATE users SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
  }

  find(id: string): UserCredentials | undefined {
    const row = this.#find.get(id)
    return row ? toUser(row) : undefined
  }

  create(user: { id: string; salt: Buffer; digest: Buffer; monthlyLimit: number; now: number }): void {
    this.#insert.run(user.id, user.salt, user.digest, user.monthlyLimit, user.now)
  }

  list(): UserRow[] {
    return this.#list.all().map((r) => {
      const { salt: _salt, digest: _digest, ...user } = toUser(r)
      return user
    })
  }

  setLimit(id: string, limit: number): boolean {
    return this.#setLimit.run(limit, id).changes > 0
  }

  revoke(id: string, now: number): boolean {
    return this.#revoke.run(now, id).changes > 0
  }
}
