/**
 * Render counts per user in SQLite. The month row is the quota: `charge` checks and increments it
 * in one synchronous transaction, so no number of concurrent requests can push a user past the limit.
 */
import type { Db } from './database.js'
import { periodStarts, type ChargeResult, type Period, type UsageStore } from '../port.js'

export class UsageRepository implements UsageStore {
  readonly #ensure
  readonly #chargeMonth
  readonly #add
  readonly #get
  readonly #history

  readonly #db: Db

  constructor(db: Db) {
    this.#db = db
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

  async usedThisMonth(userId: string, now: number): Promise<number> {
    return this.usedSync(userId, now)
  }

  usedSync(userId: string, now: number): number {
    return this.#get.get(userId, 'month', periodStarts(now).month)?.count ?? 0
  }

  async charge(userId: string, n: number, limit: number, now: number): Promise<ChargeResult> {
    return this.#db.transaction(() => this.chargeSync(userId, n, limit, now)).immediate()
  }

  /**
   * Adds `n` renders if the month stays within `limit`. Runs inside the caller's transaction when
   * the charge has to commit together with other rows (an image).
   */
  chargeSync(userId: string, n: number, limit: number, now: number): ChargeResult {
    const starts = periodStarts(now)
    this.#ensure.run(userId, 'month', starts.month)
    const changed = this.#chargeMonth.run(n, userId, starts.month, n, limit).changes > 0
    if (changed) {
      this.#add.run(userId, 'hour', starts.hour, n)
      this.#add.run(userId, 'day', starts.day, n)
    }
    return { ok: changed, used: this.usedSync(userId, now), limit }
  }

  async history(userId: string, period: Period, max: number): Promise<Array<{ start: string; count: number }>> {
    return this.#history.all(userId, period, max).reverse()
  }
}
