/** Users and their API key digests in PostgreSQL. */
import type pg from 'pg'
import type { NewUser, UserCredentials, UserRow, UserStore } from '../port.js'
import { toUser, type RawUser } from '../rows.js'

export class PgUsers implements UserStore {
  constructor(private readonly pool: pg.Pool) {}

  async find(id: string): Promise<UserCredentials | undefined> {
    const { rows } = await this.pool.query<RawUser>('SELECT * FROM users WHERE id = $1', [id])
    return rows[0] ? toUser(rows[0]) : undefined
  }

  async create(u: NewUser): Promise<void> {
    await this.pool.query('INSERT INTO users (id, key_salt, key_hash, key_sealed, monthly_limit, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      u.id,
      u.salt,
      u.digest,
      u.sealed,
      u.monthlyLimit,
      u.now,
    ])
  }

  async setKey(id: string, key: { salt: Buffer; digest: Buffer; sealed: Buffer }): Promise<boolean> {
    const r = await this.pool.query('UPDATE users SET key_salt = $1, key_hash = $2, key_sealed = $3 WHERE id = $4', [key.salt, key.digest, key.sealed, id])
    return (r.rowCount ?? 0) > 0
  }

  async list(): Promise<Array<UserRow & { canSign: boolean }>> {
    const { rows } = await this.pool.query<RawUser>('SELECT * FROM users ORDER BY created_at, id')
    return rows.map((r) => {
      const { salt: _salt, digest: _digest, sealed, ...user } = toUser(r)
      return { ...user, canSign: sealed !== null }
    })
  }

  async setLimit(id: string, limit: number): Promise<boolean> {
    return ((await this.pool.query('UPDATE users SET monthly_limit = $1 WHERE id = $2', [limit, id])).rowCount ?? 0) > 0
  }

  async revoke(id: string, now: number): Promise<boolean> {
    return ((await this.pool.query('UPDATE users SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id])).rowCount ?? 0) > 0
  }

  async vaultCheck(): Promise<Buffer | undefined> {
    const { rows } = await this.pool.query<{ sealed: Buffer }>('SELECT sealed FROM vault_check WHERE id = 1')
    return rows[0]?.sealed
  }

  async setVaultCheck(sealed: Buffer): Promise<void> {
    await this.pool.query('INSERT INTO vault_check (id, sealed) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [sealed])
  }
}
