/**
 * Users and their API key digests in SQLite. Statements are prepared once; callers get
 * intent-named methods and never see SQL.
 */
import type { Db } from './database.js'
import type { NewUser, UserCredentials, UserRow, UserStore } from '../port.js'
import { toUser, type RawUser } from '../rows.js'

export class UsersRepository implements UserStore {
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

  async find(id: string): Promise<UserCredentials | undefined> {
    const row = this.#find.get(id)
    return row ? toUser(row) : undefined
  }

  async create(user: NewUser): Promise<void> {
    this.#insert.run(user.id, user.salt, user.digest, user.sealed, user.monthlyLimit, user.now)
  }

  async setKey(id: string, key: { salt: Buffer; digest: Buffer; sealed: Buffer }): Promise<boolean> {
    return this.#setKey.run(key.salt, key.digest, key.sealed, id).changes > 0
  }

  async vaultCheck(): Promise<Buffer | undefined> {
    return this.#vaultCheck.get()?.sealed
  }

  async setVaultCheck(sealed: Buffer): Promise<void> {
    this.#setVaultCheck.run(sealed)
  }

  async list(): Promise<Array<UserRow & { canSign: boolean }>> {
    return this.#list.all().map((r) => {
      const { salt: _salt, digest: _digest, sealed, ...user } = toUser(r)
      return { ...user, canSign: sealed !== null }
    })
  }

  async setLimit(id: string, limit: number): Promise<boolean> {
    return this.#setLimit.run(limit, id).changes > 0
  }

  async revoke(id: string, now: number): Promise<boolean> {
    return this.#revoke.run(now, id).changes > 0
  }
}
