/**
 * Which font weights and styles a page can ask for: what its stylesheets (user-agent sheet
 * included, already reduced to the tags present) and inline styles declare. satori parses every
 * face it is handed before laying out, so handing it only these is what makes a cold worker's
 * first render cheap (50 Latin faces parsed → the handful a page uses). Anything this cannot
 * read for certain (var(), bolder, a weight between the bundled ones) widens the answer to
 * "any", never narrows it: a wrong guess would change the picture.
 *
 * Families are not narrowed: satori measures some line boxes with the last face of its fallback
 * list, so dropping an unused family moves text (measured on the fidelity cases).
 *
 * The same single walk reads what the page writes (page-text.ts): its characters by the `lang`
 * they inherit, and the families it names, which choose the script fonts it is handed.
 */
import type { SatoriChild, SatoriElement } from './html-to-tree.js'
import { addChars, CJK_LOCALES, counterStyleText, sheetContent, type PageChars } from './page-text.js'
import { SVG_TEXT_RUNS, type SvgTextRun } from './svg-text.js'
import { declaredValue } from './selector-match.js'

export interface FontUsage {
  /** Weights asked for; 'any' when one cannot be read statically. Always holds 400. */
  weights: Set<number> | 'any'
  italic: boolean
  /** Characters beyond Latin-1 the page can draw, by the CJK locale of their text ('' for none). */
  chars: PageChars
  /** Lower-cased family names in its `font-family` / `font` declarations (stand-ins applied). */
  families: Set<string>
}

// `font`, `font-weight`, `font-style` declarations in a sheet (not font-size &c.).
const SHEET_DECLARATION = /(?:^|[{;\s])font(-weight|-style)?\s*:\s*([^;}]*)/gi
const STYLE_KEYS: Record<string, string> = { font: '', fontWeight: '-weight', fontStyle: '-style' }
const CSS_WIDE = new Set(['inherit', 'initial', 'unset', 'revert', 'revert-layer'])
const SLANTED = /\b(italic|oblique)\b/
const DYNAMIC = /\b(var|env|attr)\(/

// `font-family` declarations in a sheet.
const SHEET_FAMILY = /(?:^|[{;\s])font-family\s*:\s*([^;}]*)/gi
// Form controls draw these attributes as text (and `content: attr(x)` adds x, see below).
const TEXT_ATTRIBUTES = ['value', 'placeholder']

export function fontUsage(root: SatoriElement): FontUsage {
  const usage: FontUsage = { weights: new Set([400]), italic: false, chars: new Map(), families: new Set() }
  // The sheets are the root's first children, so attr() names are known before any element.
  const textAttributes = new Set(TEXT_ATTRIBUTES)
  // Depth first without recursion, each node with the CJK locale its text inherits.
  const stack: Array<[SatoriChild, string]> = [[root, '']]
  while (stack.length) {
    const [node, inherited] = stack.pop()!
    if (typeof node === 'string') {
      addChars(usage.chars, inherited, node)
      continue
    }
    const { style, children, lang } = node.props
    if (node.type === 'style' && typeof children === 'string') {
      for (const m of children.matchAll(SHEET_DECLARATION)) declare(usage, m[1] ?? '', m[2]!)
      for (const m of children.matchAll(SHEET_FAMILY)) addFamilies(usage, m[1]!)
      addChars(usage.chars, '', sheetContent(children, textAttributes) + counterStyleText(children))
      continue
    }
    let locale = inherited
    if (typeof lang === 'string') locale = CJK_LOCALES.has(lang) ? lang : ''
    // Inline-SVG text, resolved by the document stage, is outlined with these faces too.
    const svgRuns = node.props[SVG_TEXT_RUNS] as SvgTextRun[] | undefined
    if (svgRuns) {
      for (const run of svgRuns) {
        addWeight(usage, String(run.font.weight))
        usage.italic ||= run.font.italic
        addChars(usage.chars, locale, run.text)
      }
    }
    if (style && typeof style === 'object') {
      for (const [key, value] of Object.entries(style as Record<string, unknown>)) {
        const kind = STYLE_KEYS[key]
        if (kind !== undefined && (typeof value === 'string' || typeof value === 'number')) declare(usage, kind, String(value))
        if (key === 'fontFamily' && typeof value === 'string') addFamilies(usage, value)
        if ((key === 'listStyle' || key === 'listStyleType') && typeof value === 'string') addChars(usage.chars, locale, counterStyleText(`list-style:${value}`))
      }
    }
    for (const name of textAttributes) {
      const text = node.props[name]
      if (typeof text === 'string') addChars(usage.chars, locale, text)
    }
    if (Array.isArray(children)) for (let i = children.length - 1; i >= 0; i--) stack.push([children[i] as SatoriChild, locale])
    else if (children !== undefined) stack.push([children, locale])
  }
  return usage
}

function addFamilies(usage: FontUsage, list: string): void {
  for (const name of list.split(',')) {
    const bare = declaredValue(name).replace(/^['"]|['"]$/g, '').trim().toLowerCase()
    if (bare) usage.families.add(bare)
  }
}

function declare(usage: FontUsage, kind: string, raw: string): void {
  const value = declaredValue(raw).toLowerCase()
  if (value === '' || CSS_WIDE.has(value)) return
  const dynamic = DYNAMIC.test(value)
  if (kind === '-weight') return addWeight(usage, dynamic ? 'var' : value)
  if (kind === '-style') {
    usage.italic ||= dynamic || SLANTED.test(value)
    return
  }
  // The shorthand: [style] [variant] [weight] [stretch] size[/line-height] family-list.
  if (dynamic) {
    usage.weights = 'any'
    usage.italic = true
    return
  }
  usage.italic ||= SLANTED.test(value)
  const tokens = value.split(/\s+/)
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token === 'bold' || token === 'bolder' || token === 'lighter' || /^\d+$/.test(token)) addWeight(usage, token)
    else if (/^[\d.]+[a-z%]/.test(token) || token.includes('/')) {
      // The size: the family list follows (after a separate `/ line-height`, if any).
      let rest = tokens.slice(i + 1)
      if (rest[0] === '/') rest = rest.slice(2)
      else if (rest[0]?.startsWith('/')) rest = rest.slice(1)
      else if (token.endsWith('/')) rest = rest.slice(1)
      addFamilies(usage, rest.join(' '))
      break
    }
  }
}

const BUNDLED_WEIGHTS = new Set([100, 200, 300, 400, 500, 600, 700, 800, 900])

function addWeight(usage: FontUsage, value: string): void {
  if (usage.weights === 'any') return
  const weight = value === 'normal' ? 400 : value === 'bold' ? 700 : /^\d+$/.test(value) ? Number(value) : NaN
  // bolder/lighter depend on the parent; 450 picks a neighbour by CSS's matching rules.
  if (!BUNDLED_WEIGHTS.has(weight)) usage.weights = 'any'
  else usage.weights.add(weight)
}
