/**
 * CSS presentation properties on an inline `<svg>` root: `.icon { stroke: currentColor;
 * fill: none; stroke-width: 2 }`, Tailwind's `fill-current`, `style="fill: currentColor"`, or a
 * `fill` the svg inherits from the HTML around it. In a browser they are inherited by the
 * drawing's shapes. satori serialises the svg into an SVG image from its attributes alone (the
 * root's `style` is read for `color` and custom properties only), while the shapes inside get
 * their own cascaded style written out; so rules on the root were lost and the icons came out as
 * black filled shapes.
 *
 * Here the document stage resolves those properties for the root as the cascade does — the
 * svg's inline style and the page's rules, which beat its presentation attributes, then an
 * attribute of that name, then the value inherited from its HTML ancestors' CSS — and writes
 * the winner as a presentation attribute on the root, which satori does carry into the image
 * (resolving `currentColor` against the svg's computed `color`) and from where SVG inheritance
 * takes it to the content. Rules that target the shapes themselves still reach them through
 * satori's cascade and win over the inherited value, as they should.
 *
 * Left to others: `opacity` (satori applies it to the svg's box), `color` (satori's own cascade
 * resolves it for `currentColor`) and the font and anchor properties of SVG text (svg-text.ts
 * reads them through the same cascade, up through the root).
 */
import type { Element } from 'domhandler'
import { rulesMatching, declaredValue } from './selector-match.js'
import { cascadedValue, type StyleRule } from './css-rewrite.js'
import { insideSvg } from './svg-text.js'

/** Inherited SVG presentation properties, with their initial values (SVG 2, Fill and Stroke). */
const INITIAL: Record<string, string> = {
  fill: 'black',
  'fill-opacity': '1',
  'fill-rule': 'nonzero',
  stroke: 'none',
  'stroke-width': '1',
  'stroke-opacity': '1',
  'stroke-linecap': 'butt',
  'stroke-linejoin': 'miter',
  'stroke-dasharray': 'none',
  'stroke-dashoffset': '0',
  'stroke-miterlimit': '4',
  'clip-rule': 'nonzero',
  'paint-order': 'normal',
}
const PROPERTIES = Object.keys(INITIAL)

export class SvgRootStyle {
  readonly #rules: StyleRule[]
  readonly #seen = new WeakMap<Element, ReadonlyMap<string, string>>()

  constructor(
    rules: StyleRule[],
    private readonly inlineStyle: (el: Element) => Record<string, unknown> | undefined,
  ) {
    // Only rules that set one of the properties are ever matched. Rules inside @media,
    // @supports or @layer are left out rather than guessed in: a dark-mode rule applied on a
    // light render would draw white icons on white (satori evaluates those conditions itself,
    // but only for what it draws from the cascade).
    this.#rules = rules.filter((r) => !r.conditional && r.declarations.some((d) => PROPERTIES.includes(d.property)))
  }

  /** The values the page's CSS (inline style, then rules) gives `el`, by property; read once per element. */
  #css(el: Element): ReadonlyMap<string, string> {
    const seen = this.#seen.get(el)
    if (seen) return seen
    const values = new Map<string, string>()
    const inline = this.inlineStyle(el)
    const matching = rulesMatching(el, this.#rules)
    // In cascade order, the winner last: later entries overwrite earlier ones.
    for (const d of matching.length || inline ? cascadedValue(matching, inline, PROPERTIES) : []) {
      const clean = declaredValue(d.value)
      if (clean !== '') values.set(d.property, clean)
    }
    this.#seen.set(el, values)
    return values
  }

  /** What the HTML ancestors of the root pass down: only CSS applies to HTML elements. */
  #inherited(el: Element, property: string): string | undefined {
    for (let at = el.parent; at && at.type === 'tag'; at = at.parent) {
      const v = this.#keyword(this.#css(at as Element).get(property), property)
      if (v !== undefined) return v
    }
    return undefined
  }

  /** `inherit`/`unset` defer to the parent (undefined), `initial` is the property's initial value. */
  #keyword(v: string | undefined, property: string): string | undefined {
    const k = v?.toLowerCase()
    if (k === undefined || k === 'inherit' || k === 'unset' || k === 'revert' || k === 'revert-layer') return undefined
    return k === 'initial' ? INITIAL[property] : v
  }

  /**
   * Writes the cascaded presentation properties of an outermost `<svg>` onto its converted
   * props as attributes. Nested `<svg>`s are content, styled by satori's cascade.
   */
  apply(el: Element, props: Record<string, unknown>): void {
    if (el.name !== 'svg' || insideSvg(el)) return
    const own = this.#css(el)
    for (const property of PROPERTIES) {
      const css = own.get(property)
      // CSS beats the element's own presentation attribute (SVG 2 §6.6), which beats inheritance;
      // `inherit` in CSS passes over the attribute to the parent's value.
      const value = css !== undefined ? this.#keyword(css, property) ?? this.#inherited(el, property) : el.attribs[property] ?? this.#inherited(el, property)
      if (value !== undefined) props[property] = value
    }
  }
}
