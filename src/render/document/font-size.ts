/**
 * Computed font sizes in px, for the decisions the document stage makes before satori lays the
 * page out: `rem` needs the root's size (root-font-size.ts), and synthetic small caps are drawn
 * by Chromium at round(0.7 × the element's size) px (small-caps.ts), which `0.7em` misses by up to
 * half a pixel per letter. Read from the same cascade as the rest of the stage: the page's rules
 * and style attributes, then the user-agent sheet's size for the element's name, else inherited.
 */
import type { Element } from 'domhandler'
import * as csstree from '../../css/css-tree.js'
import { declaredValue, winningDeclaration } from './selector-match.js'
import type { StyleRule } from './css-rewrite.js'
import { userAgentFontSize } from './user-agent-css.js'

export const DEFAULT_FONT_PX = 16

// CSS absolute-size keywords at a 16px medium (CSS Fonts 4, the scale Chromium uses).
const KEYWORDS: Record<string, number> = {
  'xx-small': 9,
  'x-small': 10,
  small: 13,
  medium: 16,
  large: 18,
  'x-large': 24,
  'xx-large': 32,
  'xxx-large': 48,
}
// Chromium's ratio for `smaller` and `larger` from a size that is not a keyword.
const RELATIVE_STEP = 1.2
const PROPERTIES = ['font-size', 'font']

/**
 * A `font-size` value (or a `font` shorthand, whose size is its first length or keyword: a
 * bare number there is a weight, and the walk stops before the line height) in px; `inherit`
 * and friends give the parent's size. Undefined for what is not a plain size (calc(), vw…).
 */
export function fontSizePx(value: string, parentPx: number, rootPx: number): number | undefined {
  const plain = declaredValue(value).toLowerCase()
  if (plain === 'inherit' || plain === 'unset') return parentPx
  if (plain === 'initial') return DEFAULT_FONT_PX
  let ast: csstree.CssNode
  try {
    ast = csstree.parse(plain, { context: 'value' })
  } catch {
    return undefined
  }
  let px: number | undefined
  let done = false
  csstree.walk(ast, {
    enter(node: csstree.CssNode) {
      if (done) return
      if (node.type === 'Function') {
        done = true
        return
      }
      if (node.type === 'Identifier') {
        const name = node.name.toLowerCase()
        if (KEYWORDS[name] !== undefined) px = KEYWORDS[name]
        else if (name === 'smaller') px = parentPx / RELATIVE_STEP
        else if (name === 'larger') px = parentPx * RELATIVE_STEP
        else return
        done = true
      } else if (node.type === 'Percentage') {
        px = (Number(node.value) / 100) * parentPx
        done = true
      } else if (node.type === 'Dimension') {
        const n = Number(node.value)
        const unit = node.unit.toLowerCase()
        px = unit === 'px' ? n : unit === 'em' ? n * parentPx : unit === 'rem' ? n * rootPx : unit === 'pt' ? (n * 4) / 3 : undefined
        done = true
      }
    },
  })
  return px !== undefined && Number.isFinite(px) && px > 0 ? px : undefined
}

/** Each element's computed font size, resolved on demand from its ancestors and cached. */
export class FontSizes {
  readonly #rules: StyleRule[]
  readonly #sizes = new WeakMap<Element, number | null>()

  constructor(
    rules: StyleRule[],
    private readonly inlineStyle: (el: Element) => Record<string, unknown> | undefined,
    private readonly rootPx: number,
  ) {
    this.#rules = rules.filter((r) => r.declarations.some((d) => PROPERTIES.includes(d.property)))
  }

  /** The element's font size in px, or undefined where some size on the way is not understood. */
  px(el: Element): number | undefined {
    if (this.#sizes.has(el)) return this.#sizes.get(el) ?? undefined
    let px: number | undefined
    if (el.name === 'html') px = this.rootPx
    else {
      const parent = el.parent?.type === 'tag' ? this.px(el.parent as Element) : this.rootPx
      if (parent !== undefined) {
        const own = winningDeclaration(el, this.#rules, this.inlineStyle(el), PROPERTIES)?.value ?? userAgentFontSize(el.name)
        px = own === undefined ? parent : fontSizePx(own, parent, this.rootPx)
      }
    }
    this.#sizes.set(el, px ?? null)
    return px
  }
}
