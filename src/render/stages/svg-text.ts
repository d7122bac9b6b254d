/**
 * Stage 1b: text inside inline SVG, drawn as glyph outlines with the render's own fonts (the
 * faces satori gets: bundled, script slices, page-loaded). Each run the document stage read
 * (document/svg-text.ts) is shaped with fontkit — kerning, ligatures and joining forms, as a
 * browser's shaper does — and each glyph becomes path data at its pen position, so satori and
 * resvg only ever see `<path>`. A character no face has is reported, not drawn as a box.
 */
import type { Font, Glyph } from 'fontkit'
import type { FontFace } from '../../fonts/bundled-fonts.js'
import type { SatoriChild, SatoriElement } from '../document/html-to-tree.js'
import { SVG_TEXT_RUNS, type SvgTextFont, type SvgTextRun } from '../document/svg-text.js'

/**
 * fontkit and wawoff2 load on the first page with SVG text, not with every worker: a worker's
 * start is on the path of a cold start, and most pages never need them.
 */
let libraries: Promise<{ create: (b: Buffer) => unknown; decompress: (b: Buffer) => Promise<Uint8Array> }> | undefined
function load() {
  libraries ??= (async () => {
    const fontkit = await import('fontkit')
    // @ts-expect-error wawoff2 ships no types; decompress(Buffer) → Promise<Uint8Array> (WOFF2 → TTF)
    const woff2 = (await import('wawoff2')) as { decompress?: (b: Buffer) => Promise<Uint8Array>; default?: { decompress: (b: Buffer) => Promise<Uint8Array> } }
    const create = (fontkit as { create?: (b: Buffer) => unknown }).create ?? (fontkit as unknown as { default: { create: (b: Buffer) => unknown } }).default.create
    return { create, decompress: woff2.decompress ?? woff2.default!.decompress }
  })()
  return libraries
}

/** Parsed faces by their bytes: the render's face buffers are long-lived (font-sets.ts). */
const PARSED = new WeakMap<Buffer, Promise<Font | null>>()

/**
 * A face as fontkit reads it. WOFF2 (every bundled face) is unpacked to TTF by wawoff2's
 * WebAssembly first: fontkit's own JavaScript Brotli took ~145 ms per new face (first glyph
 * lookup and shaping tables), the unpacked one ~28 ms, measured on Roboto Latin.
 */
function parsed(face: FontFace): Promise<Font | null> {
  let font = PARSED.get(face.data)
  if (font === undefined) {
    font = (async () => {
      try {
        const { create, decompress } = await load()
        const woff2 = face.data.subarray(0, 4).toString('latin1') === 'wOF2'
        const bytes = woff2 ? Buffer.from(await decompress(face.data)) : face.data
        const created = create(bytes) as object
        return 'layout' in created ? (created as Font) : null
      } catch {
        return null
      }
    })()
    PARSED.set(face.data, font)
  }
  return font
}

const bare = (family: string) => family.replace(/^['"]|['"]$/g, '').trim().toLowerCase()

/** The render's faces in the order a browser would try them for `font`: its families, then the rest. */
function candidates(faces: FontFace[], font: SvgTextFont): FontFace[] {
  const wanted = font.family.split(',').map(bare)
  const byName = (name: string) => {
    const same = faces.filter((f) => bare(f.name) === name || bare(f.name).startsWith(`${name} `))
    // Nearest weight, then the asked style (CSS font matching, simplified to distance).
    return same.sort((a, b) => Math.abs(a.weight - font.weight) - Math.abs(b.weight - font.weight) || Number((a.style === 'italic') !== font.italic) - Number((b.style === 'italic') !== font.italic))
  }
  const ordered = wanted.flatMap(byName)
  const rest = faces.filter((f) => !ordered.includes(f)).sort((a, b) => Math.abs(a.weight - font.weight) - Math.abs(b.weight - font.weight))
  return [...ordered, ...rest]
}

const round = (n: number) => Math.round(n * 100) / 100

/**
 * Each glyph's outline at one size, as path commands relative to its origin: a glyph is written
 * once per size, then placed with one absolute move per occurrence (a 96,000-character text was
 * 11 s of string building and collection, formatting every point of every occurrence). The
 * relative steps are taken between coordinates rounded to 0.01 px, so an occurrence lands within
 * 0.01 px of where formatting it in page coordinates put it. Per font, bounded by entries.
 */
const OUTLINES = new WeakMap<Font, Map<string, string>>()
const MAX_OUTLINES_PER_FONT = 4096

function glyphOutline(font: Font, glyph: Glyph, scale: number): string {
  let byKey = OUTLINES.get(font)
  if (!byKey) OUTLINES.set(font, (byKey = new Map()))
  const key = `${glyph.id} ${scale}`
  let d = byKey.get(key)
  if (d !== undefined) return d
  d = ''
  // The pen in rounded glyph coordinates, and where the current subpath started (a `z` goes back there).
  let x = 0
  let y = 0
  let startX = 0
  let startY = 0
  for (const c of glyph.path.commands) {
    if (c.command === 'closePath') {
      d += 'z'
      x = startX
      y = startY
      continue
    }
    const op = c.command === 'moveTo' ? 'm' : c.command === 'lineTo' ? 'l' : c.command === 'quadraticCurveTo' ? 'q' : 'c'
    const pts: string[] = []
    // Relative commands measure every point of one command from the pen before it.
    let endX = x
    let endY = y
    for (let k = 0; k < c.args.length; k += 2) {
      const px = round(c.args[k]! * scale)
      const py = round(-c.args[k + 1]! * scale)
      pts.push(`${round(px - x)} ${round(py - y)}`)
      endX = px
      endY = py
    }
    d += op + pts.join(' ')
    x = endX
    y = endY
    if (op === 'm') {
      startX = x
      startY = y
    }
  }
  if (byKey.size >= MAX_OUTLINES_PER_FONT) byKey.clear()
  byKey.set(key, d)
  return d
}

interface Shaped {
  d: string
  width: number
}

/** One run shaped and outlined with its origin at (0, 0) on the baseline. */
async function shape(run: SvgTextRun, faces: FontFace[], missing: Set<string>): Promise<Shaped & { ascent: number; descent: number; xHeight: number }> {
  const order = candidates(faces, run.font)
  // Faces are parsed only when reached (a woff2 face costs ~10 ms to decode and parse): most
  // text finds all its characters in the first one.
  const seen = new Map<number, Font | null>()
  const faceFor = async (cp: number): Promise<Font | null> => {
    let font = seen.get(cp)
    if (font === undefined) {
      font = null
      for (const face of order) {
        const f = await parsed(face)
        if (f?.hasGlyphForCodePoint(cp)) {
          font = f
          break
        }
      }
      seen.set(cp, font)
    }
    return font
  }
  let d = ''
  let pen = 0
  let metrics = { ascent: 0, descent: 0, xHeight: 0 }
  // Consecutive characters one face can draw are shaped together (ligatures, kerning, joining).
  const chars = [...run.text]
  let i = 0
  while (i < chars.length) {
    const cp = chars[i]!.codePointAt(0)!
    const font = await faceFor(cp)
    let j = i + 1
    while (j < chars.length && font && (await faceFor(chars[j]!.codePointAt(0)!)) === font) j++
    const text = chars.slice(i, j).join('')
    if (!font) {
      if (text.trim() !== '') missing.add(text)
      i = j
      continue
    }
    const scale = run.font.size / font.unitsPerEm
    if (metrics.ascent === 0) metrics = { ascent: font.ascent * scale, descent: font.descent * scale, xHeight: (font.xHeight || font.unitsPerEm * 0.5) * scale }
    const laid = font.layout(text)
    laid.glyphs.forEach((glyph, g) => {
      const p = laid.positions[g]!
      const path = glyphOutline(font, glyph, scale)
      if (path) d += `M${round(pen + p.xOffset * scale)} ${round(-p.yOffset * scale)}${path}`
      pen += p.xAdvance * scale
    })
    i = j
  }
  return { d, width: pen, ...metrics }
}

/** How far the baseline sits below the `y` the page gave, for its dominant-baseline. */
function baselineShift(baseline: string, m: { ascent: number; descent: number; xHeight: number }): number {
  switch (baseline) {
    case 'central':
      return (m.ascent + m.descent) / 2
    case 'middle':
      return m.xHeight / 2
    case 'hanging':
    case 'text-before-edge':
    case 'text-top':
      return m.ascent
    case 'text-after-edge':
    case 'text-bottom':
    case 'ideographic':
      return m.descent
    default:
      return 0
  }
}

/** A `<text>` node's runs as one group of paths, positioned as SVG text chunks are. */
async function outline(node: SatoriElement, faces: FontFace[], missing: Set<string>): Promise<SatoriElement> {
  const runs = node.props[SVG_TEXT_RUNS] as SvgTextRun[]
  const { [SVG_TEXT_RUNS]: _runs, ...attrs } = node.props
  const paths: SatoriElement[] = []
  let x = 0
  let y = 0
  // A chunk starts at each absolute x; its anchor shifts every path of the chunk at its end.
  let chunk: Array<{ el: SatoriElement; x: number; y: number }> = []
  let chunkStart = 0
  let chunkAnchor: SvgTextRun['anchor'] = 'start'
  const flush = () => {
    const width = x - chunkStart
    const shift = chunkAnchor === 'middle' ? -width / 2 : chunkAnchor === 'end' ? -width : 0
    for (const c of chunk) c.el.props.transform = `translate(${round(c.x + shift)} ${round(c.y)})`
    paths.push(...chunk.map((c) => c.el))
    chunk = []
  }
  for (const run of runs) {
    if (run.x !== undefined) {
      flush()
      x = run.x
      chunkStart = x
      chunkAnchor = run.anchor
    } else if (chunk.length === 0 && paths.length === 0) {
      chunkStart = x
      chunkAnchor = run.anchor
    }
    if (run.y !== undefined) y = run.y
    x += run.dx ?? 0
    y += run.dy ?? 0
    const shaped = await shape(run, faces, missing)
    const el: SatoriElement = { type: 'path', props: { d: shaped.d || 'M0 0', ...(run.fill ? { fill: run.fill } : {}) } }
    chunk.push({ el, x, y: y + baselineShift(run.baseline, shaped) })
    x += shaped.width
  }
  flush()
  return { type: 'g', props: { ...attrs, children: paths } }
}

/** Replaces every inline-SVG `<text>` of the tree with its outlines; returns warnings for what no face could draw. */
export async function drawSvgText(root: SatoriElement, faces: FontFace[]): Promise<string[]> {
  const missing = new Set<string>()
  let found = false
  const walk = async (node: SatoriChild): Promise<SatoriChild> => {
    if (typeof node !== 'object' || node === null) return node
    if (node.type === 'text' && SVG_TEXT_RUNS in node.props) {
      found = true
      return outline(node, faces, missing)
    }
    const children = node.props.children as SatoriChild[] | SatoriChild | undefined
    if (Array.isArray(children)) {
      const out: SatoriChild[] = []
      for (const c of children) out.push(await walk(c))
      node.props.children = out
    } else if (children !== undefined) node.props.children = await walk(children)
    return node
  }
  await walk(root)
  if (!found) return []
  return [...missing].slice(0, 5).map((t) => `svg <text> characters not drawn (no bundled or page font has them): ${JSON.stringify(t.slice(0, 40))}`)
}
