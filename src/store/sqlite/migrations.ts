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
  `
  -- The API key itself, sealed with the server secret (AES-256-GCM, see src/auth/key-vault.ts):
  -- signed URLs need the clear key for their HMAC. NULL for users created before this step,
  -- whose keys were never kept: they sign nothing until \`vellum users rotate-key\`.
  ALTER TABLE users ADD COLUMN key_sealed BLOB;

  -- One value sealed with the server secret, so a boot with a different secret is refused at
  -- once instead of failing every signed URL later.
  CREATE TABLE vault_check (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    sealed BLOB NOT NULL
  );

  -- Templates: every version is a row; version = creation time in epoch ms (unique per id).
  CREATE TABLE templates (
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    html        TEXT NOT NULL,
    css         TEXT,
    name        TEXT,
    description TEXT,
    options     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    deleted_at  INTEGER,
    PRIMARY KEY (id, version)
  ) WITHOUT ROWID;
  CREATE INDEX templates_user ON templates (user_id, version);
  `,
  `
  -- Where an image's bytes live in object storage (STORAGE_URL); NULL when image_blobs holds them.
  ALTER TABLE images ADD COLUMN object_key TEXT;
  `,
]
