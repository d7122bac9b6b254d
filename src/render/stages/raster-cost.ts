/**
 * Stage 4a: the SVG resvg is about to draw, checked and made affordable. This is the last word
 * on raster cost because it reads what resvg reads: lengths after var(), calc(), em and
 * transforms, nested SVG images, whatever CSS route produced them.
 *
 * - Filters are clamped and their regions cut to what can be seen (svg-filter-region.ts):
 *   `--b:1000px; box-shadow: 0 0 var(--b)` and `transform: scale(50)` on a clamped shadow end
 *   up where a plain clamped shadow does, and a shadow costs its visible area, not satori's.
 * - What resvg will then allocate is estimated in one walk (the canvas and its copy, decoded
 *   images, the layers alive at once: a filtered, masked, clipped or translucent group is drawn
 *   into a pixmap of its own, nested ones stack up) and the page refused (422) past the worker's
 *   budget before resvg allocates anything. Each constant says what it was measured on (peak
 *   RSS of a fresh process over a warm baseline, rasterize only).
 * - The same walk keeps every layer where resvg can place it (`Frame`): a layer resvg would
 *   abort the process on is not drawn.
 */
import { imageSize } from 'image-size'
import { AppError } from '../../errors/catalogue.js'
import { decodeDataUri, splitDataUri } from '../../net/data-uri.js'
import {
  grow, intersect, length, multiply, parseTransform, pathBBox, pixelArea, scaling, transformRect, translation, union,
  viewBoxOf, viewBoxTransform, fraction, type Matrix, type Rect,
} from './svg-geometry.js'
import { EditableSvg, readSatoriSvg, readUserSvg, type SvgDocument, type SvgNode } from './svg-tree.js'
import { filterRegion, type FilterHost, type FilterRegion } from './svg-filter-region.js'
import { formatBytes, memoryBudget, overBudget } from './memory-budget.js'
import type { RenderLimits } from '../job.js'

/** RGBA, premultiplied, 8 bits a channel: tiny-skia's pixmaps. Measured: a 2000×2000 canvas and 4 nested opacity layers +80 MB. */
const BYTES_PER_PIXEL = 4
/**
 * resvg's canvas and the Buffer of its pixels handed to sharp (measured at 6000×6000: +282 MB
 * for two 144 MB copies; libvips encodes in tiles, without a third). A palette PNG adds a byte a
 * pixel of indices (a quarter canvas) while both copies may still be alive: 2.25 canvases, inside
 * the 2 × HEADROOM = 2.3 this constant already reserves.
 */
const CANVAS_COPIES = 2
/** resvg's parsed tree per byte of SVG (measured 1.5–1.65× on 13.6 and 35.7 MB text-heavy SVGs). */
const PARSE_BYTES_PER_SVG_BYTE = 2
/**
 * A raster image is decoded when resvg builds its render tree and kept until the render ends
 * (measured: four 5000×5000 PNGs +440 MB, i.e. 4 bytes a pixel each, plus the decoder's buffer
 * for the one being decoded).
 */
const DECODE_BUFFER_BYTES_PER_PIXEL = 3
/**
 * A mask or clip path is drawn into a pixmap the size of its layer, then turned into an alpha
 * mask of a byte a pixel (measured: a 2000×2000 masked layer +20 MB over the layer itself).
 */
const MASK_BUFFERS = 1.25
/**
 * Allocator overhead over the sum of the pixmaps: measured up to 13 % (a mask, a clip, a 1000 px
 * pattern tile on a 2000×2000 canvas), so the estimate is taken 15 % higher.
 */
const HEADROOM = 1.15
/** Past this many element visits (`<use>` expanding `<use>`…) the SVG is refused. */
const MAX_VISITS = 200_000
const MAX_NESTING = 512

/** Never drawn where they stand; drawn when referenced (masks, clips, patterns) or not at all. */
const NOT_DRAWN = new Set([
  'defs', 'mask', 'clipPath', 'filter', 'pattern', 'linearGradient', 'radialGradient', 'symbol', 'marker', 'style', 'title',
  'desc', 'metadata', 'script', 'text', 'foreignObject',
])

export interface RasterCostOptions {
  scale: number
  limits: Pick<RenderLimits, 'shadowBlurPx' | 'shadowSpreadPx' | 'memoryBudgetBytes'>
}

export interface RasterEstimate {
  bytes: number
  canvas: number
  layers: number
  images: number
  parse: number
}

export interface RasterCostResult {
  svg: string
  warnings: string[]
  estimate: RasterEstimate
}

/**
 * The pixmap a group is drawn into, in device pixels, and the size resvg 2.6.2 takes its layer
 * limit from. resvg fits every layer (a filtered, masked, clipped, translucent or blended group)
 * into [-2W, 2W) × [-2H, 2H) of the pixmap it is drawn into, W × H being the canvas (or, inside
 * a nested SVG image, the pixmap that image is drawn into), and when a layer lies wholly outside
 * it unwraps an empty rectangle (geom.rs:27, fit_to_rect) and panics: the worker process aborts.
 * A layer's content is drawn from the layer's own corner, so a group inside a layer that starts
 * far above or left of the canvas can fall outside while it is on the canvas
 * (`opacity: .5; filter: blur(40px)` on a one-line snippet: the blur's region starts 3σ above
 * the 22 px canvas, its layer at -2H, and the translucent text inside lay past 2H from there).
 */
interface Frame {
  x: number
  y: number
  width: number
  height: number
  W: number
  H: number
}

/** Pixels kept off each side of resvg's limit: its single-precision geometry may round the other way. */
const LIMIT_MARGIN = 2

/** The layer resvg allocates for a box, fitted into the frame's limit; null when it cannot be (resvg panics). */
function fitLayer(box: Rect, frame: Frame, filtered: boolean): Frame | null {
  // A filtered group's layer is its region, rounded out; any other group's, its box + 2 px.
  const pad = filtered ? 0 : 2
  const left = Math.floor(box.x) - pad
  const top = Math.floor(box.y) - pad
  const right = left + Math.max(1, Math.ceil(box.width)) + 2 * pad
  const bottom = top + Math.max(1, Math.ceil(box.height)) + 2 * pad
  const m = LIMIT_MARGIN
  const fits = left < frame.x + 2 * frame.W - m && right > frame.x - 2 * frame.W + m && top < frame.y + 2 * frame.H - m && bottom > frame.y - 2 * frame.H + m
  if (!fits) return null
  // Where resvg puts the layer: the frame's limit cuts it.
  const x = Math.max(left, frame.x - 2 * frame.W)
  const y = Math.max(top, frame.y - 2 * frame.H)
  return { x, y, width: Math.min(right, frame.x + 2 * frame.W) - x, height: Math.min(bottom, frame.y + 2 * frame.H) - y, W: frame.W, H: frame.H }
}

/** Attributes that make resvg draw an element into a layer of its own. */
function isolates(name: string, a: Record<string, string>, depth: number): boolean {
  const blend = a['mix-blend-mode']
  return (
    a.filter !== undefined || a.mask !== undefined || a['clip-path'] !== undefined || (a.opacity !== undefined && Number(a.opacity) < 1) ||
    (!!blend && blend !== 'normal') || a.isolation === 'isolate' || (name === 'svg' && depth > 0)
  )
}

export interface DocState {
  svg: EditableSvg
  nested: boolean
  boxes: Map<SvgNode, { fill: Rect | null; stroke: Rect | null }>
  filterUsers: Map<string, number>
  viewport: Rect
}

const urlRef = (value: string | undefined): string | undefined => /^\s*url\(\s*['"]?#([^'")\s]+)['"]?\s*\)/.exec(value ?? '')?.[1]

/** The element a `url(#id)` points at; undefined without a reference, null for a broken one. */
function referenced(st: DocState, value: string | undefined): SvgNode | null | undefined {
  if (value === undefined) return undefined
  const id = urlRef(value)
  return id === undefined ? undefined : (st.svg.doc.ids.get(id) ?? null)
}

class RasterCost implements FilterHost {
  readonly warnings: string[] = []
  /** Decoded raster images, alive for the whole render. */
  imageBytes = 0
  decodeBuffer = 0
  imageCount = 0
  /** Spread clamps so far: each one invalidates the bounding boxes measured before it. */
  clamps = 0
  #visits = 0
  /** Inside the target of a `<use>`: an element there is drawn once per reference. */
  #inUse = 0
  readonly #nestedTrivial = new Set<string>()

  constructor(
    readonly scale: number,
    readonly limits: RasterCostOptions['limits'],
    /** The canvas's bytes: what a nested SVG image is drawn into besides its own layers. */
    readonly canvasBytes: number,
  ) {}

  warn(message: string): void {
    if (!this.warnings.includes(message) && this.warnings.length < 50) this.warnings.push(message)
  }

  state(doc: SvgDocument, nested: boolean, viewport: Rect): DocState {
    const filterUsers = new Map<string, number>()
    const stack = doc.root ? [doc.root] : []
    while (stack.length) {
      const n = stack.pop()!
      const id = urlRef(n.attrs.filter)
      if (id) filterUsers.set(id, (filterUsers.get(id) ?? 0) + 1)
      for (const c of n.children) stack.push(c)
    }
    return { svg: new EditableSvg(doc), nested, boxes: new Map(), filterUsers, viewport }
  }

  /** The element's own transform, plus what `use` and nested `svg` add. */
  ownTransform(st: DocState, node: SvgNode): Matrix {
    const a = st.svg.attrs(node)
    let m = parseTransform(a.transform)
    if (node.name === 'use') {
      m = multiply(m, translation(length(a.x, st.viewport.width, 0), length(a.y, st.viewport.height, 0)))
      // A symbol with a viewBox is fitted into the use's width × height (inline-svg-images.ts).
      const target = st.svg.doc.ids.get((a.href ?? a['xlink:href'] ?? '').replace(/^#/, ''))
      const vb = target?.name === 'symbol' ? viewBoxOf(st.svg.attrs(target)) : undefined
      if (target && vb) {
        const box = { x: 0, y: 0, width: length(a.width, st.viewport.width, vb.width), height: length(a.height, st.viewport.height, vb.height) }
        m = multiply(m, viewBoxTransform(vb, box, st.svg.attrs(target).preserveAspectRatio))
      }
    }
    if (node.name === 'svg') {
      const box = { x: length(a.x, st.viewport.width, 0), y: length(a.y, st.viewport.height, 0), width: length(a.width, st.viewport.width, st.viewport.width), height: length(a.height, st.viewport.height, st.viewport.height) }
      const vb = viewBoxOf(a)
      m = multiply(m, vb ? viewBoxTransform(vb, box, a.preserveAspectRatio) : translation(box.x, box.y))
    }
    return m
  }

  drawnChildren(st: DocState, node: SvgNode): SvgNode[] {
    if (node.name === 'use') {
      const target = st.svg.doc.ids.get((st.svg.attrs(node).href ?? st.svg.attrs(node)['xlink:href'] ?? '').replace(/^#/, ''))
      if (!target) return []
      return target.name === 'symbol' ? target.children : [target]
    }
    return node.children
  }

  /** Fill and stroke bounding boxes in the element's own coordinates (before its transform). */
  bbox(st: DocState, node: SvgNode, depth = 0): { fill: Rect | null; stroke: Rect | null } {
    const known = st.boxes.get(node)
    if (known) return known
    if (depth > MAX_NESTING) throw tooComplex()
    const a = st.svg.attrs(node)
    const vw = st.viewport.width
    const vh = st.viewport.height
    let fill: Rect | null = null
    switch (node.name) {
      case 'rect':
      case 'image':
        fill = { x: length(a.x, vw, 0), y: length(a.y, vh, 0), width: length(a.width, vw, 0), height: length(a.height, vh, 0) }
        break
      case 'circle':
      case 'ellipse': {
        const rx = length(a.rx ?? a.r, vw, 0)
        const ry = length(a.ry ?? a.r, vh, 0)
        fill = { x: length(a.cx, vw, 0) - rx, y: length(a.cy, vh, 0) - ry, width: 2 * rx, height: 2 * ry }
        break
      }
      case 'line': {
        const x1 = length(a.x1, vw, 0)
        const y1 = length(a.y1, vh, 0)
        const x2 = length(a.x2, vw, 0)
        const y2 = length(a.y2, vh, 0)
        fill = { x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) }
        break
      }
      case 'polyline':
      case 'polygon':
        fill = pathBBox(`M${a.points ?? ''}`)
        break
      case 'path':
        fill = pathBBox(a.d ?? '')
        break
    }
    let stroke = fill
    if (fill && a.stroke && a.stroke !== 'none') {
      // Half the width each side, doubled for miter joins: only ever too large.
      stroke = grow(fill, length(a['stroke-width'], vw, 1))
    }
    if (!NOT_DRAWN.has(node.name) || node.name === 'symbol') {
      for (const child of this.drawnChildren(st, node)) {
        if (NOT_DRAWN.has(child.name)) continue
        const m = this.ownTransform(st, child)
        const b = this.bbox(st, child, depth + 1)
        if (b.fill) fill = union(fill, transformRect(m, b.fill))
        if (b.stroke) stroke = union(stroke, transformRect(m, b.stroke))
      }
    }
    const out = { fill, stroke }
    st.boxes.set(node, out)
    return out
  }

  /**
   * Peak bytes resvg holds while drawing `node`, beyond what is already allocated above it.
   * `T` maps the parent's user space to device pixels; `clip` is the device rectangle that can
   * be seen (null where it is not known, e.g. inside masks: regions are then left as written);
   * `frame` the pixmap drawn into (null where resvg draws without its layer limit: clip paths,
   * pattern tiles).
   */
  walk(st: DocState, node: SvgNode, parentT: Matrix, clip: Rect | null, target: number, depth: number, frame: Frame | null): number {
    if (NOT_DRAWN.has(node.name)) return 0
    if (++this.#visits > MAX_VISITS || depth > MAX_NESTING) throw tooComplex()
    const a = st.svg.attrs(node)
    if (a.display === 'none') return 0
    const T = a.transform === undefined && node.name !== 'use' && node.name !== 'svg' ? parentT : multiply(parentT, this.ownTransform(st, node))
    const filter = referenced(st, a.filter)
    if (filter === null) return 0 // resvg does not draw an element whose filter is missing
    const mask = referenced(st, a.mask)
    const clipPath = referenced(st, a['clip-path'])
    const blend = a['mix-blend-mode']
    const isolated =
      !!filter || !!mask || !!clipPath || (a.opacity !== undefined && Number(a.opacity) < 1) ||
      (!!blend && blend !== 'normal') || a.isolation === 'isolate' || (node.name === 'svg' && depth > 0)
    const children = this.drawnChildren(st, node)
    if (!isolated && children.length === 0 && node.name !== 'image' && a.fill === undefined && a.stroke === undefined) return 0

    let region: FilterRegion | null = null
    if (filter) {
      // A layer holding layers starts less than 2W before the visible area's far edge, so that
      // whatever of them is visible lies within 2W of its corner (`Frame`; one pixel for resvg's
      // rounding besides the margin).
      const m = LIMIT_MARGIN + 1
      const start = clip && frame && this.holdsLayers(st, node)
        ? { x: Math.ceil(clip.x + clip.width) - 2 * frame.W + m, y: Math.ceil(clip.y + clip.height) - 2 * frame.H + m }
        : undefined
      region = filterRegion(this, st, node, filter, T, clip, start)
      if (!region) return 0
    }
    let own = frame
    if (isolated && frame) {
      const fitted = this.placeLayer(st, node, T, region, frame)
      if (fitted === null) return this.leaveOut(st, node, T, region, clip)
      own = fitted ?? frame
    }
    const clamps = this.clamps
    let layer = isolated ? this.layerBytes(st, node, T, region) : 0
    const inner = isolated ? layer : target
    let drawing = this.paint(st, node, T, clip, inner, depth, own)
    if (node.name === 'use') this.#inUse++
    try {
      for (const child of children) drawing = Math.max(drawing, this.walk(st, child, T, clip, inner, depth + 1, own))
    } finally {
      if (node.name === 'use') this.#inUse--
    }
    // A spread clamped below makes this layer smaller than it looked before its content was seen.
    if (isolated && this.clamps !== clamps) layer = this.layerBytes(st, node, T, region)
    let applying = region ? layer * region.buffers : 0
    // A mask or clip is drawn into a pixmap the size of the layer, after the content.
    if (mask) applying = Math.max(applying, layer * MASK_BUFFERS + this.content(st, mask, this.contentUnits(st, node, mask, 'maskContentUnits', T), layer, depth, own))
    if (clipPath) applying = Math.max(applying, layer * MASK_BUFFERS + this.content(st, clipPath, this.contentUnits(st, node, clipPath, 'clipPathUnits', T), layer, depth, null))
    return layer + Math.max(drawing, applying)
  }

  /**
   * The isolated group's layer fitted into the frame: null when resvg could not place it,
   * undefined when its box is not known (then its content is checked in the parent's frame).
   * Whether it can be placed is judged on the least the layer can be (the shapes' own box; a
   * filtered group's region is known exactly), where its content goes on the most.
   */
  placeLayer(st: DocState, node: SvgNode, T: Matrix, region: FilterRegion | null, frame: Frame): Frame | null | undefined {
    if (region) return fitLayer(region.device, frame, true)
    const box = this.bbox(st, node)
    if (!box.fill || !box.stroke) return undefined
    if (!fitLayer(transformRect(T, box.fill), frame, false)) return null
    return fitLayer(transformRect(T, box.stroke), frame, false) ?? undefined
  }

  /** A layer resvg cannot place (`Frame`) is left out: it is off the canvas, or said so. */
  leaveOut(st: DocState, node: SvgNode, T: Matrix, region: FilterRegion | null, clip: Rect | null): number {
    // One element drawn for several references cannot be left out for one of them.
    if (this.#inUse > 0) throw new AppError('RENDER_TOO_COMPLEX', 'The SVG to draw places an effect where the rasterizer cannot draw it')
    const root = st.svg.doc.root
    st.svg.set(node.start === root?.start && root ? root : node, { display: 'none' })
    const stroke = this.bbox(st, node).stroke
    const box = region?.device ?? (stroke && transformRect(T, stroke))
    if (clip && box && intersect(clip, box)) this.warn('an effect layer (filter, opacity, mask or clip) lies where the rasterizer cannot place it and was not drawn')
    return 0
  }

  /** Whether any element drawn inside `node` gets a layer of its own (bounded search: true past it). */
  holdsLayers(st: DocState, node: SvgNode): boolean {
    const stack = [...this.drawnChildren(st, node)]
    let visits = 0
    while (stack.length) {
      const n = stack.pop()!
      if (NOT_DRAWN.has(n.name)) continue
      if (++visits > 10_000) return true
      const a = st.svg.attrs(n)
      if (a.display === 'none') continue
      if (isolates(n.name, a, 1)) return true
      stack.push(...this.drawnChildren(st, n))
    }
    return false
  }

  /** A filtered group's layer is its filter region; any other isolated group's, its bounding box + 2 px. */
  layerBytes(st: DocState, node: SvgNode, T: Matrix, region: FilterRegion | null): number {
    if (region) return pixelArea(region.device) * BYTES_PER_PIXEL
    const box = this.bbox(st, node).stroke
    return box ? pixelArea(grow(transformRect(T, box), 2)) * BYTES_PER_PIXEL : 0
  }

  /** Where a mask's or clip path's content is drawn: the element's user space or its bounding box. */
  contentUnits(st: DocState, node: SvgNode, el: SvgNode, attr: string, T: Matrix): Matrix {
    if (st.svg.attrs(el)[attr] !== 'objectBoundingBox') return T
    const b = this.bbox(st, node).fill
    return b ? multiply(T, multiply(translation(b.x, b.y), scaling(b.width, b.height))) : T
  }

  /** What a referenced mask, clip path or pattern costs while it is drawn into its own pixmap. */
  content(st: DocState, el: SvgNode, T: Matrix, target: number, depth: number, frame: Frame | null): number {
    if (depth > MAX_NESTING) throw tooComplex()
    let peak = 0
    for (const child of el.children) peak = Math.max(peak, this.walk(st, child, T, null, target, depth + 1, frame))
    const nestedMask = urlRef(st.svg.attrs(el).mask ?? st.svg.attrs(el)['clip-path'])
    const next = nestedMask ? st.svg.doc.ids.get(nestedMask) : undefined
    if (next && next !== el) peak = Math.max(peak, target + this.content(st, next, T, target, depth + 1, next.name === 'mask' ? frame : null))
    return peak
  }

  /** Pattern tiles and images: drawn into pixmaps of their own. */
  paint(st: DocState, node: SvgNode, T: Matrix, clip: Rect | null, target: number, depth: number, frame: Frame | null): number {
    const a = st.svg.attrs(node)
    let peak = 0
    for (const paintAttr of [a.fill, a.stroke]) {
      const pattern = st.svg.doc.ids.get(urlRef(paintAttr) ?? '')
      if (pattern?.name !== 'pattern') continue
      const p = st.svg.attrs(pattern)
      const b = this.bbox(st, node).fill ?? { x: 0, y: 0, width: 0, height: 0 }
      const obb = p.patternUnits !== 'userSpaceOnUse'
      const w = obb ? fraction(p.width, 0) * b.width : length(p.width, st.viewport.width, 0)
      const h = obb ? fraction(p.height, 0) * b.height : length(p.height, st.viewport.height, 0)
      const PT = multiply(T, parseTransform(p.patternTransform))
      const tile = pixelArea(transformRect(PT, { x: 0, y: 0, width: w, height: h })) * BYTES_PER_PIXEL
      const units = p.patternContentUnits === 'objectBoundingBox' ? multiply(PT, scaling(b.width, b.height)) : PT
      // A tile is drawn in its own coordinates, which `units` does not give: no frame.
      peak = Math.max(peak, tile + this.content(st, pattern, units, tile, depth, null))
    }
    if (node.name !== 'image') return peak
    const href = a.href ?? a['xlink:href'] ?? ''
    const data = splitDataUri(href)
    if (!data) return peak
    if (data.mime.includes('svg')) return Math.max(peak, this.nestedSvg(st, node, href, T, clip, target, frame))
    // resvg draws no raster image inside a nested SVG image (usvg loads none there, measured).
    if (st.nested) return peak
    let size: { width?: number; height?: number }
    try {
      // Headers live in the first bytes; 64 KiB covers JPEGs with large EXIF blocks.
      const head = data.base64 ? Buffer.from(data.body.slice(0, 87384), 'base64') : decodeDataUri(data)
      size = head ? imageSize(head) : {}
    } catch {
      return peak // resvg cannot decode it either: nothing drawn
    }
    const pixels = (size.width ?? 0) * (size.height ?? 0)
    this.imageCount++
    this.imageBytes += pixels * BYTES_PER_PIXEL
    this.decodeBuffer = Math.max(this.decodeBuffer, pixels * DECODE_BUFFER_BYTES_PER_PIXEL)
    return peak
  }

  /**
   * A `data:image/svg+xml` image (inline `<svg>` in the HTML, an SVG `<img>`, a Twemoji): resvg
   * renders it into a pixmap the size of the canvas, whatever the image's size (measured: 100
   * nested images cost 4.7 s on a 2000×2000 canvas, 0.3 s on 500×500; wrapping one in a small
   * isolated group made it no cheaper), then its own layers as in any SVG.
   */
  nestedSvg(st: DocState, node: SvgNode, href: string, T: Matrix, clip: Rect | null, target: number, frame: Frame | null): number {
    if (st.nested) return 0 // not drawn inside a nested image either
    const canvas = Math.max(target, this.canvasBytes)
    if (this.#nestedTrivial.has(href)) return canvas
    const data = splitDataUri(href)!
    const bytes = decodeDataUri(data)
    if (!bytes) return 0
    const doc = readUserSvg(bytes.toString('utf8'))
    if (!doc.root) return 0
    const a = st.svg.attrs(node)
    const ra = doc.root.attrs
    const vb = viewBoxOf(ra)
    const own = { width: length(ra.width, 100, vb?.width ?? 100), height: length(ra.height, 100, vb?.height ?? 100) }
    const box = {
      x: length(a.x, st.viewport.width, 0),
      y: length(a.y, st.viewport.height, 0),
      width: length(a.width, st.viewport.width, own.width),
      height: length(a.height, st.viewport.height, own.height),
    }
    const inner = vb ?? { x: 0, y: 0, ...own }
    const NT = multiply(T, viewBoxTransform(inner, box, a.preserveAspectRatio))
    const nclip = clip && intersect(clip, transformRect(T, box))
    const nst = this.state(doc, true, inner)
    // The root element as a group: its own filter, mask or opacity apply to everything in it.
    // It is drawn into a pixmap of the one it is drawn into, whose size sets its layer limit.
    const nframe = frame && { ...frame, W: frame.width, H: frame.height }
    const peak = this.walk(nst, { ...doc.root, name: 'g' }, NT, nclip, target, 1, nframe)
    if (nst.svg.changed) {
      const attr = a.href !== undefined ? 'href' : 'xlink:href'
      st.svg.set(node, { [attr]: `data:image/svg+xml;base64,${Buffer.from(nst.svg.text()).toString('base64')}` })
    } else if (peak === 0) this.#nestedTrivial.add(href)
    return canvas + peak
  }
}

function tooComplex(): AppError {
  return new AppError('RENDER_TOO_COMPLEX', 'The SVG to draw nests or repeats elements too deeply to be drawn safely')
}

/**
 * Clamps and cuts what can be, estimates what resvg will allocate, and refuses the page with a
 * 422 past the render's memory budget, before resvg allocates anything.
 */
export function guardRasterCost(svg: string, options: RasterCostOptions): RasterCostResult {
  const doc = readSatoriSvg(svg)
  const root = doc.root
  if (!root) return { svg, warnings: [], estimate: { bytes: 0, canvas: 0, layers: 0, images: 0, parse: 0 } }
  const width = Number(root.attrs.width) || 0
  const height = Number(root.attrs.height) || 0
  const viewBox = viewBoxOf(root.attrs) ?? { x: 0, y: 0, width, height }
  const canvasRect = { x: 0, y: 0, width: Math.ceil(width * options.scale), height: Math.ceil(height * options.scale) }
  const T = multiply(scaling(options.scale), viewBoxTransform(viewBox, { x: 0, y: 0, width, height }, 'none'))
  const canvas = canvasRect.width * canvasRect.height * BYTES_PER_PIXEL
  const cost = new RasterCost(options.scale, options.limits, canvas)
  const st = cost.state(doc, false, viewBox)
  let layers = 0
  try {
    const frame = { ...canvasRect, W: canvasRect.width, H: canvasRect.height }
    for (const child of root.children) layers = Math.max(layers, cost.walk(st, child, T, canvasRect, canvas, 1, frame))
  } catch (err) {
    if (err instanceof RangeError) throw tooComplex()
    throw err
  }
  const out = st.svg.changed ? st.svg.text() : svg
  const parse = out.length * PARSE_BYTES_PER_SVG_BYTE
  const images = cost.imageBytes + cost.decodeBuffer
  const sum = parse + images + canvas + Math.max(layers, canvas * (CANVAS_COPIES - 1))
  const estimate = { bytes: Math.round(sum * HEADROOM), canvas: canvas * CANVAS_COPIES, layers, images, parse }
  const budget = memoryBudget(options.limits)
  if (estimate.bytes > budget) {
    const drivers = [
      `canvas ${canvasRect.width}×${canvasRect.height} at device_scale ${options.scale}: ${formatBytes(estimate.canvas)}`,
      cost.imageCount ? `${cost.imageCount} embedded images decoded: ${formatBytes(images)}` : '',
      layers > canvas ? `shadows, filters, masks and opacity layers: ${formatBytes(layers)}` : '',
      parse > 64 * 1024 * 1024 ? `the drawing itself: ${formatBytes(parse)}` : '',
    ].filter(Boolean)
    throw overBudget('draw', estimate.bytes, budget, drivers.join(', '), 'Use fewer or smaller images and effects, or a lower device_scale.')
  }
  return { svg: out, warnings: cost.warnings, estimate }
}
