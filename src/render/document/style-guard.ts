/**
 * Caps the CSS that drives raster cost before anything is drawn. Measured on this stack: one
 * `box-shadow: 0 0 1000px 500px` made resvg allocate past 24 GB, and five 200px shadows took
 * 97 s. A browser draws those fine, so instead of refusing the page, blur radii and spreads
 * are clamped to the configured maximum (the shadow still shows, only tighter) and shadows
 * past the count limit are dropped; each change is reported as a warning.
 */
import * as csstree from '../../css/css-tree.js'
import type { SatoriChild, SatoriElement } from './html-to-tree.js'

export interface StyleLimits {
  shadowBlurPx: number
  shadowSpreadPx: number
  shadows: number
}

const SHADOW_PROPS = new Set(['box-shadow', '-webkit-box-shadow', 'text-shadow'])
const FILTER_PROPS = new Set(['filter', 'backdrop-filter', '-webkit-backdrop-filter'])

/** Rough CSS px of a length for limit checks (viewport units taken at the default 1920×1080). */
function toPx(value: number, unit: string): number | undefined {
  switch (unit.toLowerCase()) {
    case 'px':
    case '':
      return value
    case 'em':
    case 'rem':
    case 'ch':
    case 'ex':
      return value * 16
    case 'pt':
      return (value * 4) / 3
    case 'pc':
      return value * 16
    case 'in':
      return value * 96
    case 'cm':
      return (value * 96) / 2.54
    case 'mm':
      return (value * 96) / 25.4
    case 'vw':
    case 'vmax':
      return value * 19.2
    case 'vh':
    case 'vmin':
      return value * 10.8
    default:
      return undefined
  }
}

export class StyleGuard {
  readonly warnings: string[] = []
  #shadows = 0

  constructor(private readonly limits: StyleLimits) {}

  /** Clamps one length node in place; returns true when it was changed. */
  #clamp(node: csstree.CssNode, max: number, what: string, property: string): void {
    if (node.type !== 'Dimension' && node.type !== 'Number') return
    const unit = node.type === 'Dimension' ? node.unit : ''
    const px = toPx(Math.abs(Number(node.value)), unit)
    if (px === undefined || px <= max) return
    this.warnings.push(`${property}: ${what} ${node.value}${unit} clamped to ${max}px (MAX_SHADOW_${what === 'blur' ? 'BLUR' : 'SPREAD'}_PX)`)
    const sign = Number(node.value) < 0 ? -1 : 1
    const replacement = { type: 'Dimension', value: String(sign * max), unit: 'px' }
    Object.assign(node, replacement)
  }

  /** Walks one declaration value (already parsed) and returns false if the declaration must go. */
  #guardValue(property: string, value: csstree.CssNode): boolean {
    const prop = property.toLowerCase()
    if (SHADOW_PROPS.has(prop)) {
      if (value.type !== 'Value') return true
      let layer: csstree.CssNode[] = []
      const layers: csstree.CssNode[][] = []
      value.children.forEach((child) => {
        if (child.type === 'Operator' && child.value === ',') {
          layers.push(layer)
          layer = []
        } else layer.push(child)
      })
      layers.push(layer)
      const real = layers.filter((l) => !(l.length === 1 && l[0]!.type === 'Identifier' && l[0]!.name === 'none'))
      this.#shadows += real.length
      if (this.#shadows > this.limits.shadows) {
        this.warnings.push(`${property}: dropped, the page has more than ${this.limits.shadows} shadows (MAX_SHADOWS)`)
        return false
      }
      for (const l of real) {
        const lengths = l.filter((n) => n.type === 'Dimension' || (n.type === 'Number' && n.value === '0'))
        if (lengths[2]) this.#clamp(lengths[2], this.limits.shadowBlurPx, 'blur', property)
        if (lengths[3] && prop !== 'text-shadow') this.#clamp(lengths[3], this.limits.shadowSpreadPx, 'spread', property)
      }
      return true
    }
    if (FILTER_PROPS.has(prop)) {
      csstree.walk(value, (node) => {
        if (node.type !== 'Function') return
        const args = node.children.toArray().filter((n) => n.type === 'Dimension' || n.type === 'Number')
        const name = node.name.toLowerCase()
        if (name === 'blur' && args[0]) this.#clamp(args[0], this.limits.shadowBlurPx, 'blur', property)
        if (name === 'drop-shadow') {
          if (++this.#shadows > this.limits.shadows) return
          if (args[2]) this.#clamp(args[2], this.limits.shadowBlurPx, 'blur', property)
        }
      })
      if (this.#shadows > this.limits.shadows) {
        this.warnings.push(`${property}: dropped, the page has more than ${this.limits.shadows} shadows (MAX_SHADOWS)`)
        return false
      }
    }
    return true
  }

  /**
   * Returns the stylesheet with costly declarations clamped or removed, and otherwise as it came:
   * only the shadow and filter values are parsed, and the sheet is written again only when one
   * of them changed, with every other value as written. Regenerating every parsed value (as
   * this did) dropped spaces satori needs (`background-position: 100% 0` became `100%0`,
   * `polygon(50% 0, …)` `polygon(50%0,…)`) and re-escaped `url()`s past the image resolver,
   * in any sheet that merely had a `.shadow` class.
   */
  guardSheet(css: string): string {
    if (!/shadow|filter/i.test(css)) return css
    const ast = csstree.parse(css, { parseValue: false, parseCustomProperty: false, parseRulePrelude: false, parseAtrulePrelude: false, onParseError: () => {} })
    let changed = false
    csstree.walk(ast, {
      visit: 'Declaration',
      enter: (node, item, list) => {
        const prop = node.property.toLowerCase()
        if (!SHADOW_PROPS.has(prop) && !FILTER_PROPS.has(prop)) return
        const raw = node.value.type === 'Raw' ? node.value.value : csstree.generate(node.value)
        const outcome = this.#guardText(node.property, raw)
        if (outcome === 'drop') {
          if (list) list.remove(item)
          changed = true
        } else if (outcome !== undefined) {
          node.value = { type: 'Raw', value: outcome }
          changed = true
        }
      },
    })
    return changed ? csstree.generate(ast) : css
  }

  /** Same for an inline style object (camelCased keys, as the tree carries them); values left alone stay as written. */
  guardInline(style: Record<string, unknown>): void {
    for (const [key, raw] of Object.entries(style)) {
      if (typeof raw !== 'string' || !/shadow|filter/i.test(key)) continue
      const property = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/^webkit-/, '-webkit-')
      const outcome = this.#guardText(property, raw)
      if (outcome === 'drop') delete style[key]
      else if (outcome !== undefined) style[key] = outcome
    }
  }

  /** One shadow or filter value as written: 'drop', its clamped text, or undefined when it stays as it is. */
  #guardText(property: string, raw: string): 'drop' | string | undefined {
    let value: csstree.CssNode
    try {
      value = csstree.parse(raw, { context: 'value' })
    } catch {
      return undefined
    }
    const warned = this.warnings.length
    if (!this.#guardValue(property, value)) return 'drop'
    return this.warnings.length > warned ? csstree.generate(value) : undefined
  }

  /** Applies the guard to every `<style>` child and inline style in the tree. */
  guardTree(node: SatoriChild): void {
    if (typeof node === 'string') return
    const el: SatoriElement = node
    if (el.type === 'style' && typeof el.props.children === 'string') {
      el.props.children = this.guardSheet(el.props.children)
      return
    }
    if (el.props.style && typeof el.props.style === 'object') this.guardInline(el.props.style as Record<string, unknown>)
    const children = el.props.children
    if (Array.isArray(children)) for (const c of children) this.guardTree(c)
    else if (children !== undefined) this.guardTree(children)
  }
}
