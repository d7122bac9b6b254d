/**
 * Numbered schema steps; `PRAGMA user_version` records how many have run. Never edit a step
 * that has shipped: append a new one.
 */
export const migrations: string[] = [
  `
  CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    key_salt      BLOB NOT NULL,
    key_hash      BLOB NOT NULL,
    monthly_limit INTEGER NOT NULL,
    revoked_at    INTEGER,
    created_at    INTEGER NOT NULL
  );

  -- Render counts per user and interval ('hour' | 'day' | 'month'), keyed by the interval's
  -- UTC start. The month row is the quota; hour and day feed GET /v1/usage.
  CREATE TABLE usage (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    period  TEXT NOT NULL,
    start   TEXT NOT NULL,
    count   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, period, start)
  ) WITHOUT ROWID;

  CREATE TABLE images (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    request_hash TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    bytes        INTEGER NOT NULL,
    etag         TEXT NOT NULL,
    params       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    deleted_at   INTEGER
  );
  CREATE INDEX images_dedupe ON images (user_id, request_hash, created_at);
  CREATE INDEX images_user ON images (user_id, created_at);

  -- PNG bytes apart from the metadata, so listing and dedupe never page through blobs.
  CREATE TABLE image_blobs (
    image_id TEXT PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
    png      BLOB NOT NULL
  );
  `,
  `
  -- What the renderer dropped or clamped (JSON array of strings), so a dedupe hit can send the
  -- same x-vellum-dropped-css header as the render it repeats.
  ALTER TABLE images ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
  `,
]
