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
import type * as CssTree from '../css/css-tree.js'
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
const SHEETS = new LRUCache<string, FontFaceRule[] & { capped?: boolean }>({
  maxSize: 8 * 1024 * 1024,
  sizeCalculation: (v, k) => k.length + 256 * v.length + 1,
})

/**
 * The `@font-face` rules of the sheets, in order (top level and inside conditional rules), at most
 * `max` of them. This runs on the API process's event loop, so a sheet is not parsed whole
 * (css-tree took 260–450 ms on a 512 KB sheet, 2.1 s on 5,000 @font-face rules): a linear scan
 * finds the `@font-face` blocks (fontFaceBlocks) and only the first `max` are parsed, by
 * css-tree. A page with more gets `max` rules back, and the caller says the rest were dropped.
 */
export async function fontFaceRules(sheets: readonly string[], max = Infinity): Promise<FontFaceRule[]> {
  const out: FontFaceRule[] = []
  // Most pages have no @font-face: css-tree (1 MB of code) is then never loaded by the API process,
  // whose boot it lengthened for every page.
  if (!sheets.some((sheet) => /@font-face/i.test(sheet))) return out
  csstree ??= await loadCssTree()
  for (const sheet of sheets) {
    if (out.length >= max) break
    // Most sheets have no @font-face at all: nothing to read.
    if (!/@font-face/i.test(sheet)) continue
    let rules = SHEETS.get(sheet)
    if (!rules || (rules.length < max && rules.capped)) SHEETS.set(sheet, (rules = readSheet(sheet, max)))
    out.push(...rules.slice(0, max - out.length))
  }
  return out
}

const isIdentChar = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f || c >= 0x80

/**
 * The text of each `@font-face … { … }` of a sheet, at most `max`: one pass over the characters
 * that follows CSS's tokenization where it matters for finding blocks (comments, strings,
 * escapes and unquoted `url(…)` hold no rules and no braces), ~1 ms for 512 KB. The rules
 * themselves are then parsed by css-tree. (css-tree's own tokenizer took 50–350 ms for 512 KB on
 * a loaded 2-core box, too long for the API process's event loop.)
 */
function fontFaceBlocks(css: string, max: number): { blocks: string[]; capped: boolean } {
  const blocks: string[] = []
  const n = css.length
  let depth = 0
  let faceAt = -1 // an @font-face whose block has not opened yet
  let open = -1 // depth of the @font-face block being read
  let start = 0
  let i = 0
  while (i < n) {
    const c = css.charCodeAt(i)
    if (c === 0x2f && css.charCodeAt(i + 1) === 0x2a) {
      // A comment, to its end (or the sheet's).
      const end = css.indexOf('*/', i + 2)
      i = end < 0 ? n : end + 2
      continue
    }
    if (c === 0x22 || c === 0x27) {
      // A string: to the same quote; a newline ends a bad one; backslash escapes.
      for (i++; i < n; i++) {
        const d = css.charCodeAt(i)
        if (d === 0x5c) i++
        else if (d === c || d === 0x0a) break
      }
      i++
      continue
    }
    if (c === 0x5c) {
      i += 2
      continue
    }
    if ((c === 0x75 || c === 0x55) && css.charCodeAt(i + 3) === 0x28 && css.slice(i, i + 3).toLowerCase() === 'url' && !isIdentChar(css.charCodeAt(i - 1))) {
      // An unquoted url(…) is one token to its `)`: braces and semicolons inside it are data.
      let j = i + 4
      while (j < n && /\s/.test(css[j]!)) j++
      if (css[j] !== '"' && css[j] !== "'") {
        const end = css.indexOf(')', j)
        i = end < 0 ? n : end + 1
        continue
      }
    }
    if (c === 0x40) {
      faceAt = css.slice(i + 1, i + 10).toLowerCase() === 'font-face' && !isIdentChar(css.charCodeAt(i + 10)) ? i : -1
    } else if (c === 0x7b) {
      depth++
      if (faceAt >= 0 && open < 0) {
        open = depth
        start = faceAt
      }
      faceAt = -1
    } else if (c === 0x7d) {
      if (open === depth) {
        blocks.push(css.slice(start, i + 1))
        open = -1
        if (blocks.length >= max) return { blocks, capped: true }
      }
      depth = Math.max(0, depth - 1)
    } else if (c === 0x3b) faceAt = -1
    i++
  }
  // A block the sheet ends inside is closed by the end of the sheet, as in a browser.
  if (open >= 0) blocks.push(css.slice(start))
  return { blocks, capped: false }
}

function readSheet(css: string, max: number): FontFaceRule[] & { capped?: boolean } {
  const { blocks, capped } = fontFaceBlocks(css, max)
  const rules: FontFaceRule[] & { capped?: boolean } = blocks.flatMap(parseSheet)
  if (capped) rules.capped = true
  return rules
}

/** How warnings name a face: `@font-face "Brand"`, `@font-face "Brand" 700 italic`, `… 100-900`. */
export function faceLabel(face: Pick<FontFaceRule, 'family' | 'weight' | 'style'>): string {
  const [lo, hi] = face.weight
  const weight = lo === 400 && hi === 400 ? '' : ` ${lo === hi ? lo : `${lo}-${hi}`}`
  return `@font-face "${face.family}"${weight}${face.style === 'italic' ? ' italic' : ''}`
}

/** The http(s) URLs the rules name: fonts, which the image pre-scan must not fetch as images. */
export function faceUrls(rules: readonly FontFaceRule[]): string[] {
  return [...new Set(rules.flatMap((r) => r.sources.filter((s) => /^https?:/i.test(s))))]
}

async function loadCssTree(): Promise<typeof CssTree> {
  return import('../css/css-tree.js')
}

/** Loaded by fontFaceRules before any sheet is parsed. */
let csstree: typeof CssTree | undefined

function parseSheet(css: string): FontFaceRule[] {
  const csstree = loaded()
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

function loaded(): typeof CssTree {
  if (!csstree) throw new Error('css-tree is loaded by fontFaceRules first')
  return csstree
}

function valueNodes(text: string): CssTree.CssNode[] {
  const csstree = loaded()
  try {
    const ast = csstree.parse(text, { context: 'value' }) as CssTree.Value
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
  const name = nodes.map((n) => (n as CssTree.Identifier).name).join(' ')
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
