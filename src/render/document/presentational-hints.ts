/**
 * The presentational attributes of old-style HTML tables (`<table border="1" cellpadding="6"
 * width="100%">`, `<td bgcolor align nowrap>`), as the HTML standard's rendering section maps
 * them to CSS and Chromium draws them. Templates copied from e-mail and CMS output still use
 * them; satori reads none.
 *
 * A browser treats these as author-level declarations of specificity zero that come before every
 * author rule, so any rule of the page wins over them. Here each element's hints become one rule
 * `:where([data-vellum-hint="N"])` (specificity zero) in a sheet placed after the user-agent
 * sheet, whose selectors are themselves wrapped in `:where()` (user-agent-css.ts), and before the
 * page's sheets: the page's rules, `* { padding: 0 }` included, win over the hints by order.
 * `valign` is read by the cell aligner (cell-alignment.ts), which places cell content.
 * `<font size color face>` (old e-mail and CMS markup) maps as Chromium's HTMLFontElement does.
 */
import type { Element } from 'domhandler'
import * as csstree from '../../css/css-tree.js'

export const HINT_ATTRIBUTE = 'data-vellum-hint'

/** A non-negative integer attribute as HTML parses it (leading digits), or undefined. */
function pixels(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const m = /^\s*(\d+)/.exec(value)
  return m ? Math.min(Number(m[1]), 10_000) : undefined
}

/** A dimension attribute (`width="300"`, `width="50%"`) as a CSS length, or undefined. */
function dimension(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const m = /^\s*(\d+(?:\.\d+)?)(%?)/.exec(value)
  if (!m || Number(m[1]) === 0) return undefined
  return m[2] ? `${m[1]}%` : `${Math.min(Number(m[1]), 100_000)}px`
}

/** A legacy colour attribute: a name or a hex value, as CSS accepts it (others are ignored). */
function colour(value: string | undefined): string | undefined {
  const v = value?.trim()
  if (!v) return undefined
  if (/^#?[0-9a-f]{6}$/i.test(v) || /^#?[0-9a-f]{3}$/i.test(v)) return v.startsWith('#') ? v : `#${v}`
  return /^[a-z]+$/i.test(v) ? v.toLowerCase() : undefined
}

/**
 * `<font color>`: HTML's rules for parsing a legacy colour value, with Chromium's order: a
 * 3- or 6-digit `#` colour or a name as CSS reads them, `transparent` and "" as no colour,
 * anything else through the legacy algorithm (`ff0000` → #ff0000, `f00` → #0f0000).
 */
export function legacyColour(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined
  const v = value.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '')
  if (v.toLowerCase() === 'transparent') return undefined
  if (/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(v)) return v.toLowerCase()
  if (/^[a-z]+$/i.test(v)) return v.toLowerCase()
  let digits = [...v]
    .map((c) => (c.codePointAt(0)! > 0xffff ? '00' : c))
    .join('')
    .slice(0, 128)
    .replace(/^#/, '')
    .replace(/[^0-9a-f]/gi, '0')
  while (digits.length === 0 || digits.length % 3 !== 0) digits += '0'
  let parts = [0, 1, 2].map((i) => digits.slice((i * digits.length) / 3, ((i + 1) * digits.length) / 3))
  if (parts[0]!.length > 8) parts = parts.map((p) => p.slice(p.length - 8))
  while (parts[0]!.length > 2 && parts.every((p) => p[0] === '0')) parts = parts.map((p) => p.slice(1))
  return '#' + parts.map((p) => p.slice(0, 2).padStart(2, '0')).join('').toLowerCase()
}

/** `<font size>` 1–7 as Chromium maps it (HTMLFontElement::CssValueFromFontSizeNumber). */
const FONT_SIZES = ['x-small', 'small', 'medium', 'large', 'x-large', 'xx-large', 'xxx-large']

/** HTML's rules for parsing a legacy font size: `4`, `+1` (3 + 1), `-2` (3 − 2), clamped to 1–7. */
export function legacyFontSize(value: string | undefined): string | undefined {
  const m = /^[\t\n\f\r ]*([+-]?)(\d+)/.exec(value ?? '')
  if (!m) return undefined
  const n = Number(m[2])
  const size = m[1] === '+' ? 3 + n : m[1] === '-' ? 3 - n : n
  return FONT_SIZES[Math.min(7, Math.max(1, size)) - 1]
}

/**
 * `<font face>`: a font-family list, or undefined when it is not one (Chromium then ignores the
 * attribute). Names and strings between commas; the generic keywords are names here too.
 */
function fontFace(value: string | undefined): string | undefined {
  if (!value?.trim()) return undefined
  let ast: csstree.CssNode
  try {
    ast = csstree.parse(value, { context: 'value' })
  } catch {
    return undefined
  }
  if (ast.type !== 'Value') return undefined
  // Several identifiers in a row are one name (`Comic Sans MS`), a string is one on its own.
  let last: 'start' | 'name' | 'string' | 'comma' = 'start'
  for (const node of ast.children) {
    if (node.type === 'Operator' && node.value === ',') {
      if (last === 'start' || last === 'comma') return undefined
      last = 'comma'
    } else if (node.type === 'Identifier' && last !== 'string') last = 'name'
    else if (node.type === 'String' && (last === 'start' || last === 'comma')) last = 'string'
    else return undefined
  }
  return last === 'name' || last === 'string' ? value.trim() : undefined
}

const ALIGN: Record<string, string> = { left: 'left', right: 'right', center: 'center', middle: 'center', justify: 'justify' }

function tableOf(el: Element): Element | undefined {
  for (let p = el.parent; p && p.type === 'tag'; p = p.parent) if ((p as Element).name === 'table') return p as Element
  return undefined
}

/**
 * The CSS declarations an element's presentational attributes stand for (empty: none).
 * `rewriteFamily` is the page CSS's font-family rewrite (stand-ins for families Vellum does
 * not ship), which a `face` needs as much as a style sheet's font-family does.
 */
export function presentationalHints(el: Element, rewriteFamily: (family: string) => string = (f) => f): string[] {
  const a = el.attribs
  const out: string[] = []
  const bg = colour(a.bgcolor)
  switch (el.name) {
    case 'table': {
      const border = a.border === undefined ? undefined : (pixels(a.border) ?? 1)
      if (border) out.push(`border: ${border}px outset`)
      const spacing = pixels(a.cellspacing)
      if (spacing !== undefined) out.push(`--vellum-bs-x: ${spacing}px`, `--vellum-bs-y: ${spacing}px`)
      const width = dimension(a.width)
      if (width) out.push(`width: ${width}`)
      const height = dimension(a.height)
      if (height) out.push(`height: ${height}`)
      if (a.align?.trim().toLowerCase() === 'center') out.push('margin-left: auto', 'margin-right: auto')
      if (bg) out.push(`background-color: ${bg}`)
      break
    }
    case 'td':
    case 'th': {
      const table = tableOf(el)
      const border = table?.attribs.border === undefined ? 0 : (pixels(table.attribs.border) ?? 1)
      if (border) out.push('border: 1px inset')
      const padding = pixels(table?.attribs.cellpadding)
      if (padding !== undefined) out.push(`padding: ${padding}px`)
      const width = dimension(a.width)
      if (width) out.push(`width: ${width}`)
      const height = dimension(a.height)
      if (height) out.push(`height: ${height}`)
      const align = ALIGN[a.align?.trim().toLowerCase() ?? ''] ?? ALIGN[(el.parent as Element | null)?.attribs?.align?.trim().toLowerCase() ?? '']
      if (align) out.push(`text-align: ${align}`)
      if (a.nowrap !== undefined) out.push('white-space: nowrap')
      // A row's bgcolor paints its cells (rows are not boxes here).
      const rowBg = bg ?? colour((el.parent as Element | null)?.name === 'tr' ? (el.parent as Element).attribs.bgcolor : undefined)
      if (rowBg) out.push(`background-color: ${rowBg}`)
      break
    }
    case 'body':
      if (bg) out.push(`background-color: ${bg}`)
      break
    case 'font': {
      const size = legacyFontSize(a.size)
      if (size) out.push(`font-size: ${size}`)
      const color = legacyColour(a.color)
      if (color) out.push(`color: ${color}`)
      const face = fontFace(a.face)
      if (face) out.push(`font-family: ${rewriteFamily(face)}`)
      break
    }
  }
  return out
}

/** The hint sheet of one document: one rule per distinct set of hints. */
export class HintSheet {
  readonly #ids = new Map<string, number>()

  constructor(private readonly rewriteFamily?: (family: string) => string) {}

  /** Marks `props` with the attribute that selects the element's hint rule, when it has hints. */
  mark(el: Element, props: Record<string, unknown>): void {
    const hints = presentationalHints(el, this.rewriteFamily)
    if (hints.length === 0) return
    const block = hints.join('; ')
    let id = this.#ids.get(block)
    if (id === undefined) {
      id = this.#ids.size + 1
      this.#ids.set(block, id)
    }
    props[HINT_ATTRIBUTE] = String(id)
  }

  get css(): string {
    return [...this.#ids].map(([block, id]) => `:where([${HINT_ATTRIBUTE}="${id}"]) { ${block} }`).join('\n')
  }
}
