/**
 * `font-variant: small-caps` (and `font-variant-caps: small-caps`, and the `font` shorthand's
 * variant), which satori 0.63 ignores. Chromium synthesises small capitals when the font has no
 * `smcp` glyphs (the bundled fonts have none) by drawing lower-case letters as capitals in a
 * font of round(0.7 × the size) px (SimpleFontData::CreateScaledFontData rounds the scaled
 * size); here text under a small-caps element gets the same: runs of lower-case letters become
 * capitals in a span of that size, capitals and everything else stay as written. At 22px that
 * is 15px, not 15.4: with `0.7em` a line of small caps came out 7px longer than Chromium's and
 * wrapped a word earlier (fidelity case 41). The property inherits, so the answer for an element
 * is its own cascaded value or its parent's.
 */
import type { Element } from 'domhandler'
import { declaredValue, winningDeclaration } from './selector-match.js'
import type { StyleRule } from './css-rewrite.js'
import type { SatoriChild } from './html-to-tree.js'

const PROPERTIES = ['font-variant', 'font-variant-caps', 'font']
// Chromium's synthetic small caps: 0.7 of the size, rounded to whole px.
const SMALL_CAPS_SCALE = 0.7
// A run of letters that have an upper-case form different from themselves.
const LOWER_RUN = /\p{Ll}+/gu

export class SmallCaps {
  readonly #rules: StyleRule[]
  /** Some rule asks for small caps: without one, only inline styles can. */
  readonly #anyRule: boolean

  constructor(
    rules: StyleRule[],
    private readonly inlineStyle: (el: Element) => Record<string, unknown> | undefined,
  ) {
    this.#rules = rules.filter((r) => r.declarations.some((d) => PROPERTIES.includes(d.property)))
    this.#anyRule = this.#rules.some((r) => r.declarations.some((d) => /small-caps/i.test(d.value)))
  }

  /** Whether text in `el` is small caps, given whether its parent's is. */
  applies(el: Element, inherited: boolean): boolean {
    const inline = this.inlineStyle(el)
    // The common page: nothing anywhere says small-caps, so nothing is (no cascade to run).
    if (!inherited && !this.#anyRule && !(inline && Object.values(inline).some((v) => typeof v === 'string' && /small-caps/i.test(v)))) return false
    const winner = winningDeclaration(el, this.#rules, inline, PROPERTIES)
    if (!winner) return inherited
    const value = declaredValue(winner.value).toLowerCase()
    if (value === 'inherit' || value === 'unset') return inherited
    if (winner.property === 'font') return /\bsmall-caps\b/.test(value)
    return /\b(all-)?small-caps\b/.test(value)
  }
}

/**
 * `text` drawn as small capitals: lower-case runs upper-cased in spans of round(0.7 × `fontPx`)
 * px, or 0.7em when the element's size is not known here (calc(), viewport units).
 */
export function smallCapsText(text: string, fontPx: number | undefined): SatoriChild {
  if (!/\p{Ll}/u.test(text)) return text
  const fontSize = fontPx === undefined ? `${SMALL_CAPS_SCALE}em` : `${Math.round(SMALL_CAPS_SCALE * fontPx)}px`
  const parts: SatoriChild[] = []
  let at = 0
  for (const m of text.matchAll(LOWER_RUN)) {
    if (m.index! > at) parts.push(text.slice(at, m.index))
    parts.push({ type: 'span', props: { style: { fontSize }, children: m[0].toUpperCase() } })
    at = m.index! + m[0].length
  }
  if (at < text.length) parts.push(text.slice(at))
  return { type: 'span', props: { children: parts } }
}
