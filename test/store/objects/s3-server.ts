/**
 * A real S3-protocol server for tests (s3rver: the S3 REST API over files in a temporary
 * directory), on a free port of 127.0.0.1, with one empty bucket. Speaks SigV4 like AWS, so the
 * official SDK talks to it exactly as to a bucket in production.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import S3rver from 's3rver'

export interface S3Server {
  endpoint: string
  bucket: string
  /** The variables a Vellum node needs to use this bucket (with `prefix` in STORAGE_URL). */
  env(prefix?: string): Record<string, string>
  stop(): Promise<void>
}

export async function startS3(bucket = 'vellum-test'): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'vellum-s3-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] })
  const address = (await server.run()) as AddressInfo
  const endpoint = `http://127.0.0.1:${address.port}`
  return {
    endpoint,
    bucket,
    env: (prefix = '') => ({
      STORAGE_URL: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
      STORAGE_ENDPOINT: endpoint,
      // s3rver's fixed credentials.
      STORAGE_ACCESS_KEY_ID: 'S3RVER',
      STORAGE_SECRET_ACCESS_KEY: 'S3RVER',
    }),
    async stop() {
      await server.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
