/**
 * Render counts per user. The month row is the quota: `charge` checks and increments it in one
 * synchronous transaction, so no number of concurrent requests can push a user past the limit.
 */
import type { Db } from './database.js'

export type Period = 'hour' | 'day' | 'month'

/** UTC start of the hour, day and month containing `now`, as ISO strings (the keys GET /v1/usage returns). */
export function periodStarts(now: number): Record<Period, string> {
  const d = new Date(now)
  const y = d.getUTCFullYear()
  const m = d.getUTCMonth()
  return {
    hour: new Date(Date.UTC(y, m, d.getUTCDate(), d.getUTCHours())).toISOString().replace('.000Z', 'Z'),
    day: new Date(Date.UTC(y, m, d.getUTCDate())).toISOString().replace('.000Z', 'Z'),
    month: new Date(Date.UTC(y, m, 1)).toISOString().replace('.000Z', 'Z'),
  }
}

export interface ChargeResult {
  ok: boolean
  used: number
  limit: number
}

export class UsageRepository {
  readonly #ensure
  readonly #chargeMonth
  readonly #add
  readonly #get
  readonly #history

  constructor(db: Db) {
    this.#ensure = db.prepare('INSERT OR IGNORE INTO usage (user_id, period, start, count) VALUES (?, ?, ?, 0)')
    this.#chargeMonth = db.prepare(
      "UPDATE usage SET count = count + ? WHERE user_id = ? AND period = 'month' AND start = ? AND count + ? <= ?",
    )
    this.#add = db.prepare(
      'INSERT INTO usage (user_id, period, start, count) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (user_id, period, start) DO UPDATE SET count = count + excluded.count',
    )
    this.#get = db.prepare<[string, string, string], { count: number }>(
      'SELECT count FROM usage WHERE user_id = ? AND period = ? AND start = ?',
    )
    this.#history = db.prepare<[string, string, number], { start: string; count: number }>(
      'SELECT start, count FROM usage WHERE user_id = ? AND period = ? ORDER BY start DESC LIMIT ?',
    )
  }

  usedThisMonth(userId: string, now: number): number {
    return this.#get.get(userId, 'month', periodStarts(now).month)?.count ?? 0
  }

  /**
   * Adds `n` renders if the month stays within `limit`. Must run inside the caller's
   * transaction when the charge has to commit together with other rows (an image).
   */
  charge(userId: string, n: number, limit: number, now: number): ChargeResult {
    const starts = periodStarts(now)
    this.#ensure.run(userId, 'month', starts.month)
    const changed = this.#chargeMonth.run(n, userId, starts.month, n, limit).changes > 0
    if (changed) {
      this.#add.run(userId, 'hour', starts.hour, n)
      this.#add.run(userId, 'day', starts.day, n)
    }
    return { ok: changed, used: this.usedThisMonth(userId, now), limit }
  }

  history(userId: string, period: Period, max: number): Array<{ start: string; count: number }> {
    return this.#history.all(userId, period, max).reverse()
  }
}
