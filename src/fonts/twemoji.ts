/**
 * Emoji as Twemoji, the way the hosted API draws them, from the SVG files of the @twemoji/svg
 * package bundled with the service (no CDN at render time). satori asks for a picture for each
 * emoji grapheme it meets (loadAdditionalAsset with code 'emoji'); @twemoji/parser names the
 * file for that grapheme (it knows the FE0F/ZWJ naming rules), and the SVG goes back as a data
 * URI. Loaded files are kept in a bounded cache per worker.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parse } from '@twemoji/parser'
import { LRUCache } from 'lru-cache'

const require = createRequire(import.meta.url)
export const TWEMOJI_DIR = dirname(require.resolve('@twemoji/svg/package.json'))

const cache = new LRUCache<string, string>({ max: 512 })

/** The Twemoji file for one grapheme, or undefined when Twemoji has no picture for it. */
export function twemojiFile(grapheme: string): string | undefined {
  const entity = parse(grapheme, { assetType: 'svg' })[0]
  const name = entity?.url.split('/').pop()
  if (!name) return undefined
  const file = join(TWEMOJI_DIR, name)
  if (existsSync(file)) return file
  // Some sequences are stored without their FE0F variation selectors.
  const bare = join(TWEMOJI_DIR, name.replace(/-fe0f/g, ''))
  return existsSync(bare) ? bare : undefined
}

/** A data URI of the Twemoji picture for `grapheme`, or '' (drawn as nothing) when there is none. */
export function twemojiDataUri(grapheme: string): string {
  const hit = cache.get(grapheme)
  if (hit !== undefined) return hit
  const file = twemojiFile(grapheme)
  const uri = file ? `data:image/svg+xml;base64,${readFileSync(file).toString('base64')}` : ''
  cache.set(grapheme, uri)
  return uri
}
