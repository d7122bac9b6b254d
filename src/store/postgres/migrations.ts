/**
 * PostgreSQL schema steps, recorded in `vellum_migrations`. Never edit a step that has shipped:
 * append a new one. The same tables as the SQLite schema (src/store/sqlite/migrations.ts) at its
 * latest step; epoch milliseconds are BIGINT, bytes BYTEA, and ids and period starts compare
 * bytewise (COLLATE "C") so pages and cursors order exactly as in SQLite.
 */
import type pg from 'pg'

export const migrations: string[] = [
  `
  CREATE TABLE users (
    id            TEXT COLLATE "C" PRIMARY KEY,
    key_salt      BYTEA NOT NULL,
    key_hash      BYTEA NOT NULL,
    key_sealed    BYTEA,
    monthly_limit BIGINT NOT NULL,
    revoked_at    BIGINT,
    created_at    BIGINT NOT NULL
  );

  CREATE TABLE vault_check (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    sealed BYTEA NOT NULL
  );

  -- Render counts per user and interval ('hour' | 'day' | 'month'), keyed by the interval's
  -- UTC start. The month row is the quota; hour and day feed GET /v1/usage.
  CREATE TABLE usage (
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    period  TEXT NOT NULL,
    start   TEXT COLLATE "C" NOT NULL,
    count   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, period, start)
  );

  CREATE TABLE images (
    id           TEXT COLLATE "C" PRIMARY KEY,
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    request_hash TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    bytes        INTEGER NOT NULL,
    etag         TEXT NOT NULL,
    params       TEXT NOT NULL,
    warnings     TEXT NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL,
    deleted_at   BIGINT
  );
  CREATE INDEX images_dedupe ON images (user_id, request_hash, created_at);
  CREATE INDEX images_user ON images (user_id, created_at, id);

  -- PNG bytes apart from the metadata, so listing and dedupe never page through blobs.
  CREATE TABLE image_blobs (
    image_id TEXT COLLATE "C" PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
    png      BYTEA NOT NULL
  );

  -- Templates: every version is a row; version = creation time in epoch ms (unique per id).
  CREATE TABLE templates (
    id          TEXT COLLATE "C" NOT NULL,
    version     BIGINT NOT NULL,
    user_id     TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    html        TEXT NOT NULL,
    css         TEXT,
    name        TEXT,
    description TEXT,
    options     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    deleted_at  BIGINT,
    PRIMARY KEY (id, version)
  );
  CREATE INDEX templates_user ON templates (user_id, version);
  `,
  `
  -- Where an image's bytes live in object storage (STORAGE_URL); NULL when image_blobs holds them.
  ALTER TABLE images ADD COLUMN object_key TEXT;
  `,
]

/** Any constant: the session lock that lets one node migrate while the others wait. */
const MIGRATION_LOCK = 0x76656c6c756d // "vellum"

/**
 * Brings the schema up to date; returns the version it is at. Nodes booting together take turns
 * on a session advisory lock, so each step runs once; each step commits whole or not at all.
 */
export async function migrate(pool: pg.Pool): Promise<number> {
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    try {
      await client.query('CREATE TABLE IF NOT EXISTS vellum_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)')
      const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM vellum_migrations')
      let current = rows[0]?.v ?? 0
      if (current > migrations.length) {
        throw new Error(`the database is at schema version ${current}, newer than this Vellum knows (${migrations.length}): upgrade Vellum`)
      }
      for (; current < migrations.length; current++) {
        await client.query('BEGIN')
        try {
          await client.query(migrations[current]!)
          await client.query('INSERT INTO vellum_migrations (version, applied_at) VALUES ($1, $2)', [current + 1, Date.now()])
          await client.query('COMMIT')
        } catch (err) {
          await client.query('ROLLBACK')
          throw err
        }
      }
      return current
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
    }
  } finally {
    client.release()
  }
}
