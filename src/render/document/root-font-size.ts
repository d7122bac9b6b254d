/**
 * `rem` is relative to the root element's font size, which satori 0.63 takes as 16px whatever
 * `html { font-size }` says (a widget sized in rem under `html { font-size: 10px }` came out
 * 1.6× too big). The root size is read from the page's cascade for `<html>` here, and when it
 * is not 16px every `rem` length in the author CSS (sheets and inline styles) is written as the
 * px it stands for before satori sees it.
 */
import type { Element } from 'domhandler'
import * as csstree from 'css-tree'
import { winningDeclaration } from './selector-match.js'
import type { StyleRule } from './css-rewrite.js'

export const DEFAULT_ROOT_PX = 16

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

/**
 * A font-size value in px against the initial 16px (the root has no parent to be relative to);
 * undefined when it is not a plain size. In a `font` shorthand (`italic bold 12px/1.5 serif`)
 * the size is the first length or keyword: a bare number there is a weight, and the walk stops
 * at the first size it meets, before the line height.
 */
function sizePx(value: string): number | undefined {
  let ast: csstree.CssNode
  try {
    ast = csstree.parse(value.replace(/\s*!important\s*$/i, ''), { context: 'value' })
  } catch {
    return undefined
  }
  let px: number | undefined
  csstree.walk(ast, {
    enter(node: csstree.CssNode) {
      if (px !== undefined) return
      if (node.type === 'Identifier' && KEYWORDS[node.name.toLowerCase()] !== undefined) px = KEYWORDS[node.name.toLowerCase()]
      else if (node.type === 'Percentage') px = (Number(node.value) / 100) * DEFAULT_ROOT_PX
      else if (node.type === 'Dimension') {
        const n = Number(node.value)
        const unit = node.unit.toLowerCase()
        px = unit === 'px' ? n : unit === 'em' || unit === 'rem' ? n * DEFAULT_ROOT_PX : unit === 'pt' ? (n * 4) / 3 : undefined
      }
    },
  })
  return px !== undefined && Number.isFinite(px) && px > 0 ? px : undefined
}

/** The root element's font size in px, from the page's rules and `<html style>`. */
export function rootFontSize(html: Element, rules: StyleRule[], inline: Record<string, unknown> | undefined): number {
  const winner = winningDeclaration(html, rules, inline, ['font-size', 'font'])
  return (winner && sizePx(winner.value)) ?? DEFAULT_ROOT_PX
}

/** `css` (a sheet, or a declaration value with `context: 'value'`) with every rem length as px. */
export function remToPx(css: string, rootPx: number, context: 'stylesheet' | 'value' = 'stylesheet'): string {
  if (!/rem/i.test(css)) return css
  let changed = false
  const ast = csstree.parse(css, { context, onParseError: () => {} })
  csstree.walk(ast, {
    visit: 'Dimension',
    enter(node) {
      if (node.unit.toLowerCase() !== 'rem') return
      node.value = String(Math.round(Number(node.value) * rootPx * 10000) / 10000)
      node.unit = 'px'
      changed = true
    },
  })
  return changed ? csstree.generate(ast) : css
}

/** An inline style object with every rem length as px. */
export function remToPxStyle(style: Record<string, unknown> | undefined, rootPx: number): Record<string, unknown> | undefined {
  if (!style) return style
  let out: Record<string, unknown> | undefined
  for (const [key, value] of Object.entries(style)) {
    if (typeof value !== 'string' || !/rem/i.test(value)) continue
    out ??= { ...style }
    out[key] = remToPx(value, rootPx, 'value')
  }
  return out ?? style
}
