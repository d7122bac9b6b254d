/**
 * `rem` is relative to the root element's font size, which satori 0.63 takes as 16px whatever
 * `html { font-size }` says (a widget sized in rem under `html { font-size: 10px }` came out
 * 1.6× too big). The root size is read from the page's cascade for `<html>` here, and when it
 * is not 16px every `rem` length in the author CSS (sheets and inline styles) is written as the
 * px it stands for before satori sees it.
 */
import type { Element } from 'domhandler'
import * as csstree from '../../css/css-tree.js'
import { winningDeclaration } from './selector-match.js'
import { DEFAULT_FONT_PX, fontSizePx } from './font-size.js'
import type { StyleRule } from './css-rewrite.js'

export const DEFAULT_ROOT_PX = DEFAULT_FONT_PX

/** The root element's font size in px, from the page's rules and `<html style>`. */
export function rootFontSize(html: Element, rules: StyleRule[], inline: Record<string, unknown> | undefined): number {
  const winner = winningDeclaration(html, rules, inline, ['font-size', 'font'])
  // The root has no parent to be relative to: em, % and rem are against the initial 16px.
  return (winner && fontSizePx(winner.value, DEFAULT_ROOT_PX, DEFAULT_ROOT_PX)) ?? DEFAULT_ROOT_PX
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
