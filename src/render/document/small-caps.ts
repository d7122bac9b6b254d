/**
 * `font-variant: small-caps` (and `font-variant-caps: small-caps`, and the `font` shorthand's
 * variant), which satori 0.63 ignores. Chromium synthesises small capitals when the font has no
 * `smcp` glyphs by drawing lower-case letters as capitals at 70 % of the size; here text under a
 * small-caps element gets the same: runs of lower-case letters become capitals in a span at
 * 0.7em, capitals and everything else stay as written. The property inherits, so the answer
 * for an element is its own cascaded value or its parent's.
 */
import type { Element } from 'domhandler'
import { winningDeclaration } from './selector-match.js'
import type { StyleRule } from './css-rewrite.js'
import type { SatoriChild } from './html-to-tree.js'

const PROPERTIES = ['font-variant', 'font-variant-caps', 'font']
// Chromium's synthetic small caps (FontDescription::kSmallCapsScale... SimpleFontData: 0.7).
const SMALL_CAPS_SCALE = '0.7em'
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
    const value = winner.value.replace(/\s*!important\s*$/i, '').trim().toLowerCase()
    if (value === 'inherit' || value === 'unset') return inherited
    if (winner.property === 'font') return /\bsmall-caps\b/.test(value)
    return /\b(all-)?small-caps\b/.test(value)
  }
}

/** `text` drawn as small capitals: lower-case runs upper-cased in 0.7em spans. */
export function smallCapsText(text: string): SatoriChild {
  if (!/\p{Ll}/u.test(text)) return text
  const parts: SatoriChild[] = []
  let at = 0
  for (const m of text.matchAll(LOWER_RUN)) {
    if (m.index! > at) parts.push(text.slice(at, m.index))
    parts.push({ type: 'span', props: { style: { fontSize: SMALL_CAPS_SCALE }, children: m[0].toUpperCase() } })
    at = m.index! + m[0].length
  }
  if (at < text.length) parts.push(text.slice(at))
  return { type: 'span', props: { children: parts } }
}
