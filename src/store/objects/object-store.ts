/**
 * The object-storage port: where image bytes go when STORAGE_URL names a bucket, so that many
 * nodes (and a CDN in front of the bucket) share them without the database carrying blobs.
 * One adapter today: any S3-protocol service (src/store/objects/s3-objects.ts).
 */
export interface StoredObject {
  key: string
  lastModified: number
}

export interface ObjectStore {
  /** `s3://bucket/prefix` as configured, for logs and messages. */
  readonly location: string
  put(key: string, bytes: Uint8Array): Promise<void>
  /** Undefined when there is no such object. */
  get(key: string): Promise<Buffer | undefined>
  /** Deleting a key that does not exist succeeds. */
  delete(keys: string[]): Promise<void>
  /** Every object under `prefix`, in pages (the sweep walks the bucket with it). */
  list(prefix: string): AsyncIterable<StoredObject>
  ping(): Promise<void>
  close(): void
}
