/** Templates and their versions in PostgreSQL: one row per version, deleted all at once. */
import type pg from 'pg'
import type { TemplateHead, TemplateRecord, TemplateStore } from '../port.js'
import { toTemplate, type RawTemplate } from '../rows.js'

const COLUMNS = 'id, version, user_id, html, css, name, description, options, created_at'

export class PgTemplates implements TemplateStore {
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
