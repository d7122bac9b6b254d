/**
 * Stage 3d: what satori wrote with a number it could not compute (`NaN`, `Infinity`) is left out
 * before resvg sees it. satori computes some lengths from values it did not resolve (a shadow
 * in `em` or `calc()` on a flex item gave `stdDeviation="NaN"` and a filter region of `NaN%`),
 * and resvg 2.6.2 panics on such a region (geom.rs:27), which aborts the render worker: every
 * request with that CSS cost a worker and answered 422. A browser drops a declaration it cannot
 * compute; here the element that would be drawn with it is hidden (a shadow, a filtered box) and
 * the render says so. Well-formed output (every number finite, the common case) is returned as it is.
 */
import { EditableSvg, readSatoriSvg, type SvgNode } from './svg-tree.js'

const NON_FINITE = /(?<![\w#-])(?:NaN|-?Infinity)(?![\w-])/

/** Definitions drawn only through references: a bad value inside one hides what references it. */
const REFERENCED = new Set(['filter', 'mask', 'clipPath', 'pattern', 'linearGradient', 'radialGradient', 'marker', 'symbol'])

export interface FiniteSvg {
  svg: string
  warnings: string[]
}

const hasNonFinite = (node: SvgNode) => Object.values(node.attrs).some((v) => NON_FINITE.test(v))

export function leaveOutNonFinite(svg: string): FiniteSvg {
  if (!NON_FINITE.test(svg)) return { svg, warnings: [] }
  const doc = readSatoriSvg(svg)
  if (!doc.root) return { svg, warnings: [] }
  const edit = new EditableSvg(doc)
  // Ids of definitions holding a bad value, and the drawn elements holding one themselves.
  const broken = new Set<string>()
  const hidden: SvgNode[] = []
  const walk = (node: SvgNode, definition: SvgNode | null): void => {
    const def = definition ?? (REFERENCED.has(node.name) ? node : null)
    if (hasNonFinite(node)) {
      if (def?.attrs.id) broken.add(def.attrs.id)
      else if (!def) hidden.push(node)
    }
    for (const child of node.children) walk(child, def)
  }
  for (const child of doc.root.children) walk(child, null)
  // Every element that uses a broken definition (`url(#id)` in any attribute, or `href="#id"`).
  const users = (node: SvgNode): void => {
    for (const [name, value] of Object.entries(node.attrs)) {
      const refs = [...value.matchAll(/url\(\s*['"]?#([^'")\s]+)['"]?\s*\)/g)].map((m) => m[1]!)
      if ((name === 'href' || name === 'xlink:href') && value.startsWith('#')) refs.push(value.slice(1))
      if (refs.some((id) => broken.has(id))) {
        hidden.push(node)
        break
      }
    }
    for (const child of node.children) users(child)
  }
  if (broken.size) users(doc.root)
  if (!hidden.length) return { svg, warnings: [] }
  for (const node of hidden) edit.set(node, { display: 'none' })
  return {
    svg: edit.text(),
    warnings: [
      hidden.length === 1
        ? 'a shape or effect (a shadow, a filter) computed from a length the renderer could not resolve was left out'
        : `${hidden.length} shapes or effects (shadows, filters) computed from lengths the renderer could not resolve were left out`,
    ],
  }
}
