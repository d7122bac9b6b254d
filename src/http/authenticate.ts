/**
 * HTTP Basic authentication: user id as the username, API key as the password. Unknown
 * user, wrong key and revoked key get the same answer after the same work.
 */
import type { FastifyRequest } from 'fastify'
import { keyMatches } from '../auth/api-keys.js'
import type { UserRow, UserStore } from '../store/port.js'
import { AppError } from '../errors/catalogue.js'

declare module 'fastify' {
  interface FastifyRequest {
    user?: UserRow
  }
}

export function parseBasic(header: string | undefined): { id: string; key: string } | undefined {
  if (!header) return undefined
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header)
  if (!m) return undefined
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) return undefined
  return { id: decoded.slice(0, colon), key: decoded.slice(colon + 1) }
}

/**
 * The user an authenticated route runs for. The onRequest hook of the authenticated scope sets
 * it before any handler runs; a route outside that scope asking for it is a programming error,
 * answered as 401 rather than trusted.
 */
export function userOf(request: FastifyRequest): UserRow {
  if (!request.user) throw new AppError('UNAUTHORIZED')
  return request.user
}

export function authenticator(users: Pick<UserStore, 'find'>) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const creds = parseBasic(request.headers.authorization)
    const user = creds ? await users.find(creds.id) : undefined
    const ok = keyMatches(user ? { salt: user.salt, digest: user.digest } : undefined, creds?.key ?? '')
    if (!ok || !user || user.revokedAt !== null) throw new AppError('UNAUTHORIZED')
    request.user = { id: user.id, monthlyLimit: user.monthlyLimit, revokedAt: user.revokedAt, createdAt: user.createdAt }
  }
}
