/**
 * The storage port: everything the services keep (users and keys, usage counters, image records
 * and bytes, templates), as one Promise-returning interface per aggregate. Adapters: SQLite under
 * DATA_DIR (src/store/sqlite, the embedded default) and PostgreSQL (src/store/postgres, for more
 * than one node). Every adapter passes the same contract suite (test/store/contract.ts).
 *
 * What an adapter must guarantee, whatever number of processes share it:
 * - `usage.charge` and `images.commit` never let a month pass the limit, however many run at once;
 * - `images.commit` with `dedupeSince`, or with an id that already exists, stores and charges
 *   nothing and returns the record that is there (one request, one image, one charge);
 * - a deleted image stays deleted (its id is never reused, its bytes are gone).
 */

export interface UserRow {
  id: string
  monthlyLimit: number
  revokedAt: number | null
  createdAt: number
}

export interface UserCredentials extends UserRow {
  salt: Buffer
  digest: Buffer
  /** The API key sealed by the key vault; null for users created before keys were kept. */
  sealed: Buffer | null
}

export interface NewUser {
  id: string
  salt: Buffer
  digest: Buffer
  sealed: Buffer | null
  monthlyLimit: number
  now: number
}

export interface UserStore {
  find(id: string): Promise<UserCredentials | undefined>
  /** Rejects when the id is taken. */
  create(user: NewUser): Promise<void>
  /** Replaces the key: the old one stops matching the digest and is no longer kept sealed. */
  setKey(id: string, key: { salt: Buffer; digest: Buffer; sealed: Buffer }): Promise<boolean>
  /** Every user; `canSign` is false for keys issued before keys were kept (rotate-key fixes it). */
  list(): Promise<Array<UserRow & { canSign: boolean }>>
  setLimit(id: string, limit: number): Promise<boolean>
  /** False when there is no such user or it was already revoked. */
  revoke(id: string, now: number): Promise<boolean>
  /** The value the key vault sealed when this store first met a secret (see key-vault.ts). */
  vaultCheck(): Promise<Buffer | undefined>
  /** Keeps the first value ever set; later calls change nothing. */
  setVaultCheck(sealed: Buffer): Promise<void>
}

export type Period = 'hour' | 'day' | 'month'

export interface ChargeResult {
  ok: boolean
  used: number
  limit: number
}

export interface UsageStore {
  usedThisMonth(userId: string, now: number): Promise<number>
  /** Adds `n` renders if the month stays within `limit`, atomically; counts hour and day too. */
  charge(userId: string, n: number, limit: number, now: number): Promise<ChargeResult>
  /** The latest `max` counts of one period, oldest first. */
  history(userId: string, period: Period, max: number): Promise<Array<{ start: string; count: number }>>
}

export interface ImageRecord {
  id: string
  userId: string
  requestHash: string
  width: number
  height: number
  bytes: number
  etag: string
  params: string
  /** JSON array of what the renderer dropped or clamped. */
  warnings: string
  createdAt: number
  deletedAt: number | null
  /**
   * Where the bytes live in object storage (STORAGE_URL), or null when the database holds them
   * (the default, and every image stored before a bucket was configured).
   */
  objectKey: string | null
}

export interface NewImage {
  record: Omit<ImageRecord, 'deletedAt' | 'objectKey'>
  /** The PNG, kept in the database. */
  png?: Uint8Array
  /** Instead of `png`: the object the bytes were put under beforehand (src/store/objects). */
  objectKey?: string
}

export interface CommitRequest {
  userId: string
  limit: number
  now: number
  /** Stored together and charged together (one credit each), or none of them. */
  images: NewImage[]
  /**
   * Dedupe window (one image only): a live image of this user with the same requestHash created
   * at or after this time is returned instead, and nothing is charged.
   */
  dedupeSince?: number
}

export type CommitResult =
  | { status: 'stored'; used: number }
  | { status: 'over-limit'; used: number }
  /** A twin (dedupe window or same id, deleted or not) was already stored: nothing was charged. */
  | { status: 'exists'; image: ImageRecord }

export interface ImageStore {
  /** Charges for the images and stores them in one atomic step (see CommitRequest). */
  commit(req: CommitRequest): Promise<CommitResult>
  find(id: string): Promise<ImageRecord | undefined>
  /** The stored PNG; undefined for unknown or deleted ids. */
  png(id: string): Promise<Buffer | undefined>
  /** The newest live image of this user with the same request, created at or after `since`. */
  findRecent(userId: string, requestHash: string, since: number): Promise<ImageRecord | undefined>
  /** The user's live images, newest first, after the (createdAt, id) cursor. */
  page(userId: string, count: number, after?: { createdAt: number; id: string }): Promise<ImageRecord[]>
  /** Marks the image deleted (later GETs answer 410) and frees its bytes. False if not this user's live image. */
  delete(id: string, userId: string, now: number): Promise<boolean>
}

export interface TemplateRecord {
  id: string
  version: number
  userId: string
  html: string
  css: string | null
  name: string | null
  description: string | null
  /** JSON object of the render options the template was saved with (create-image names). */
  options: string
  createdAt: number
}

/** Which version a name points at and whose it is, without the markup. */
export type TemplateHead = Pick<TemplateRecord, 'id' | 'version' | 'userId'>

export interface TemplateStore {
  insert(t: TemplateRecord): Promise<void>
  /** The latest (or the given) version's head: read on every signed GET, so it leaves the markup alone. */
  head(id: string, version?: number): Promise<TemplateHead | undefined>
  latest(id: string): Promise<TemplateRecord | undefined>
  version(id: string, version: number): Promise<TemplateRecord | undefined>
  /** Versions of one template below `maxVersion` (exclusive), newest first. */
  versions(id: string, limit: number, maxVersion?: number): Promise<TemplateRecord[]>
  /** The latest version of each template of the user whose latest version is below `maxVersion`. */
  listLatest(userId: string, limit: number, maxVersion?: number): Promise<TemplateRecord[]>
  /** Marks every version deleted; false when the user has no such template. */
  delete(id: string, userId: string, now: number): Promise<boolean>
}

export interface Store {
  /** 'sqlite' or 'postgres', for logs and errors. */
  readonly kind: string
  /** Where the data lives, for messages (a file path, or the database URL without its password). */
  readonly location: string
  users: UserStore
  usage: UsageStore
  images: ImageStore
  templates: TemplateStore
  /**
   * A number that changes whenever what a cached answer was checked against may have changed:
   * any commit by another process, and this process's writes to users, templates and image
   * deletions (not new images or usage, which change nothing already answered). Read cheaply and
   * synchronously; absent when an adapter cannot tell that cheaply (a store shared by nodes).
   */
  changeStamp?(): number
  /** A cheap round trip, for readiness. */
  ping(): Promise<void>
  /**
   * Starts what the adapter runs beside the event loop (SQLite's commit thread, when opened with
   * `deferThread`); until then the same work runs inline. The server calls it once the first
   * renders are through.
   */
  warmUp?(): void
  close(): Promise<void>
}

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
