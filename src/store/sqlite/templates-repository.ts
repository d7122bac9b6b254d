/**
 * Templates and their versions: one row per version, never updated (a new version is a new
 * row), deleted all at once. Versions are epoch milliseconds, as the hosted API's.
 */
import type { Db } from './database.js'
import type { TemplateHead, TemplateRecord, TemplateStore } from '../port.js'
import { toTemplate, type RawTemplate } from '../rows.js'

export class TemplatesRepository implements TemplateStore {
  readonly #insert
  readonly #head
  readonly #headOf
  readonly #latest
  readonly #version
  readonly #versions
  readonly #listLatest
  readonly #delete

  constructor(db: Db) {
    this.#insert = db.prepare(
      'INSERT INTO templates (id, version, user_id, html, css, name, description, options, created_at) ' +
        'VALUES (@id, @version, @userId, @html, @css, @name, @description, @options, @createdAt)',
    )
    this.#head = db.prepare<[string], { id: string; version: number; userId: string }>(
      'SELECT id, version, user_id AS userId FROM templates WHERE id = ? AND deleted_at IS NULL ORDER BY version DESC LIMIT 1',
    )
    this.#headOf = db.prepare<[string, number], { id: string; version: number; userId: string }>(
      'SELECT id, version, user_id AS userId FROM templates WHERE id = ? AND version = ? AND deleted_at IS NULL',
    )
    this.#latest = db.prepare<[string], RawTemplate>(
      'SELECT * FROM templates WHERE id = ? AND deleted_at IS NULL ORDER BY version DESC LIMIT 1',
    )
    this.#version = db.prepare<[string, number], RawTemplate>(
      'SELECT * FROM templates WHERE id = ? AND version = ? AND deleted_at IS NULL',
    )
    this.#versions = db.prepare<[string, number, number], RawTemplate>(
      'SELECT * FROM templates WHERE id = ? AND deleted_at IS NULL AND version < ? ORDER BY version DESC LIMIT ?',
    )
    // The latest version of each of the user's templates, newest first, below the cursor.
    this.#listLatest = db.prepare<[string, number, number], RawTemplate>(
      'SELECT t.* FROM templates t WHERE t.user_id = ? AND t.deleted_at IS NULL AND t.version < ? ' +
        'AND t.version = (SELECT MAX(v.version) FROM templates v WHERE v.id = t.id) ORDER BY t.version DESC LIMIT ?',
    )
    this.#delete = db.prepare('UPDATE templates SET deleted_at = ? WHERE id = ? AND user_id = ? AND deleted_at IS NULL')
  }

  async insert(t: TemplateRecord): Promise<void> {
    this.#insert.run(t)
  }

  /** The latest (or the given) version's head: read on every signed GET, so it leaves the markup alone. */
  async head(id: string, version?: number): Promise<TemplateHead | undefined> {
    return version === undefined ? this.#head.get(id) : this.#headOf.get(id, version)
  }

  async latest(id: string): Promise<TemplateRecord | undefined> {
    const row = this.#latest.get(id)
    return row ? toTemplate(row) : undefined
  }

  async version(id: string, version: number): Promise<TemplateRecord | undefined> {
    const row = this.#version.get(id, version)
    return row ? toTemplate(row) : undefined
  }

  /** Versions of one template below `maxVersion` (exclusive), newest first. */
  async versions(id: string, limit: number, maxVersion = Number.MAX_SAFE_INTEGER): Promise<TemplateRecord[]> {
    return this.#versions.all(id, maxVersion, limit).map(toTemplate)
  }

  /** The latest version of each template of the user whose latest version is below `maxVersion`. */
  async listLatest(userId: string, limit: number, maxVersion = Number.MAX_SAFE_INTEGER): Promise<TemplateRecord[]> {
    return this.#listLatest.all(userId, maxVersion, limit).map(toTemplate)
  }

  /** Marks every version deleted; false when the user has no such template. */
  async delete(id: string, userId: string, now: number): Promise<boolean> {
    return this.#delete.run(now, id, userId).changes > 0
  }
}
