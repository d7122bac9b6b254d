/**
 * One pass over the page's own CSS (its `<style>` sheets, the `css` parameter and inline
 * styles) that turns what a browser understands into what satori draws the same way:
 * - font-family names Vellum does not ship become their bundled stand-in (font-aliases.ts),
 *   unless the page loaded that family itself (Google Fonts);
 * - `border-spacing` / `border-collapse` become the custom properties the user-agent table
 *   rules read (satori has no table layout, tables are grids here);
 * - `display: table*` on non-table elements (the old centring trick) becomes the flex/block
 *   layout that looks the same, instead of making satori throw;
 * - the `flex` shorthand becomes its longhands, so a calc()/min() basis reaches satori, whose
 *   shorthand parser fails on it (flex-shorthand.ts);
 * - `@import` is removed (satori ignores it); Google Fonts imports are reported so the API
 *   process can load them like `google_fonts`;
 * - declarations satori would silently ignore but that change the picture are reported, for
 *   the `x-vellum-dropped-css` header.
 * The parsed rules are kept for the few places that need a cascade of their own (canvas
 * background, monospace default size).
 */
import { countLookup } from '../cache-stats.js'
import * as csstree from '../../css/css-tree.js'
import Specificity from '@bramus/specificity'
import { LRUCache } from 'lru-cache'
import { rewriteFontFamily } from '../../fonts/font-aliases.js'
import { flexLonghands } from './flex-shorthand.js'

export interface Declaration {
  property: string
  value: string
  important: boolean
}

export interface StyleRule {
  /** One selector of the rule's list, as text (for css-select). */
  selector: string
  specificity: [number, number, number]
  /** Position in the cascade (sheet order, then rule order). */
  order: number
  declarations: Declaration[]
  /** Inside `@media`, `@supports`, `@layer`…: may not apply, or not in plain cascade order. */
  conditional: boolean
}

/** Properties that change what a browser draws and that satori 0.63 does not implement. */
const UNSUPPORTED = new Set([
  'column-rule',
  'column-span',
  'writing-mode',
  'text-orientation',
  'shape-outside',
  'border-image',
  'border-image-source',
  'list-style-image',
  'text-emphasis',
  'initial-letter',
  'hanging-punctuation',
  // Variable-font axes: satori draws the named instance of a face (its weight/style) only.
  'font-variation-settings',
])

const TABLE_DISPLAY: Record<string, string> = {
  table: 'flex',
  'inline-table': 'inline-flex',
  'table-row': 'flex',
  'table-cell': 'block',
  'table-caption': 'block',
  'table-row-group': 'contents',
  'table-header-group': 'contents',
  'table-footer-group': 'contents',
  'table-column': 'none',
  'table-column-group': 'none',
}

/** The custom property that carries a `display: table*` value past its rewrite (css-tables.ts reads it). */
export const TABLE_DISPLAY_PROPERTY = '--vellum-display'

/** `font` shorthand: everything after the size (and optional line height) is the family list. */
const FONT_SHORTHAND =
  /^(.*?(?:\d*\.?\d+(?:px|em|rem|%|pt|pc|vw|vh|vmin|vmax|ex|ch|cm|mm|in)|xx-small|x-small|small|medium|large|x-large|xx-large|xxx-large|smaller|larger)(?:\s*\/\s*[^\s,]+)?\s+)(.+)$/i

const GOOGLE_FONTS_CSS = /^https:\/\/fonts\.googleapis\.com\/css2?\?/i

interface RewrittenSheet {
  text: string
  rules: StyleRule[]
  warnings: string[]
  fontImports: string[]
}

/** Rewritten sheets of this process, bounded by their size (the key holds the sheet's text). */
const SHEETS = new LRUCache<string, RewrittenSheet>({
  maxSize: 16 * 1024 * 1024,
  sizeCalculation: (v, k) => 2 * (k.length + v.text.length) + 256 * v.rules.length + 1,
})

export class CssRewriter {
  readonly warnings: string[] = []
  readonly fontImports: string[] = []

  constructor(
    private readonly loadedFamilies: ReadonlySet<string> = new Set(),
    /** Families the page loaded under several `unicode-range`s → the names of those (page-faces.ts). */
    private readonly familySlots?: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** Rewrites one declaration; returns the declarations that replace it (empty = drop). */
  declaration(property: string, value: string): Array<[string, string]> {
    const prop = property.toLowerCase()
    const v = value.trim()
    switch (prop) {
      case 'font-family':
        return [[property, rewriteFontFamily(v, this.loadedFamilies, this.familySlots)]]
      case 'font': {
        const m = FONT_SHORTHAND.exec(v)
        return m ? [[property, m[1]! + rewriteFontFamily(m[2]!, this.loadedFamilies, this.familySlots)]] : [[property, v]]
      }
      case 'border-spacing': {
        const [x, y = x] = v.split(/\s+/)
        return [
          ['--vellum-bs-x', x!],
          ['--vellum-bs-y', y!],
        ]
      }
      case 'flex':
      case '-webkit-flex':
        return flexLonghands(v) ?? [[property, v]]
      case 'columns': {
        // satori reads `columns: 180px` and `columns: 2` both as a bare number, so the shorthand
        // becomes its longhands here (the multicol part of the satori patch reads those).
        let count = 'auto'
        let width = 'auto'
        for (const part of v.split(/\s+/)) {
          if (/^\d+$/.test(part)) count = part
          else if (part.toLowerCase() !== 'auto') width = part
        }
        return [
          ['column-width', width],
          ['column-count', count],
        ]
      }
      case 'backdrop-filter':
      case '-webkit-backdrop-filter':
        // satori draws the backdrop as a black rectangle under a filter on `BackgroundImage`, an
        // input resvg does not have: the frosted panel came out near black. Without it the panel
        // is its own translucent background over what is behind it, unblurred.
        if (v.toLowerCase() !== 'none') this.#warn(`${prop}: ${v} (not supported: drawn without the backdrop effect)`)
        return []
      case 'border-collapse':
        // --vellum-collapse: the satori patch overlaps adjacent cell borders (vellumCollapseCells).
        return v.toLowerCase() === 'collapse'
          ? [
              ['--vellum-bs-x', '0px'],
              ['--vellum-bs-y', '0px'],
              ['--vellum-collapse', '1'],
            ]
          : [['--vellum-collapse', '0']]
      case 'display': {
        const table = v.toLowerCase().replace(/\s*!important$/, '')
        const mapped = TABLE_DISPLAY[table]
        // The table value rides along, in the same declaration's place in the cascade, for the
        // document layer that lays these elements out as tables (css-tables.ts).
        return mapped ? [[property, mapped], [TABLE_DISPLAY_PROPERTY, table]] : [[property, v]]
      }
      default:
        if (UNSUPPORTED.has(prop) && !(prop === 'writing-mode' && v === 'horizontal-tb') && !(prop === 'font-variation-settings' && v.trim() === 'normal')) {
          this.#warn(`${prop}: ${v} (not supported, ignored)`)
        }
        return [[property, v]]
    }
  }

  #warn(message: string): void {
    if (this.warnings.length < 50 && !this.warnings.includes(message)) this.warnings.push(message)
  }

  /**
   * Rewrites a stylesheet. `order` numbers its rules after those of earlier sheets; the
   * parsed rules are appended to `rules` for callers that run a cascade. Templated cards send
   * the same sheet with different text, so the result is kept per sheet and loaded-font set:
   * rewriting an 800-rule sheet costs ~10 ms, more than satori spends on its rules.
   */
  sheet(css: string, rules: StyleRule[]): string {
    const slots = this.familySlots ? [...this.familySlots].map(([f, names]) => `${f}=${names.join('/')}`).join(';') : ''
    const key = `${[...this.loadedFamilies].sort().join(',')}\n${slots}\n${css}`
    let done = SHEETS.get(key)
    countLookup('sheets', done !== undefined)
    if (!done) {
      const sub = new CssRewriter(this.loadedFamilies, this.familySlots)
      const local: StyleRule[] = []
      const text = sub.#rewriteSheet(css, local)
      done = { text, rules: local, warnings: sub.warnings, fontImports: sub.fontImports }
      SHEETS.set(key, done)
    }
    const base = rules.length
    for (const rule of done.rules) rules.push({ ...rule, order: base + rule.order })
    for (const w of done.warnings) this.#warn(w)
    this.fontImports.push(...done.fontImports)
    return done.text
  }

  #rewriteSheet(css: string, rules: StyleRule[]): string {
    const ast = csstree.parse(css, { parseValue: false, parseCustomProperty: false, onParseError: () => {} })
    csstree.walk(ast, {
      visit: 'Atrule',
      enter: (node, item, list) => {
        if (node.name.toLowerCase() !== 'import' || !list) return
        const prelude = node.prelude ? csstree.generate(node.prelude) : ''
        const url = /url\(\s*['"]?([^'")]+)['"]?\s*\)|^\s*['"]([^'"]+)['"]/.exec(prelude)
        const href = url?.[1] ?? url?.[2]
        if (href && GOOGLE_FONTS_CSS.test(href)) this.fontImports.push(href)
        list.remove(item)
      },
    })
    csstree.walk(ast, {
      visit: 'Declaration',
      enter: (node, item, list) => {
        if (!list || node.property.startsWith('--')) return
        const text = csstree.generate(node.value)
        const replaced = this.declaration(node.property, text)
        for (const [property, value] of replaced) {
          list.insert(list.createItem({ ...node, property, value: { type: 'Raw', value } } as csstree.Declaration), item)
        }
        list.remove(item)
      },
    })
    csstree.walk(ast, {
      visit: 'Rule',
      enter(node) {
        if (node.prelude.type !== 'SelectorList') return
        const conditional = this.atrule !== null
        const declarations: Declaration[] = []
        node.block.children.forEach((d) => {
          if (d.type === 'Declaration') {
            declarations.push({ property: d.property.toLowerCase(), value: csstree.generate(d.value), important: Boolean(d.important) })
          }
        })
        node.prelude.children.forEach((sel) => {
          let specificity: [number, number, number] = [0, 0, 0]
          try {
            specificity = Specificity.calculateForAST(sel).toArray()
          } catch {
            // An exotic selector: lowest specificity, still matched in order.
          }
          rules.push({ selector: csstree.generate(sel), specificity, order: rules.length, declarations, conditional })
        })
      },
    })
    return csstree.generate(ast)
  }

  /** Same rewrite for an inline style object (camelCased keys, as the tree carries them). */
  inline(style: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [key, raw] of Object.entries(style)) {
      if (typeof raw !== 'string' || key.startsWith('--')) {
        out[key] = raw
        continue
      }
      const property = key.replace(/^(Webkit|Moz|ms)/, (p) => `-${p.toLowerCase()}`).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
      for (const [p, v] of this.declaration(property, raw)) {
        out[p.startsWith('--') ? p : p.replace(/^-(webkit|moz|ms)-/, (_m, v: string) => v[0]!.toUpperCase() + v.slice(1) + '-').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())] = v
      }
    }
    return out
  }
}

/** The declarations of `properties` that apply to an element, in cascade order (the winner last). */
export function cascadedValue(
  matching: StyleRule[],
  inline: Record<string, unknown> | undefined,
  properties: string[],
): Declaration[] {
  // Cascade rank, compared left to right: !important, inline, specificity (a, b, c), order.
  const found: Array<Declaration & { rank: number[] }> = []
  for (const rule of matching) {
    for (const d of rule.declarations) {
      if (properties.includes(d.property)) found.push({ ...d, rank: [d.important ? 1 : 0, 0, ...rule.specificity, rule.order] })
    }
  }
  for (const [key, value] of Object.entries(inline ?? {})) {
    const property = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
    if (properties.includes(property) && typeof value === 'string') {
      found.push({ property, value, important: false, rank: [0, 1, 0, 0, 0, 0] })
    }
  }
  found.sort((a, b) => {
    for (let i = 0; i < a.rank.length; i++) if (a.rank[i] !== b.rank[i]) return a.rank[i]! - b.rank[i]!
    return 0
  })
  return found.map(({ property, value, important }) => ({ property, value, important }))
}
