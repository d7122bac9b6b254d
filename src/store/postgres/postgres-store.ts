/**
 * The PostgreSQL adapter of the storage port (DATABASE_URL=postgres://…), for more than one node
 * on one database. A bounded pool (DATABASE_POOL_MAX); the schema is migrated when it opens.
 *
 * What holds across nodes:
 * - the quota: the month row is charged by one INSERT … ON CONFLICT DO UPDATE … WHERE
 *   count + n <= limit, which locks the row, so concurrent charges queue on it and each sees the
 *   count the previous one committed;
 * - dedupe and first-render-once: a commit takes a transaction-scoped advisory lock on its user
 *   before it looks for a twin, so two commits of one user never both find none and both insert.
 */
import pg from 'pg'
import type {
  ChargeResult,
  CommitRequest,
  CommitResult,
  ImageRecord,
  ImageStore,
  NewUser,
  Period,
  Store,
  TemplateHead,
  TemplateRecord,
  TemplateStore,
  UsageStore,
  UserCredentials,
  UserRow,
  UserStore,
} from '../port.js'
import { periodStarts } from '../port.js'
import { migrate } from './migrations.js'

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>

const INT8 = 20
/** BIGINT columns hold epoch milliseconds and counts, all far below 2^53: read them as numbers. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
}

async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
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

class PgUsers implements UserStore {
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

class PgUsage implements UsageStore {
  constructor(private readonly pool: pg.Pool) {}

  async usedThisMonth(userId: string, now: number, db: Queryable = this.pool): Promise<number> {
    const { rows } = await db.query<{ count: number }>("SELECT count FROM usage WHERE user_id = $1 AND period = 'month' AND start = $2", [
      userId,
      periodStarts(now).month,
    ])
    return rows[0]?.count ?? 0
  }

  async charge(userId: string, n: number, limit: number, now: number): Promise<ChargeResult> {
    return transaction(this.pool, (client) => this.chargeIn(client, userId, n, limit, now))
  }

  /** The charge inside the caller's transaction (an image commit); one statement decides it. */
  async chargeIn(client: pg.PoolClient, userId: string, n: number, limit: number, now: number): Promise<ChargeResult> {
    const starts = periodStarts(now)
    const month = await client.query<{ count: number }>(
      "INSERT INTO usage (user_id, period, start, count) SELECT $1, 'month', $2, $3::bigint WHERE $3::bigint <= $4::bigint " +
        'ON CONFLICT (user_id, period, start) DO UPDATE SET count = usage.count + excluded.count ' +
        'WHERE usage.count + excluded.count <= $4::bigint RETURNING count',
      [userId, starts.month, n, limit],
    )
    if (month.rows.length === 0) return { ok: false, used: await this.usedThisMonth(userId, now, client), limit }
    for (const period of ['hour', 'day'] as const) {
      await client.query(
        'INSERT INTO usage (user_id, period, start, count) VALUES ($1, $2, $3, $4) ' +
          'ON CONFLICT (user_id, period, start) DO UPDATE SET count = usage.count + excluded.count',
        [userId, period, starts[period], n],
      )
    }
    return { ok: true, used: month.rows[0]!.count, limit }
  }

  async history(userId: string, period: Period, max: number): Promise<Array<{ start: string; count: number }>> {
    const { rows } = await this.pool.query<{ start: string; count: number }>(
      'SELECT start, count FROM usage WHERE user_id = $1 AND period = $2 ORDER BY start DESC LIMIT $3',
      [userId, period, max],
    )
    return rows.reverse()
  }
}

interface RawImage {
  id: string
  user_id: string
  request_hash: string
  width: number
  height: number
  bytes: number
  etag: string
  params: string
  warnings: string
  created_at: number
  deleted_at: number | null
}

const toImage = (r: RawImage): ImageRecord => ({
  id: r.id,
  userId: r.user_id,
  requestHash: r.request_hash,
  width: r.width,
  height: r.height,
  bytes: r.bytes,
  etag: r.etag,
  params: r.params,
  warnings: r.warnings,
  createdAt: r.created_at,
  deletedAt: r.deleted_at,
})

class PgImages implements ImageStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly usage: PgUsage,
  ) {}

  async commit(req: CommitRequest): Promise<CommitResult> {
    return transaction(this.pool, async (client) => {
      // One user's commits take turns (other users' do not wait): a twin committed by another
      // node before this lock was granted is visible to the statements after it.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`vellum:commit:${req.userId}`])
      if (req.dedupeSince !== undefined && req.images.length === 1) {
        const twin = await this.findRecent(req.userId, req.images[0]!.record.requestHash, req.dedupeSince, client)
        if (twin) return { status: 'exists', image: twin } as const
      }
      for (const { record } of req.images) {
        const same = await this.find(record.id, client)
        if (same) return { status: 'exists', image: same } as const
      }
      const charge = await this.usage.chargeIn(client, req.userId, req.images.length, req.limit, req.now)
      if (!charge.ok) return { status: 'over-limit', used: charge.used } as const
      for (const { record: r, png } of req.images) {
        await client.query(
          'INSERT INTO images (id, user_id, request_hash, width, height, bytes, etag, params, warnings, created_at) ' +
            'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
          [r.id, r.userId, r.requestHash, r.width, r.height, r.bytes, r.etag, r.params, r.warnings, r.createdAt],
        )
        await client.query('INSERT INTO image_blobs (image_id, png) VALUES ($1, $2)', [r.id, Buffer.from(png.buffer, png.byteOffset, png.byteLength)])
      }
      return { status: 'stored', used: charge.used } as const
    })
  }

  async find(id: string, db: Queryable = this.pool): Promise<ImageRecord | undefined> {
    const { rows } = await db.query<RawImage>('SELECT * FROM images WHERE id = $1', [id])
    return rows[0] ? toImage(rows[0]) : undefined
  }

  async png(id: string): Promise<Buffer | undefined> {
    const { rows } = await this.pool.query<{ png: Buffer }>('SELECT png FROM image_blobs WHERE image_id = $1', [id])
    return rows[0]?.png
  }

  async findRecent(userId: string, requestHash: string, since: number, db: Queryable = this.pool): Promise<ImageRecord | undefined> {
    const { rows } = await db.query<RawImage>(
      'SELECT * FROM images WHERE user_id = $1 AND request_hash = $2 AND deleted_at IS NULL AND created_at >= $3 ORDER BY created_at DESC LIMIT 1',
      [userId, requestHash, since],
    )
    return rows[0] ? toImage(rows[0]) : undefined
  }

  async page(userId: string, count: number, after?: { createdAt: number; id: string }): Promise<ImageRecord[]> {
    const { rows } = after
      ? await this.pool.query<RawImage>(
          'SELECT * FROM images WHERE user_id = $1 AND deleted_at IS NULL AND (created_at < $2 OR (created_at = $2 AND id < $3)) ' +
            'ORDER BY created_at DESC, id DESC LIMIT $4',
          [userId, after.createdAt, after.id, count],
        )
      : await this.pool.query<RawImage>('SELECT * FROM images WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $2', [
          userId,
          count,
        ])
    return rows.map(toImage)
  }

  async delete(id: string, userId: string, now: number): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      const r = await client.query('UPDATE images SET deleted_at = $1 WHERE id = $2 AND user_id = $3 AND deleted_at IS NULL', [now, id, userId])
      if ((r.rowCount ?? 0) === 0) return false
      await client.query('DELETE FROM image_blobs WHERE image_id = $1', [id])
      return true
    })
  }
}

interface RawTemplate {
  id: string
  version: number
  user_id: string
  html: string
  css: string | null
  name: string | null
  description: string | null
  options: string
  created_at: number
}

const toTemplate = (r: RawTemplate): TemplateRecord => ({
  id: r.id,
  version: r.version,
  userId: r.user_id,
  html: r.html,
  css: r.css,
  name: r.name,
  description: r.description,
  options: r.options,
  createdAt: r.created_at,
})

const COLUMNS = 'id, version, user_id, html, css, name, description, options, created_at'

class PgTemplates implements TemplateStore {
  constructor(private readonly pool: pg.Pool) {}

  async insert(t: TemplateRecord): Promise<void> {
    await this.pool.query(`INSERT INTO templates (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
      t.id,
      t.version,
      t.userId,
      t.html,
      t.css,
      t.name,
      t.description,
      t.options,
      t.createdAt,
    ])
  }

  async head(id: string, version?: number): Promise<TemplateHead | undefined> {
    const { rows } =
      version === undefined
        ? await this.pool.query<TemplateHead>(
            'SELECT id, version, user_id AS "userId" FROM templates WHERE id = $1 AND deleted_at IS NULL ORDER BY version DESC LIMIT 1',
            [id],
          )
        : await this.pool.query<TemplateHead>('SELECT id, version, user_id AS "userId" FROM templates WHERE id = $1 AND version = $2 AND deleted_at IS NULL', [
            id,
            version,
          ])
    return rows[0]
  }

  async latest(id: string): Promise<TemplateRecord | undefined> {
    const { rows } = await this.pool.query<RawTemplate>(`SELECT ${COLUMNS} FROM templates WHERE id = $1 AND deleted_at IS NULL ORDER BY version DESC LIMIT 1`, [id])
    return rows[0] ? toTemplate(rows[0]) : undefined
  }

  async version(id: string, version: number): Promise<TemplateRecord | undefined> {
    const { rows } = await this.pool.query<RawTemplate>(`SELECT ${COLUMNS} FROM templates WHERE id = $1 AND version = $2 AND deleted_at IS NULL`, [id, version])
    return rows[0] ? toTemplate(rows[0]) : undefined
  }

  async versions(id: string, limit: number, maxVersion = Number.MAX_SAFE_INTEGER): Promise<TemplateRecord[]> {
    const { rows } = await this.pool.query<RawTemplate>(
      `SELECT ${COLUMNS} FROM templates WHERE id = $1 AND deleted_at IS NULL AND version < $2 ORDER BY version DESC LIMIT $3`,
      [id, maxVersion, limit],
    )
    return rows.map(toTemplate)
  }

  async listLatest(userId: string, limit: number, maxVersion = Number.MAX_SAFE_INTEGER): Promise<TemplateRecord[]> {
    const { rows } = await this.pool.query<RawTemplate>(
      `SELECT ${COLUMNS} FROM templates t WHERE t.user_id = $1 AND t.deleted_at IS NULL AND t.version < $2 ` +
        'AND t.version = (SELECT MAX(v.version) FROM templates v WHERE v.id = t.id) ORDER BY t.version DESC LIMIT $3',
      [userId, maxVersion, limit],
    )
    return rows.map(toTemplate)
  }

  async delete(id: string, userId: string, now: number): Promise<boolean> {
    const r = await this.pool.query('UPDATE templates SET deleted_at = $1 WHERE id = $2 AND user_id = $3 AND deleted_at IS NULL', [now, id, userId])
    return (r.rowCount ?? 0) > 0
  }
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'the DATABASE_URL'
  }
}

/** Connects, migrates (see migrations.ts) and returns the store; the pool holds at most `poolMax` connections. */
export async function openPostgresStore(options: { url: string; poolMax: number }): Promise<Store> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolMax, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000, types })
  // An idle connection the server drops (restart, failover) must not crash the process: the
  // pool discards it and the next query opens a new one.
  pool.on('error', () => undefined)
  try {
    await migrate(pool)
  } catch (err) {
    await pool.end()
    throw err
  }
  const usage = new PgUsage(pool)
  let closed = false
  return {
    kind: 'postgres',
    location: redactUrl(options.url),
    users: new PgUsers(pool),
    usage,
    images: new PgImages(pool, usage),
    templates: new PgTemplates(pool),
    async ping() {
      await pool.query('SELECT 1')
    },
    async close() {
      if (closed) return
      closed = true
      await pool.end()
    },
  }
}
