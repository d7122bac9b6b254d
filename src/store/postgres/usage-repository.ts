/**
 * Render counts per user in PostgreSQL. The month row is the quota: one INSERT … ON CONFLICT DO
 * UPDATE … WHERE count + n <= limit locks the row, so concurrent charges from any number of
 * processes queue on it and each sees the count the previous one committed.
 */
import type pg from 'pg'
import { periodStarts, type ChargeResult, type Period, type UsageStore } from '../port.js'
import { transaction, type Queryable } from './pg-client.js'

export class PgUsage implements UsageStore {
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
