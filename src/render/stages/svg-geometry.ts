/**
 * The geometry the raster-cost stage needs to see an SVG the way resvg will draw it: 2-D affine
 * matrices (SVG `transform` syntax), axis-aligned rectangles, lengths and viewBox mappings, and
 * a conservative bounding box of path data (every point and control point, so it can only be
 * too large, never too small).
 */

/** [a, b, c, d, e, f]: x' = a·x + c·y + e, y' = b·x + d·y + f (SVG's matrix order). */
export type Matrix = readonly [number, number, number, number, number, number]

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0]

/** m then n: points are transformed by n first (n is the child's own transform). */
export function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ]
}

export function invert(m: Matrix): Matrix | null {
  const det = m[0] * m[3] - m[1] * m[2]
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return null
  return [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det, (m[2] * m[5] - m[3] * m[4]) / det, (m[1] * m[4] - m[0] * m[5]) / det]
}

export const scaling = (sx: number, sy = sx): Matrix => [sx, 0, 0, sy, 0, 0]
export const translation = (tx: number, ty: number): Matrix => [1, 0, 0, 1, tx, ty]

/** The largest factor by which the matrix stretches a length: what a blur radius becomes on screen. */
export function maxScale(m: Matrix): number {
  return Math.max(Math.hypot(m[0], m[1]), Math.hypot(m[2], m[3]))
}

const TRANSFORM = /(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)/gi

/** SVG transform list → one matrix. Unparsable lists count as identity, as resvg ignores them. */
export function parseTransform(text: string | undefined): Matrix {
  if (!text) return IDENTITY
  let m = IDENTITY
  for (const [, fn, args] of text.matchAll(TRANSFORM)) {
    const a = numbers(args!)
    const rad = (deg: number) => (deg * Math.PI) / 180
    let n: Matrix
    switch (fn!.toLowerCase()) {
      case 'matrix':
        if (a.length !== 6) return IDENTITY
        n = a as unknown as Matrix
        break
      case 'translate':
        n = translation(a[0] ?? 0, a[1] ?? 0)
        break
      case 'scale':
        n = scaling(a[0] ?? 1, a[1] ?? a[0] ?? 1)
        break
      case 'rotate': {
        const r = rad(a[0] ?? 0)
        const rot: Matrix = [Math.cos(r), Math.sin(r), -Math.sin(r), Math.cos(r), 0, 0]
        const [cx = 0, cy = 0] = a.slice(1)
        n = multiply(multiply(translation(cx, cy), rot), translation(-cx, -cy))
        break
      }
      case 'skewx':
        n = [1, 0, Math.tan(rad(a[0] ?? 0)), 1, 0, 0]
        break
      default:
        n = [1, Math.tan(rad(a[0] ?? 0)), 0, 1, 0, 0]
    }
    m = multiply(m, n)
  }
  return m.every(Number.isFinite) ? m : IDENTITY
}

const NUMBER = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g

export function numbers(text: string): number[] {
  return Array.from(text.matchAll(NUMBER), (m) => Number(m[0]))
}

/** The bounding box of a rectangle after a transform (exact for scale/translate, larger for rotations). */
export function transformRect(m: Matrix, r: Rect): Rect {
  const xs = [r.x, r.x + r.width]
  const ys = [r.y, r.y + r.height]
  let x0 = Infinity
  let y0 = Infinity
  let x1 = -Infinity
  let y1 = -Infinity
  for (const x of xs) {
    for (const y of ys) {
      const tx = m[0] * x + m[2] * y + m[4]
      const ty = m[1] * x + m[3] * y + m[5]
      x0 = Math.min(x0, tx)
      y0 = Math.min(y0, ty)
      x1 = Math.max(x1, tx)
      y1 = Math.max(y1, ty)
    }
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}

export function union(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b
  if (!b) return a
  const x = Math.min(a.x, b.x)
  const y = Math.min(a.y, b.y)
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y }
}

/** null when they do not overlap. */
export function intersect(a: Rect, b: Rect): Rect | null {
  const x = Math.max(a.x, b.x)
  const y = Math.max(a.y, b.y)
  const width = Math.min(a.x + a.width, b.x + b.width) - x
  const height = Math.min(a.y + a.height, b.y + b.height) - y
  return width > 0 && height > 0 ? { x, y, width, height } : null
}

export function grow(r: Rect, dx: number, dy = dx): Rect {
  return { x: r.x - dx, y: r.y - dy, width: r.width + 2 * dx, height: r.height + 2 * dy }
}

/** Pixels of the integer rectangle resvg allocates for a device-space box (0 when empty). */
export function pixelArea(r: Rect | null): number {
  if (!r || !(r.width > 0) || !(r.height > 0)) return 0
  return (Math.ceil(r.x + r.width) - Math.floor(r.x)) * (Math.ceil(r.y + r.height) - Math.floor(r.y))
}

const UNIT_PX: Record<string, number> = { '': 1, px: 1, pt: 4 / 3, pc: 16, mm: 96 / 25.4, cm: 96 / 2.54, in: 96, em: 16, rem: 16, ex: 8 }

/** A length in user units; percentages of `ref`, absolute units at 96 dpi, em at 16 px. */
export function length(value: string | undefined, ref: number, fallback: number): number {
  if (value === undefined) return fallback
  const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*(%|px|pt|pc|mm|cm|in|em|rem|ex)?\s*$/i.exec(value)
  if (!m) return fallback
  const unit = (m[2] ?? '').toLowerCase()
  return Number(m[1]) * (unit === '%' ? ref / 100 : UNIT_PX[unit]!)
}

/** A filter region value: objectBoundingBox units take fractions or percentages. */
export function fraction(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const v = value.trim()
  return v.endsWith('%') ? Number(v.slice(0, -1)) / 100 : Number(v)
}

export function viewBoxOf(attrs: Record<string, string>): Rect | null {
  const vb = numbers(attrs.viewBox ?? '')
  return vb.length === 4 && vb[2]! > 0 && vb[3]! > 0 ? { x: vb[0]!, y: vb[1]!, width: vb[2]!, height: vb[3]! } : null
}

/** viewBox → viewport, per preserveAspectRatio (alignment taken as xMidYMid, which is all the estimate needs). */
export function viewBoxTransform(vb: Rect, box: Rect, preserve: string | undefined): Matrix {
  const sx = box.width / vb.width
  const sy = box.height / vb.height
  if (/none/.test(preserve ?? '')) return multiply(translation(box.x, box.y), multiply(scaling(sx, sy), translation(-vb.x, -vb.y)))
  const s = /slice/.test(preserve ?? '') ? Math.max(sx, sy) : Math.min(sx, sy)
  const tx = box.x + (box.width - vb.width * s) / 2
  const ty = box.y + (box.height - vb.height * s) / 2
  return multiply(translation(tx, ty), multiply(scaling(s), translation(-vb.x, -vb.y)))
}

const PATH_TOKEN = /[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/g
const ARITY: Record<string, number> = { m: 2, l: 2, h: 1, v: 1, c: 6, s: 4, q: 4, t: 2, a: 7, z: 0 }

/**
 * Bounding box of path data, conservatively: the hull of every on-curve and control point (a
 * Bézier lies inside it), arcs grown by their radius.
 */
export function pathBBox(d: string): Rect | null {
  let x0 = Infinity
  let y0 = Infinity
  let x1 = -Infinity
  let y1 = -Infinity
  const add = (x: number, y: number, r = 0) => {
    x0 = Math.min(x0, x - r)
    y0 = Math.min(y0, y - r)
    x1 = Math.max(x1, x + r)
    y1 = Math.max(y1, y + r)
  }
  let cmd = ''
  let args: number[] = []
  let cx = 0
  let cy = 0
  let sx = 0
  let sy = 0
  const run = () => {
    const rel = cmd === cmd.toLowerCase()
    const c = cmd.toLowerCase()
    const fromX = cx
    const fromY = cy
    const ox = rel ? cx : 0
    const oy = rel ? cy : 0
    if (c === 'h') cx = ox + args[0]!
    else if (c === 'v') cy = oy + args[0]!
    else if (c === 'a') {
      cx = ox + args[5]!
      cy = oy + args[6]!
      // The arc's centre is within one radius of both ends (radii too small are scaled up to
      // half the chord), so the arc is within two radii of either end.
      const r = 2 * Math.max(Math.abs(args[0]!), Math.abs(args[1]!), Math.hypot(cx - fromX, cy - fromY) / 2)
      add(fromX, fromY, r)
      add(cx, cy, r)
    } else {
      for (let i = 0; i + 1 < args.length; i += 2) add(ox + args[i]!, oy + args[i + 1]!)
      cx = ox + args[args.length - 2]!
      cy = oy + args[args.length - 1]!
    }
    add(cx, cy)
    if (c === 'm') {
      sx = cx
      sy = cy
      cmd = rel ? 'l' : 'L' // further pairs after a moveto are linetos
    }
  }
  for (const [tok] of d.matchAll(PATH_TOKEN)) {
    if (/[A-Za-z]/.test(tok)) {
      cmd = tok
      args = []
      if (tok === 'z' || tok === 'Z') {
        cx = sx
        cy = sy
      }
      continue
    }
    const arity = ARITY[cmd.toLowerCase()]
    if (!arity) continue
    args.push(Number(tok))
    if (args.length === arity) {
      run()
      args = []
    }
  }
  return x0 === Infinity ? null : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }
}
