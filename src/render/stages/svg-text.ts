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
import { AppError } from '../../errors/catalogue.js'

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

/**
 * Orders by face list and font: font-sets.ts hands out the same list (by identity) to every page
 * of one selection, and ordering ~50–280 faces cost ~0.3 ms per run, each badge label being two
 * runs. Bounded per list; the lists themselves are bounded by font-sets.ts.
 */
const ORDERS = new WeakMap<FontFace[], Map<string, FontFace[]>>()
const MAX_ORDERS_PER_LIST = 256

function candidates(faces: FontFace[], font: SvgTextFont): FontFace[] {
  let byFont = ORDERS.get(faces)
  if (!byFont) ORDERS.set(faces, (byFont = new Map()))
  const key = `${font.family}\n${font.weight}\n${font.italic}`
  let order = byFont.get(key)
  if (!order) {
    order = faceOrder(faces, font)
    if (byFont.size >= MAX_ORDERS_PER_LIST) byFont.clear()
    byFont.set(key, order)
  }
  return order
}

/** The render's faces in the order a browser would try them for `font`: its families, then the rest. */
function faceOrder(faces: FontFace[], font: SvgTextFont): FontFace[] {
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

/** One glyph of a run: its outline (glyphOutline) and origin, and the first character it draws. */
interface PlacedGlyph {
  path: string
  x: number
  y: number
  /** Index in the run's characters (code points): textLength spacing moves each character. */
  char: number
}

interface Shaped {
  glyphs: PlacedGlyph[]
  /** Characters (code points) of the run, drawn or not. */
  chars: number
  width: number
  ascent: number
  descent: number
  xHeight: number
}

/** One run shaped and outlined with its origin at (0, 0) on the baseline. */
async function shape(run: SvgTextRun, faces: FontFace[], missing: Set<string>): Promise<Shaped> {
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
  const glyphs: PlacedGlyph[] = []
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
    let char = i
    laid.glyphs.forEach((glyph, g) => {
      const p = laid.positions[g]!
      const path = glyphOutline(font, glyph, scale)
      if (path) glyphs.push({ path, x: pen + p.xOffset * scale, y: -p.yOffset * scale, char })
      pen += p.xAdvance * scale
      char += glyph.codePoints.length
    })
    i = j
  }
  return { glyphs, chars: chars.length, width: pen, ...metrics }
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

/** `textLength` and `lengthAdjust` as a `<text>` element sets them. */
export interface TextLengthAdjust {
  textLength?: unknown
  lengthAdjust?: unknown
}

/** One run drawn: glyph outlines in its own coordinates, placed by `transform`. */
export interface OutlinedRun {
  d: string
  fill?: string
  transform: string
}

/**
 * A `<text>`'s runs as paths, positioned as SVG text chunks are: each absolute x starts a chunk,
 * whose text-anchor shifts every run of it by the chunk's width. A `textLength` (badges set it on
 * every label, for a font the reader may not have) is applied first, as SVG 2's layout steps
 * order it: `spacing` (the default) spreads the difference over the gaps between characters,
 * `spacingAndGlyphs` scales the text horizontally from its start. It is applied to a text of one
 * chunk only (the spec then sums chunks in a way no page relies on).
 */
export async function outlineRuns(runs: SvgTextRun[], faces: FontFace[], missing: Set<string>, adjust: TextLengthAdjust = {}): Promise<OutlinedRun[]> {
  const shaped: Shaped[] = []
  for (const run of runs) shaped.push(await shape(run, faces, missing))
  const wanted = lengthOf(adjust.textLength)
  const chars = shaped.reduce((n, s) => n + s.chars, 0)
  // Where the text ends without adjustment, from its start: advances, and the dx between runs.
  const natural = shaped.reduce((w, s) => w + s.width, 0) + runs.slice(1).reduce((w, r) => w + (r.dx ?? 0), 0)
  let spacing = 0
  let stretch = 1
  if (wanted !== undefined && natural > 0 && runs.every((r, k) => k === 0 || r.x === undefined)) {
    if (adjust.lengthAdjust === 'spacingAndGlyphs') stretch = wanted / natural
    else if (chars > 1) spacing = (wanted - natural) / (chars - 1)
  }
  const out: OutlinedRun[] = []
  let x = 0
  let y = 0
  let chunk: Array<{ run: OutlinedRun; x: number; y: number }> = []
  let chunkStart = 0
  let chunkAnchor: SvgTextRun['anchor'] = 'start'
  const flush = () => {
    // The spacing follows every character but the last.
    const width = (x - chunkStart - (chunk.length ? spacing : 0)) * stretch
    const shift = chunkAnchor === 'middle' ? -width / 2 : chunkAnchor === 'end' ? -width : 0
    for (const c of chunk) {
      const at = chunkStart + (c.x - chunkStart) * stretch + shift
      c.run.transform = `translate(${round(at)} ${round(c.y)})${stretch === 1 ? '' : ` scale(${round(stretch * 1000) / 1000} 1)`}`
    }
    out.push(...chunk.map((c) => c.run))
    chunk = []
  }
  runs.forEach((run, k) => {
    if (run.x !== undefined) {
      flush()
      x = run.x
      chunkStart = x
      chunkAnchor = run.anchor
    } else if (chunk.length === 0 && out.length === 0) {
      chunkStart = x
      chunkAnchor = run.anchor
    }
    if (run.y !== undefined) y = run.y
    x += run.dx ?? 0
    y += run.dy ?? 0
    const s = shaped[k]!
    const d = s.glyphs.map((g) => `M${round(g.x + g.char * spacing)} ${round(g.y)}${g.path}`).join('')
    chunk.push({ run: { d: d || 'M0 0', ...(run.fill ? { fill: run.fill } : {}), transform: '' }, x, y: y + baselineShift(run.baseline, s) })
    x += s.width + s.chars * spacing
  })
  flush()
  return out
}

/** A textLength in user units: a plain number (or px); anything else is left alone. */
function lengthOf(value: unknown): number | undefined {
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?|\.\d+)(?:px)?\s*$/.exec(value) : null
  const n = m ? Number(m[1]) : typeof value === 'number' ? value : NaN
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

/** A `<text>` node's runs as one group of paths. */
async function outline(node: SatoriElement, faces: FontFace[], missing: Set<string>): Promise<SatoriElement> {
  const runs = node.props[SVG_TEXT_RUNS] as SvgTextRun[]
  const { [SVG_TEXT_RUNS]: _runs, textLength, lengthAdjust, ...attrs } = node.props
  const paths = (await outlineRuns(runs, faces, missing, { textLength, lengthAdjust })).map(
    (r): SatoriElement => ({ type: 'path', props: { d: r.d, ...(r.fill ? { fill: r.fill } : {}), transform: r.transform } }),
  )
  return { type: 'g', props: { ...attrs, children: paths } }
}

/** The runs of every inline-SVG `<text>` in the tree, as drawSvgText will outline them. */
export function* inlineSvgTextRuns(node: SatoriChild): Generator<SvgTextRun[]> {
  if (typeof node !== 'object' || node === null) return
  if (node.type === 'text' && SVG_TEXT_RUNS in node.props) {
    yield node.props[SVG_TEXT_RUNS] as SvgTextRun[]
    return
  }
  const children = node.props.children as SatoriChild[] | SatoriChild | undefined
  for (const child of Array.isArray(children) ? children : children === undefined ? [] : [children]) yield* inlineSvgTextRuns(child)
}

/**
 * Refuses a page with more than `limit` characters of SVG text, before any is shaped: outlining
 * takes ~35 µs a character (60,000 characters: 2.3 s on the bench VM), and the page's HTML may
 * hold half a megabyte of it, which would hold a worker until RENDER_TIMEOUT_MS.
 */
export function guardSvgTextLength(texts: Iterable<SvgTextRun[]>, limit: number | undefined): void {
  if (limit === undefined) return
  let chars = 0
  for (const runs of texts) {
    for (const run of runs) chars += run.text.length
    if (chars > limit) {
      throw new AppError('RENDER_TOO_COMPLEX', `The page has more than ${limit.toLocaleString('en')} characters of SVG text (MAX_SVG_TEXT_CHARS)`)
    }
  }
}

/** The warnings for characters no face could draw in SVG text (`where`: which text). */
export function missingCharWarnings(missing: Set<string>, where = 'svg <text>'): string[] {
  return [...missing].slice(0, 5).map((t) => `${where} characters not drawn (no bundled or page font has them): ${JSON.stringify(t.slice(0, 40))}`)
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
  return found ? missingCharWarnings(missing) : []
}
