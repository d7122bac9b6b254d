/**
 * Box backgrounds on the device pixel grid, as Chromium paints them. satori writes each box's
 * background as a `<rect>` at the box's fractional layout position (a table column edge at
 * 101.34375), and resvg anti-aliases both rectangles that meet there: their coverages do not add
 * to one, so two cells of one colour showed a lighter seam between them (case 82's header).
 * Chromium snaps backgrounds to device pixels. Here, where two plain `<rect>` fills of one colour
 * meet (table cells of a row, stripes; not in a mask, clip path, pattern or definitions, not under
 * a transform, no rounded corners), the shared edge is rounded to the nearest device pixel for
 * both, so one pixel column is wholly one or the other. The crop rectangle is whole pixels
 * (crop.ts), so the document's pixel grid is the image's.
 */
import { EditableSvg, readSatoriSvg, type SvgNode } from './svg-tree.js'

/** Subtrees that are not painted as they are, or have a coordinate system of their own. */
const NOT_PAINTED = new Set(['mask', 'clipPath', 'pattern', 'defs', 'symbol', 'marker', 'svg', 'image', 'foreignObject'])

interface Box {
  node: SvgNode
  fill: string
  x0: number
  y0: number
  x1: number
  y1: number
}

const EPSILON = 1e-6

export function snapBoxFills(svg: string, scale: number): string {
  if (!svg.includes('<rect ')) return svg
  const doc = readSatoriSvg(svg)
  if (!doc.root) return svg
  const boxes: Box[] = []
  const collect = (node: SvgNode): void => {
    if (node.name === 'rect') {
      const a = node.attrs
      if (a.transform !== undefined || a.rx !== undefined || a.ry !== undefined || a.fill === undefined || a.fill === 'none' || a.stroke !== undefined) return
      const x = Number(a.x ?? 0)
      const y = Number(a.y ?? 0)
      const w = Number(a.width)
      const h = Number(a.height)
      if ([x, y, w, h].every(Number.isFinite) && w > 0 && h > 0) boxes.push({ node, fill: a.fill, x0: x, y0: y, x1: x + w, y1: y + h })
      return
    }
    if (node.attrs.transform !== undefined) return
    for (const child of node.children) if (!NOT_PAINTED.has(child.name)) collect(child)
  }
  for (const child of doc.root.children) if (!NOT_PAINTED.has(child.name)) collect(child)
  if (boxes.length < 2) return svg

  // Only edges where two fills of one colour meet move: an edge by itself keeps its anti-aliasing
  // (measured: snapping every box edge moved the ink of fidelity cases 11 and 80 away from Chromium).
  // Pairs are compared within one colour, at most 500 boxes of it (0.2 ms on the dense card).
  const snap = (v: number) => Math.round(v * scale) / scale
  const moved = new Map<Box, Box>()
  const edges = (b: Box) => moved.get(b) ?? b
  const byFill = new Map<string, Box[]>()
  for (const b of boxes) {
    const group = byFill.get(b.fill)
    if (group) group.push(b)
    else byFill.set(b.fill, [b])
  }
  for (const group of byFill.values()) {
    if (group.length < 2 || group.length > 500) continue
    for (const a of group) {
      for (const b of group) {
        if (a === b) continue
        const rows = a.y0 < b.y1 - EPSILON && b.y0 < a.y1 - EPSILON
        const cols = a.x0 < b.x1 - EPSILON && b.x0 < a.x1 - EPSILON
        if (rows && Math.abs(a.x1 - b.x0) < EPSILON) {
          const x = snap(a.x1)
          moved.set(a, { ...edges(a), x1: x })
          moved.set(b, { ...edges(b), x0: x })
        }
        if (cols && Math.abs(a.y1 - b.y0) < EPSILON) {
          const y = snap(a.y1)
          moved.set(a, { ...edges(a), y1: y })
          moved.set(b, { ...edges(b), y0: y })
        }
      }
    }
  }
  const edit = new EditableSvg(doc)
  const n = (v: number) => String(Math.round(v * 1e6) / 1e6)
  for (const [box, to] of moved) {
    // A box that would vanish (under half a device pixel) keeps its own edges.
    if (to.x1 <= to.x0 || to.y1 <= to.y0) continue
    edit.set(box.node, { x: n(to.x0), y: n(to.y0), width: n(to.x1 - to.x0), height: n(to.y1 - to.y0) })
  }
  return edit.changed ? edit.text() : svg
}
