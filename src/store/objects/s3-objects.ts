/**
 * The object store on any S3-protocol service (AWS S3, MinIO, R2, Ceph…) through the official
 * SDK. `STORAGE_URL=s3://bucket/prefix`; STORAGE_ENDPOINT for anything that is not AWS itself
 * (path-style addressing then, as MinIO and most self-hosted servers expect); credentials from
 * STORAGE_ACCESS_KEY_ID/STORAGE_SECRET_ACCESS_KEY or, when unset, the SDK's own chain
 * (AWS_ACCESS_KEY_ID, instance roles…). Every call has a deadline (STORAGE_TIMEOUT_MS).
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3'
import type { ObjectStore, StoredObject } from './object-store.js'

export interface S3Options {
  /** `s3://bucket/prefix`, already validated by the config schema. */
  url: string
  endpoint?: string
  region: string
  accessKeyId?: string
  secretAccessKey?: string
  forcePathStyle: boolean
  timeoutMs: number
}

/** `s3://bucket/some/prefix` → bucket and a prefix that is empty or ends with `/`. */
export function parseStorageUrl(url: string): { bucket: string; prefix: string } {
  const u = new URL(url)
  const prefix = decodeURIComponent(u.pathname).replace(/^\/+/, '').replace(/\/*$/, '')
  return { bucket: u.hostname, prefix: prefix ? `${prefix}/` : '' }
}

const notFound = (err: unknown): boolean =>
  err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound' || err.$metadata.httpStatusCode === 404)

export class S3Objects implements ObjectStore {
  readonly location: string
  readonly #client: S3Client
  readonly #bucket: string
  readonly #prefix: string

  constructor(options: S3Options) {
    const { bucket, prefix } = parseStorageUrl(options.url)
    this.location = `s3://${bucket}/${prefix}`
    this.#bucket = bucket
    this.#prefix = prefix
    this.#client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials:
        options.accessKeyId && options.secretAccessKey ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } : undefined,
      maxAttempts: 3,
      requestHandler: { connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs },
    })
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: this.#prefix + key,
        Body: bytes,
        ContentType: 'image/png',
        // The key names one render forever (a new render gets a new key), so a CDN in front of
        // the bucket may keep it as long as it likes.
        CacheControl: 'public, max-age=31536000, immutable',
      }),
    )
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }))
      if (!out.Body) return undefined
      return Buffer.from(await out.Body.transformToByteArray())
    } catch (err) {
      if (notFound(err)) return undefined
      throw err
    }
  }

  async delete(keys: string[]): Promise<void> {
    // DeleteObjects takes at most 1000 keys a call.
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000)
      const out = await this.#client.send(
        new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: batch.map((k) => ({ Key: this.#prefix + k })), Quiet: true } }),
      )
      const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey')
      if (failed.length) throw new Error(`object storage refused to delete ${failed.length} object(s): ${failed[0]!.Code} ${failed[0]!.Message ?? ''}`)
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let token: string | undefined
    do {
      const out = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix + prefix, ContinuationToken: token }),
      )
      for (const o of out.Contents ?? []) {
        if (o.Key) yield { key: o.Key.slice(this.#prefix.length), lastModified: o.LastModified?.getTime() ?? 0 }
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined
    } while (token)
  }

  async ping(): Promise<void> {
    await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }))
  }

  close(): void {
    this.#client.destroy()
  }
}
