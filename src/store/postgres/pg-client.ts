/** What the PostgreSQL repositories share: the pool's type parsers and a transaction helper. */
import pg from 'pg'

export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>

const INT8 = 20
/** BIGINT columns hold epoch milliseconds and counts, all far below 2^53: read them as numbers. */
export const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
}

export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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
