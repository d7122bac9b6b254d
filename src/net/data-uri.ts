/**
 * `data:` URLs decoded the way browsers decode them (the fetch standard's "data: URL
 * processor"): the body is percent-decoded to bytes, where a `%` not followed by two hex digits
 * is kept as it is rather than being an error, then, with `;base64`, decoded by the
 * forgiving-base64 rules. A body those rules refuse is a broken image, as in a browser.
 * Nothing here throws: `decodeURIComponent` threw URIError on `%E0%A4%A` and on every
 * percent-encoded byte that is not UTF-8, such as the `%89` that starts a PNG.
 */

export interface DataUri {
  /** The media type without parameters, lower-cased (`image/svg+xml`). */
  mime: string
  base64: boolean
  /** The body as written, still percent-encoded. */
  body: string
}

/** Splits a `data:` URL into its parts; null when it is not one (no scheme or no comma). */
export function splitDataUri(uri: string): DataUri | null {
  if (!/^data:/i.test(uri)) return null
  const comma = uri.indexOf(',')
  if (comma < 0) return null
  let meta = uri.slice(5, comma).trim()
  const base64 = /;\s*base64$/i.test(meta)
  if (base64) meta = meta.slice(0, meta.lastIndexOf(';'))
  const mime = meta.split(';')[0]!.trim().toLowerCase()
  return { mime: mime || 'text/plain', base64, body: uri.slice(comma + 1) }
}

/** True for a base64 body that every decoder (atob, resvg, Buffer) reads the same way. */
export function isCanonicalBase64(body: string): boolean {
  return body.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(body)
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  return -1
}

/** URL percent-decoding to bytes; malformed escapes stay literal, as in the URL standard. */
function percentDecode(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8')
  if (!bytes.includes(0x25)) return bytes
  const out = Buffer.allocUnsafe(bytes.length)
  let n = 0
  for (let i = 0; i < bytes.length; i++) {
    const hi = bytes[i] === 0x25 && i + 2 < bytes.length ? hexValue(bytes[i + 1]!) : -1
    const lo = hi >= 0 ? hexValue(bytes[i + 2]!) : -1
    if (lo >= 0) {
      out[n++] = hi * 16 + lo
      i += 2
    } else {
      out[n++] = bytes[i]!
    }
  }
  return out.subarray(0, n)
}

/** The forgiving-base64 decode of the HTML standard; null where a browser fails the image. */
function forgivingBase64(text: string): Buffer | null {
  let s = text.replace(/[\t\n\f\r ]+/g, '')
  if (s.length % 4 === 0) s = s.replace(/={1,2}$/, '')
  if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) return null
  return Buffer.from(s, 'base64')
}

/** The bytes a browser reads from this `data:` URL, or null when it is malformed. */
export function decodeDataUri(data: DataUri): Buffer | null {
  const bytes = percentDecode(data.body)
  return data.base64 ? forgivingBase64(bytes.toString('latin1')) : bytes
}
