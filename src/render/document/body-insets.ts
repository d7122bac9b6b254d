/**
 * The body's left and right padding, from the page's cascade, for the crop (stages/crop.ts): a
 * snippet is cropped to its outermost elements with their margins, and those margins are
 * measured from the body's content box. satori reports the body's border box only, so without
 * this `body { padding: 16px }` around a 200 px card gave a 232 px image where Chromium's crop of
 * the same card is 200 px (the padding was taken for the card's margins).
 *
 * Only what can be known for certain is read: px, em, rem, pt, vw and % lengths (a % of the
 * 1920 px layout width). A `calc()`, a `var()`, a rule inside `@media`/`@supports`, or a
 * border of some width on the body gives up: the crop then measures from the border box, as before.
 */
import type { Element } from 'domhandler'
import { cascadedValue, type StyleRule } from './css-rewrite.js'
import { declaredValue, rulesMatching } from './selector-match.js'

export interface BodyInsets {
  left: number
  right: number
}

const PADDING = ['padding', 'padding-left', 'padding-right', 'padding-inline', 'padding-inline-start', 'padding-inline-end']
const BORDER = [
  'border', 'border-left', 'border-right', 'border-width', 'border-left-width', 'border-right-width',
  'border-inline', 'border-inline-start', 'border-inline-end', 'border-inline-width', 'border-inline-start-width', 'border-inline-end-width',
]

export interface LengthBasis {
  fontPx: number
  rootPx: number
  /** The layout width: what % and vw are taken of. */
  widthPx: number
}

function lengthPx(value: string, basis: LengthBasis): number | undefined {
  const m = /^(-?(?:\d+\.?\d*|\.\d+))(px|em|rem|pt|vw|%)?$/i.exec(value.trim())
  if (!m) return undefined
  const n = Number(m[1])
  const unit = (m[2] ?? '').toLowerCase()
  if (unit === '' && n !== 0) return undefined
  const px = unit === 'em' ? n * basis.fontPx : unit === 'rem' ? n * basis.rootPx : unit === 'pt' ? (n * 4) / 3 : unit === 'vw' ? (n * basis.widthPx) / 100 : unit === '%' ? (n * basis.widthPx) / 100 : n
  return px >= 0 ? px : undefined
}

/** `0`, `0px`, `none`, or a shorthand whose width is zero or whose style is none. */
function noWidth(value: string): boolean {
  const tokens = declaredValue(value).toLowerCase().split(/\s+/)
  if (tokens.includes('none') || tokens.includes('hidden')) return true
  if (tokens.some((t) => t === 'thin' || t === 'medium' || t === 'thick')) return false
  const lengths = tokens.filter((t) => /^-?(\d|\.\d)/.test(t))
  return lengths.length > 0 && lengths.every((t) => /^-?0*\.?0*(px|em|rem|pt|%)?$/.test(t))
}

export function bodyInsets(body: Element, rules: StyleRule[], inline: Record<string, unknown> | undefined, basis: LengthBasis): BodyInsets | undefined {
  const applying = (properties: string[]) => rulesMatching(body, rules, properties)
  // A border of no width is no border (Tailwind's reset gives every element `border-width: 0`).
  const borders = applying(BORDER)
  if (borders.some((r) => r.conditional)) return undefined
  for (const d of cascadedValue(borders, inline, BORDER)) if (!noWidth(d.value)) return undefined
  const paddings = applying(PADDING)
  if (paddings.some((r) => r.conditional)) return undefined
  const out: BodyInsets = { left: 0, right: 0 }
  for (const d of cascadedValue(paddings, inline, PADDING)) {
    const parts = declaredValue(d.value).split(/\s+/)
    const px = parts.map((p) => lengthPx(p, basis))
    if (px.some((v) => v === undefined)) return undefined
    const [a, b, , d4] = px as number[]
    switch (d.property) {
      case 'padding':
        if (px.length < 1 || px.length > 4) return undefined
        out.right = b ?? a!
        out.left = d4 ?? b ?? a!
        break
      case 'padding-inline':
        if (px.length > 2) return undefined
        out.left = a!
        out.right = b ?? a!
        break
      case 'padding-left':
      case 'padding-inline-start':
        if (px.length !== 1) return undefined
        out.left = a!
        break
      case 'padding-right':
      case 'padding-inline-end':
        if (px.length !== 1) return undefined
        out.right = a!
        break
    }
  }
  return out
}
