/**
 * What one SVG filter costs resvg, made as small as the picture allows.
 *
 * - Clamps in device pixels, so no CSS route (var(), calc(), em, transforms, SVG written by the
 *   user) gets past the limits: a blur's standard deviation to MAX_SHADOW_BLUR_PX × device_scale
 *   (half that for shadows, whose CSS radius is 2σ), a morphology radius and a box-shadow's
 *   spread (satori draws it as a stroke of twice its width) to MAX_SHADOW_SPREAD_PX × device_scale.
 * - Cuts the region. resvg 2.6.2 allocates a filtered group's whole filter region, unclipped
 *   (measured: a 40 px box with a 1000 px shadow asked for 1 TB, 4 TB under scale(2)), and
 *   satori sizes a shadow's region by blur²/4. Only what can reach the canvas matters: the
 *   region is cut to the visible area grown by the filter's reach (4σ + 4 px a blur, offsets,
 *   radii) and, when the output can only lie near the source, to the source grown by that
 *   reach. On 48 outer and text shadows at device scales 1–3 the pixels stayed the same (two off
 *   by one level on a few pixels at scale 3); a 4000×4000 region went from 6.1 s and +333 MB to
 *   90 ms and +35 MB. Inset shadows do change: satori nests a mask in the filtered group, and
 *   what resvg draws for it depends on the enclosing region's size (measured: under satori's
 *   region `inset 5px 5px 30px 10px` fills its whole box; under the cut one its soft inner edge
 *   shows, as a browser draws it).
 */
import { fraction, grow, intersect, invert, length, maxScale, multiply, numbers, transformRect, type Matrix, type Rect } from './svg-geometry.js'
import type { SvgNode } from './svg-tree.js'
import type { DocState } from './raster-cost.js'

/** Filter primitives whose output depends only on nearby input: the region can be cut to what is seen. */
const LOCAL_PRIMITIVES = new Set([
  'feGaussianBlur', 'feOffset', 'feFlood', 'feComposite', 'feMerge', 'feColorMatrix', 'feComponentTransfer', 'feBlend',
  'feMorphology', 'feDropShadow',
])

/** What the raster-cost walk lends the filter code. */
export interface FilterHost {
  readonly scale: number
  readonly limits: { shadowBlurPx: number; shadowSpreadPx: number }
  /** Spread clamps so far: each one invalidates the bounding boxes measured before it. */
  clamps: number
  warn(message: string): void
  bbox(st: DocState, node: SvgNode): { fill: Rect | null; stroke: Rect | null }
  ownTransform(st: DocState, node: SvgNode): Matrix
}

export interface FilterRegion {
  /** The region in device pixels: the size of the layer resvg allocates. */
  device: Rect
  /** Region-sized pixmaps applying the filter takes besides the layer. */
  buffers: number
}

/**
 * Clamps the filter's blur and radii, cuts its region to what can be seen, and returns that
 * region in device pixels with the number of region-sized buffers applying it takes.
 */
export function filterRegion(
  host: FilterHost,
  st: DocState,
  node: SvgNode,
  filter: SvgNode,
  T: Matrix,
  clip: Rect | null,
  /** Where, in device pixels, the region may start at the earliest (raster-cost.ts, `Frame`). */
  start?: { x: number; y: number },
): FilterRegion | null {
  const fa = st.svg.attrs(filter)
  const primitives = filter.children.filter((c) => c.name.startsWith('fe'))
  if (primitives.length === 0) return null // an empty filter draws nothing
  const s = maxScale(T)
  const id = fa.id ?? ''
  // satori's shadow filters: `satori_s-` for text shadows, and (patched, for an id of their own)
  // `satori_bs-` for box shadows; a box shadow's filter has no feMerge.
  const shadow = id.startsWith('satori_s-') || id.startsWith('satori_bs-')
  const property = shadow ? (primitives.some((p) => p.name === 'feMerge') ? 'text-shadow' : 'box-shadow') : id.startsWith('satori_') ? 'filter' : 'svg filter'
  // CSS blur radii: a shadow's is 2σ, filter: blur()'s is σ.
  const sigmaMax = ((shadow ? 0.5 : 1) * host.limits.shadowBlurPx * host.scale) / s
  const radiusMax = (host.limits.shadowSpreadPx * host.scale) / s
  if (shadow && property === 'box-shadow') clampSpread(host, st, node, T)

  let reachX = 0
  let reachY = 0
  let local = true
  for (const p of primitives) {
    const pa = st.svg.attrs(p)
    local &&= LOCAL_PRIMITIVES.has(p.name) && pa.x === undefined && pa.y === undefined && pa.width === undefined && pa.height === undefined
    if (p.name === 'feGaussianBlur' || p.name === 'feDropShadow') {
      const sd = numbers(pa.stdDeviation ?? '0')
      const sx = Math.abs(sd[0] ?? 0)
      const sy = Math.abs(sd[1] ?? sx)
      const cx = Math.min(sx, sigmaMax)
      const cy = Math.min(sy, sigmaMax)
      if (cx < sx || cy < sy) {
        st.svg.set(p, { stdDeviation: cx === cy ? round(cx) : `${round(cx)} ${round(cy)}` })
        const css = (Math.max(sx, sy) * s) / host.scale / (shadow ? 0.5 : 1)
        host.warn(`${property}: blur ${round(css)}px clamped to ${host.limits.shadowBlurPx}px (MAX_SHADOW_BLUR_PX, after var(), calc() and transforms)`)
      }
      // resvg's box blur (σ > 2) reaches 2.8σ (three boxes of 1.88σ), its IIR blur (σ ≤ 2)
      // fades below half a level within 5σ: 4σ + 4 device px is past both.
      reachX += 4 * cx + 4 / s
      reachY += 4 * cy + 4 / s
    }
    if (p.name === 'feMorphology') {
      const r = numbers(pa.radius ?? '0').map(Math.abs)
      const rx = Math.min(r[0] ?? 0, radiusMax)
      const ry = Math.min(r[1] ?? r[0] ?? 0, radiusMax)
      if (rx < (r[0] ?? 0) || ry < (r[1] ?? r[0] ?? 0)) {
        st.svg.set(p, { radius: `${round(rx)} ${round(ry)}` })
        host.warn(`${property}: radius ${round((Math.max(...r) * s) / host.scale)}px clamped to ${host.limits.shadowSpreadPx}px (MAX_SHADOW_SPREAD_PX)`)
      }
      reachX += rx
      reachY += ry
    }
    if (p.name === 'feOffset' || p.name === 'feDropShadow') {
      reachX += Math.abs(Number(pa.dx ?? 0)) || 0
      reachY += Math.abs(Number(pa.dy ?? 0)) || 0
    }
  }

  const obb = fa.filterUnits !== 'userSpaceOnUse'
  let region: Rect
  if (obb) {
    const b = host.bbox(st, node).fill
    if (!b || b.width <= 0 || b.height <= 0) return null // no bounding box: resvg draws nothing
    const x = fraction(fa.x, -0.1)
    const y = fraction(fa.y, -0.1)
    region = { x: b.x + x * b.width, y: b.y + y * b.height, width: fraction(fa.width, 1.2) * b.width, height: fraction(fa.height, 1.2) * b.height }
  } else {
    const vw = st.viewport.width
    const vh = st.viewport.height
    region = { x: length(fa.x, vw, -0.1 * vw), y: length(fa.y, vh, -0.1 * vh), width: length(fa.width, vw, 1.2 * vw), height: length(fa.height, vh, 1.2 * vh) }
  }
  if (![region.x, region.y, region.width, region.height].every(Number.isFinite) || region.width <= 0 || region.height <= 0) return null

  const inverse = invert(T)
  const single = (st.filterUsers.get(id) ?? 0) === 1
  const cuttable = !!inverse && local && single && fa.primitiveUnits !== 'objectBoundingBox'
  if (clip && cuttable) {
    let wanted: Rect | null = grow(transformRect(inverse, clip), reachX, reachY)
    if (confined(st, primitives)) {
      const source = host.bbox(st, node).stroke
      wanted = source && intersect(wanted, grow(source, reachX, reachY))
    }
    const cut = wanted && intersect(region, wanted)
    // Nothing of it can be seen: keep one device pixel at the region's corner, out of sight.
    const next = cut ?? { x: region.x, y: region.y, width: 1 / s, height: 1 / s }
    if (next.width * next.height < region.width * region.height * 0.99) region = setRegion(st, filter, next, Math.floor)
  }
  // Groups drawn inside this layer are placed from its corner, and resvg cannot place one more
  // than twice the canvas from it (raster-cost.ts, `Frame`): the region starts no earlier than
  // `start`, which only cuts off what lies past the canvas by more than the canvas's own size.
  if (start && cuttable && T[1] === 0 && T[2] === 0) {
    const device = transformRect(T, region)
    const x = Math.max(device.x, start.x)
    const y = Math.max(device.y, start.y)
    const cut = { x, y, width: device.x + device.width - x, height: device.y + device.height - y }
    if ((x > device.x || y > device.y) && cut.width > 0 && cut.height > 0) region = setRegion(st, filter, transformRect(inverse!, cut), Math.ceil)
  }
  // The layer, a copy of the source graphic, and one result per primitive (measured: a
  // 4000×4000 region with three primitives +317 MB, five 64 MB pixmaps).
  return { device: transformRect(T, region), buffers: primitives.length + 1 }
}

/**
 * Writes the region in user units, to a thousandth: its corner rounded with `corner` (down to
 * keep all of it, up to stay inside a bound), its far edges rounded out.
 */
function setRegion(st: DocState, filter: SvgNode, r: Rect, corner: (n: number) => number): Rect {
  const x0 = corner(r.x * 1000) / 1000
  const y0 = corner(r.y * 1000) / 1000
  st.svg.set(filter, {
    filterUnits: 'userSpaceOnUse',
    x: String(x0),
    y: String(y0),
    width: String(Math.ceil((r.x + r.width - x0) * 1000) / 1000),
    height: String(Math.ceil((r.y + r.height - y0) * 1000) / 1000),
  })
  return r
}

/** satori draws a box-shadow's spread as a stroke of twice its width around the shadow's shape. */
function clampSpread(host: FilterHost, st: DocState, node: SvgNode, T: Matrix): void {
  for (const shape of node.children) {
    const sa = st.svg.attrs(shape)
    const width = Number(sa['stroke-width'] ?? 0)
    if (!(width > 0)) continue
    const s = maxScale(multiply(T, host.ownTransform(st, shape)))
    const max = (2 * host.limits.shadowSpreadPx * host.scale) / s
    if (width <= max) continue
    st.svg.set(shape, { 'stroke-width': round(max) })
    st.boxes.clear()
    host.clamps++
    host.warn(`box-shadow: spread ${round((width / 2) * s / host.scale)}px clamped to ${host.limits.shadowSpreadPx}px (MAX_SHADOW_SPREAD_PX, after var(), calc() and transforms)`)
  }
}

/**
 * True when the filter's output can only be non-transparent near its source: every result
 * derives from SourceGraphic/SourceAlpha through blurs, offsets and compositing that keeps
 * coverage (`in`, `atop`), never from a flood or a colour matrix that could raise alpha alone.
 */
function confined(st: DocState, primitives: SvgNode[]): boolean {
  const results = new Map<string, boolean>()
  let previous = true
  const input = (name: string | undefined) =>
    name === undefined ? previous : name === 'SourceGraphic' || name === 'SourceAlpha' ? true : (results.get(name) ?? false)
  for (const p of primitives) {
    const a = st.svg.attrs(p)
    let out: boolean
    switch (p.name) {
      case 'feGaussianBlur':
      case 'feOffset':
      case 'feMorphology':
      case 'feDropShadow':
        out = input(a.in)
        break
      case 'feComposite': {
        const op = a.operator ?? 'over'
        if (op === 'in') out = input(a.in) || input(a.in2)
        else if (op === 'atop') out = input(a.in2)
        else if (op === 'out') out = input(a.in)
        else if (op === 'arithmetic' && Number(a.k4 ?? 0) !== 0) out = false // k4 adds colour everywhere
        else out = input(a.in) && input(a.in2)
        break
      }
      case 'feMerge':
        out = p.children.every((n) => input(st.svg.attrs(n).in))
        break
      case 'feBlend':
        out = input(a.in) && input(a.in2)
        break
      default:
        out = false
    }
    if (a.result) results.set(a.result, out)
    previous = out
  }
  return previous
}

function round(n: number): string {
  return String(Math.round(n * 1000) / 1000)
}
