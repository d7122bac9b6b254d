/**
 * The `@font-face` rules of a page's stylesheets (its `<style>` sheets and the `css` parameter),
 * read with css-tree as a browser's CSS parser reads them: the family, the weight (a value or a
 * range), the style, the `unicode-range`, and the `src` entries Vellum could load. Runs in the
 * API process, which fetches the sources before the render (font-face-loader.ts).
 *
 * Which sources: a browser walks `src` in order and takes the first it can load. Here an entry
 * is a candidate when it is a `url()` with a `data:` or absolute `http(s):` URL and its
 * `format()` hint, if any, names a container satori reads (TrueType, OpenType, WOFF, WOFF2);
 * the bytes decide in the end (magic bytes, font-face-loader.ts). `local()` names a font of the
 * machine, which a render service has none of; relative URLs have no base to resolve against.
 */
import * as csstree from 'css-tree'
import { LRUCache } from 'lru-cache'

export interface FontFaceRule {
  family: string
  /** The weight range the face covers: a single weight is [w, w]. */
  weight: [number, number]
  style: 'normal' | 'italic'
  /** The `unicode-range` text as written, or undefined for every character. */
  unicodeRange?: string
  /** Candidate URLs (data: or http(s):), in `src` order. */
  sources: string[]
  /** Why no source is a candidate (set when `sources` is empty). */
  unusable?: string
}

const READABLE_FORMATS = new Set(['truetype', 'opentype', 'woff', 'woff2', 'truetype-variations', 'opentype-variations', 'woff-variations', 'woff2-variations'])

/** Parsed sheets by their text: templated cards send the same sheet on every request. */
const SHEETS = new LRUCache<string, FontFaceRule[]>({
  maxSize: 8 * 1024 * 1024,
  sizeCalculation: (v, k) => k.length + 256 * v.length + 1,
})

/** The `@font-face` rules of the sheets, in order (top level and inside conditional rules). */
export function fontFaceRules(sheets: readonly string[]): FontFaceRule[] {
  const out: FontFaceRule[] = []
  for (const sheet of sheets) {
    // Most sheets have no @font-face at all: nothing to parse.
    if (!/@font-face/i.test(sheet)) continue
    let rules = SHEETS.get(sheet)
    if (!rules) SHEETS.set(sheet, (rules = parseSheet(sheet)))
    out.push(...rules)
  }
  return out
}

/** The http(s) URLs the rules name: fonts, which the image pre-scan must not fetch as images. */
export function faceUrls(rules: readonly FontFaceRule[]): string[] {
  return [...new Set(rules.flatMap((r) => r.sources.filter((s) => /^https?:/i.test(s))))]
}

function parseSheet(css: string): FontFaceRule[] {
  const rules: FontFaceRule[] = []
  const ast = csstree.parse(css, { parseValue: false, parseRulePrelude: false, parseCustomProperty: false, onParseError: () => {} })
  csstree.walk(ast, {
    visit: 'Atrule',
    enter(node) {
      if (node.name.toLowerCase() !== 'font-face' || !node.block) return
      const decls = new Map<string, string>()
      node.block.children.forEach((d) => {
        // The last declaration of a property wins, as in any declaration block.
        if (d.type === 'Declaration') decls.set(d.property.toLowerCase(), d.value.type === 'Raw' ? d.value.value.trim() : csstree.generate(d.value))
      })
      const rule = faceRule(decls)
      if (rule) rules.push(rule)
    },
  })
  return rules
}

function faceRule(decls: Map<string, string>): FontFaceRule | undefined {
  const family = familyName(decls.get('font-family') ?? '')
  const src = decls.get('src')
  if (!family || !src) return undefined
  const { sources, skipped } = sourcesOf(src)
  const rule: FontFaceRule = {
    family,
    weight: weightRange(decls.get('font-weight') ?? 'normal'),
    style: /^\s*(italic|oblique)\b/i.test(decls.get('font-style') ?? '') ? 'italic' : 'normal',
    sources,
  }
  const range = decls.get('unicode-range')
  if (range) rule.unicodeRange = range
  if (sources.length === 0) rule.unusable = skipped.length ? `no source Vellum can load (${skipped.join(', ')})` : 'no source'
  return rule
}

function valueNodes(text: string): csstree.CssNode[] {
  try {
    const ast = csstree.parse(text, { context: 'value' }) as csstree.Value
    return ast.children.toArray()
  } catch {
    return []
  }
}

/** `"My Font"` or `My Font` (identifiers joined by one space); undefined for a list or a generic. */
function familyName(text: string): string | undefined {
  const nodes = valueNodes(text)
  if (nodes.length === 1 && nodes[0]!.type === 'String') return nodes[0].value.trim() || undefined
  if (nodes.length === 0 || !nodes.every((n) => n.type === 'Identifier')) return undefined
  const name = nodes.map((n) => (n as csstree.Identifier).name).join(' ')
  return /^(serif|sans-serif|monospace|cursive|fantasy|system-ui|inherit|initial|unset|default)$/i.test(name) ? undefined : name
}

const KEYWORD_WEIGHTS: Record<string, number> = { normal: 400, bold: 700 }

/** `400`, `bold`, `100 900` (a variable face), `auto` → the range a face covers. */
function weightRange(text: string): [number, number] {
  const parts = text.trim().toLowerCase().split(/\s+/)
  if (parts[0] === 'auto') return [100, 900]
  const values = parts.map((p) => KEYWORD_WEIGHTS[p] ?? Number(p)).filter((n) => Number.isFinite(n) && n >= 1 && n <= 1000)
  if (values.length === 0) return [400, 400]
  const lo = Math.min(...values.slice(0, 2))
  const hi = Math.max(...values.slice(0, 2))
  return [lo, hi]
}

/** The loadable URLs of a `src` list, and what was passed over. */
function sourcesOf(text: string): { sources: string[]; skipped: string[] } {
  const sources: string[] = []
  const skipped: string[] = []
  // One entry: url(...) [format(...)] [tech(...)] | local(...), separated by commas.
  let url: string | undefined
  let format: string | undefined
  let local = false
  const flush = () => {
    if (url !== undefined) {
      if (format !== undefined && !READABLE_FORMATS.has(format)) skipped.push(`format("${format}")`)
      else if (/^data:/i.test(url) || /^https?:\/\//i.test(url)) sources.push(url)
      else skipped.push(`relative URL ${JSON.stringify(url.slice(0, 60))}`)
    } else if (local) skipped.push('local()')
    url = format = undefined
    local = false
  }
  for (const node of valueNodes(text)) {
    if (node.type === 'Operator' && node.value === ',') flush()
    else if (node.type === 'Url') url = node.value.trim()
    else if (node.type === 'Function') {
      const name = node.name.toLowerCase()
      const arg = node.children.first
      const argText = arg?.type === 'String' ? arg.value : arg?.type === 'Identifier' ? arg.name : undefined
      if (name === 'format' && argText !== undefined) format = argText.toLowerCase()
      else if (name === 'url' && argText !== undefined) url = argText.trim()
      else if (name === 'local') local = true
    }
  }
  flush()
  return { sources, skipped }
}
