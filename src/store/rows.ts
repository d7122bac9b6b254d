/**
 * The rows of users, images and templates as both stores hold them (the SQLite and PostgreSQL
 * schemas use the same snake_case columns), and their mapping to the port's records: one place,
 * so an added column cannot reach one adapter and not the other.
 */
import type { ImageRecord, TemplateRecord, UserCredentials } from './port.js'

export interface RawUser {
  id: string
  key_salt: Buffer
  key_hash: Buffer
  monthly_limit: number
  revoked_at: number | null
  created_at: number
  key_sealed: Buffer | null
}

export const toUser = (r: RawUser): UserCredentials => ({
  id: r.id,
  monthlyLimit: r.monthly_limit,
  revokedAt: r.revoked_at,
  createdAt: r.created_at,
  salt: r.key_salt,
  digest: r.key_hash,
  sealed: r.key_sealed,
})

export interface RawImage {
  id: string
  user_id: string
  request_hash: string
  width: number
  height: number
  bytes: number
  etag: string
  params: string
  warnings: string
  created_at: number
  deleted_at: number | null
  object_key: string | null
}

export const toImage = (r: RawImage): ImageRecord => ({
  id: r.id,
  userId: r.user_id,
  requestHash: r.request_hash,
  width: r.width,
  height: r.height,
  bytes: r.bytes,
  etag: r.etag,
  params: r.params,
  warnings: r.warnings,
  createdAt: r.created_at,
  deletedAt: r.deleted_at,
  objectKey: r.object_key ?? null,
})

export interface RawTemplate {
  id: string
  version: number
  user_id: string
  html: string
  css: string | null
  name: string | null
  description: string | null
  options: string
  created_at: number
}

export const toTemplate = (r: RawTemplate): TemplateRecord => ({
  id: r.id,
  version: r.version,
  userId: r.user_id,
  html: r.html,
  css: r.css,
  name: r.name,
  description: r.description,
  options: r.options,
  createdAt: r.created_at,
})
