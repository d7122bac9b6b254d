/**
 * Family names that pages ask for but Vellum does not ship, mapped to the bundled family that
 * stands in for them (the way a Linux browser maps Arial to a metric-alike sans). Rewriting
 * the names in the CSS is cheaper than registering the same font buffers under more names:
 * each extra alias set costs satori ~20 ms to parse on a cold worker. The fidelity reference
 * script gives Chromium the same mapping through @font-face, so both draw the same glyphs.
 */
export const BUNDLED_SANS = 'Roboto'
export const BUNDLED_SERIF = 'Noto Serif'
export const BUNDLED_MONO = 'Roboto Mono'

export const FAMILY_ALIASES: Readonly<Record<string, string>> = {
  // sans-serif stand-ins
  arial: BUNDLED_SANS,
  helvetica: BUNDLED_SANS,
  'helvetica neue': BUNDLED_SANS,
  verdana: BUNDLED_SANS,
  tahoma: BUNDLED_SANS,
  'trebuchet ms': BUNDLED_SANS,
  'segoe ui': BUNDLED_SANS,
  'open sans': BUNDLED_SANS,
  inter: BUNDLED_SANS,
  'system-ui': BUNDLED_SANS,
  '-apple-system': BUNDLED_SANS,
  blinkmacsystemfont: BUNDLED_SANS,
  'ui-sans-serif': BUNDLED_SANS,
  // Safari's rounded system face (SF Pro Rounded) is a sans; named explicitly so the fidelity
  // reference tool gives Chromium the same stand-in.
  'ui-rounded': BUNDLED_SANS,
  'liberation sans': BUNDLED_SANS,
  'dejavu sans': BUNDLED_SANS,
  'noto sans': BUNDLED_SANS,
  ubuntu: BUNDLED_SANS,
  cantarell: BUNDLED_SANS,
  // serif stand-ins
  georgia: BUNDLED_SERIF,
  'times new roman': BUNDLED_SERIF,
  times: BUNDLED_SERIF,
  'ui-serif': BUNDLED_SERIF,
  cambria: BUNDLED_SERIF,
  garamond: BUNDLED_SERIF,
  'liberation serif': BUNDLED_SERIF,
  'dejavu serif': BUNDLED_SERIF,
  // monospace stand-ins
  'courier new': BUNDLED_MONO,
  courier: BUNDLED_MONO,
  menlo: BUNDLED_MONO,
  monaco: BUNDLED_MONO,
  consolas: BUNDLED_MONO,
  'sf mono': BUNDLED_MONO,
  'ui-monospace': BUNDLED_MONO,
  sfmono: BUNDLED_MONO,
  'sfmono-regular': BUNDLED_MONO,
  'liberation mono': BUNDLED_MONO,
  'dejavu sans mono': BUNDLED_MONO,
  'source code pro': BUNDLED_MONO,
  'fira code': BUNDLED_MONO,
  'fira mono': BUNDLED_MONO,
}

/** The CSS generic families and the bundled family each one means here. */
export const GENERIC_FAMILIES: Readonly<Record<string, string>> = {
  'sans-serif': BUNDLED_SANS,
  serif: BUNDLED_SERIF,
  monospace: BUNDLED_MONO,
  cursive: BUNDLED_SERIF,
  fantasy: BUNDLED_SERIF,
}

/**
 * Rewrites one `font-family` value: every name that has a stand-in (and that the page did not
 * load itself, see `loaded`) becomes the bundled family, generics become their bundled family
 * too. A family the page loaded with several `unicode-range`s becomes the names of its ranges
 * (`slots`, page-faces.ts). Duplicates are kept out so the list stays short.
 */
export function rewriteFontFamily(value: string, loaded: ReadonlySet<string> = new Set(), slots?: ReadonlyMap<string, readonly string[]>): string {
  const out: string[] = []
  for (const raw of splitFamilies(value)) {
    const bare = raw.replace(/^['"]|['"]$/g, '').trim()
    const key = bare.toLowerCase()
    if (!bare) continue
    if (/^(inherit|initial|unset|revert|revert-layer)$/.test(key)) return value
    const mapped = loaded.has(key) ? bare : (FAMILY_ALIASES[key] ?? GENERIC_FAMILIES[key] ?? bare)
    for (const name of slots?.get(key) ?? [mapped]) {
      const quoted = /^[\w-]+$/.test(name) ? name : `"${name.replace(/"/g, '')}"`
      if (!out.includes(quoted)) out.push(quoted)
    }
  }
  return out.length ? out.join(', ') : value
}

function splitFamilies(value: string): string[] {
  const parts: string[] = []
  let current = ''
  let quote: string | null = null
  for (const ch of value) {
    if (quote) {
      current += ch
      if (ch === quote) quote = null
    } else if (ch === '"' || ch === "'") {
      quote = ch
      current += ch
    } else if (ch === ',') {
      parts.push(current.trim())
      current = ''
    } else current += ch
  }
  if (current.trim()) parts.push(current.trim())
  return parts
}
