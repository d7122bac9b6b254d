/**
 * The canvas background, as a browser paints it: the root element's background covers the
 * whole canvas, and when the root has none, body's background is used for the canvas instead
 * (and body itself then paints none). satori only paints element boxes, so the background that
 * wins the cascade for html/body is found here and moved onto the root, which the user-agent
 * sheet stretches over the whole canvas.
 */
import type { Element } from 'domhandler'
import { declaredValue, rulesMatching } from './selector-match.js'
import { cascadedValue, type Declaration, type StyleRule } from './css-rewrite.js'

const BACKGROUND_PROPS = [
  'background',
  'background-color',
  'background-image',
  'background-size',
  'background-position',
  'background-repeat',
  'background-clip',
  'background-origin',
]

const TRANSPARENT = /^(none|transparent|initial|unset|inherit|revert|rgba?\([^)]*[,/]\s*0(\.0+)?\s*\)|#[0-9a-f]{3}0|#[0-9a-f]{6}00)$/i

function declarations(el: Element, rules: StyleRule[], inline: Record<string, unknown> | undefined): Declaration[] {
  return cascadedValue(rulesMatching(el, rules, BACKGROUND_PROPS), inline, BACKGROUND_PROPS)
}

/** Whether the cascaded background declarations paint anything. */
function paints(decls: Declaration[]): boolean {
  let color = false
  let image = false
  for (const d of decls) {
    const v = declaredValue(d.value)
    if (d.property === 'background') {
      // The shorthand resets both; anything but none/transparent paints something.
      image = false
      color = !TRANSPARENT.test(v)
    } else if (d.property === 'background-color') color = !TRANSPARENT.test(v)
    else if (d.property === 'background-image') image = !TRANSPARENT.test(v)
  }
  return color || image
}

const camel = (p: string) => p.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())

/**
 * When body's background is the canvas's, returns the inline styles to put on html (body's
 * background) and body (none); otherwise undefined.
 */
export function canvasBackground(
  html: Element,
  body: Element | undefined,
  rules: StyleRule[],
  inline: { html?: Record<string, unknown>; body?: Record<string, unknown> },
): { html: Record<string, string>; body: Record<string, string> } | undefined {
  if (!body) return undefined
  if (paints(declarations(html, rules, inline.html))) return undefined
  const bodyDecls = declarations(body, rules, inline.body)
  if (!paints(bodyDecls)) return undefined
  const htmlStyle: Record<string, string> = {}
  for (const d of bodyDecls) htmlStyle[camel(d.property)] = declaredValue(d.value)
  return { html: htmlStyle, body: { background: 'none' } }
}
