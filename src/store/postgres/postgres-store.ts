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
import type { Store } from '../port.js'
import { migrate } from './migrations.js'
import { types } from './pg-client.js'
import { PgUsers } from './users-repository.js'
import { PgUsage } from './usage-repository.js'
import { PgImages } from './images-repository.js'
import { PgTemplates } from './templates-repository.js'

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
