/**
 * Signed-URL tokens (§5 of the reference): HMAC-SHA256 keyed with the API key, over the query
 * string exactly as it stands in the URL after `?`, as 64 lower-case hex characters. Clients
 * encode and order queries differently (URLSearchParams, Go's QueryEscape, .NET's RFC 3986
 * upper-case escapes), so the raw bytes are signed, never a re-serialisation. Tokens from the
 * Ruby client 0.1 were computed over the URL-decoded query; those URLs are still accepted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export const TOKEN = /^[0-9a-f]{64}$/

export function sign(key: string, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('hex')
}

/** The query as the legacy clients signed it: `+` as space, percent-escapes decoded. */
export function legacyMessage(rawQuery: string): string | undefined {
  try {
    return decodeURIComponent(rawQuery.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

/** Constant-time: the comparison takes as long whichever byte differs. */
function equalHex(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

/** True when `token` signs the raw query (or, for legacy clients, its decoded form) with `key`. */
export function verify(key: string, rawQuery: string, token: string): boolean {
  if (!TOKEN.test(token)) return false
  const raw = equalHex(sign(key, rawQuery), token)
  const decoded = legacyMessage(rawQuery)
  // Both are computed whatever the first answer, so timing does not tell which form matched.
  const legacy = decoded !== undefined && equalHex(sign(key, decoded), token)
  return raw || legacy
}

/** The raw query string of a request line (`/path?a=1` → `a=1`), without re-encoding. */
export function rawQueryOf(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return ''
  const hash = url.indexOf('#', q)
  return hash < 0 ? url.slice(q + 1) : url.slice(q + 1, hash)
}

/** The query's pairs in order, decoded as forms are (`+` is a space); repeated names kept. */
export function queryPairs(rawQuery: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  if (rawQuery === '') return pairs
  for (const part of rawQuery.split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const name = eq < 0 ? part : part.slice(0, eq)
    const value = eq < 0 ? '' : part.slice(eq + 1)
    pairs.push([decodeForm(name), decodeForm(value)])
  }
  return pairs
}

function decodeForm(s: string): string {
  const spaced = s.replace(/\+/g, ' ')
  try {
    return decodeURIComponent(spaced)
  } catch {
    return spaced
  }
}
