/**
 * Font files as bytes: which container a file is (read from its magic bytes, never from a name
 * or a declared `format()`), WOFF and WOFF2 unpacked to the TrueType/OpenType tables inside, and
 * a face narrowed to a `unicode-range` by rewriting its character map.
 *
 * Why the cmap: satori picks a face per character by asking each face of its list, in order,
 * whether it maps the character (satori's font.ts, resolveFont). A CSS face only covers the
 * characters of its `unicode-range`; a file that holds more glyphs than its range would win for
 * characters a browser draws with the next family. With the cmap cut to the range, the face
 * answers exactly as a browser's face does, and everything else (outlines, metrics, shaping
 * tables) stays as the file has it. The bundled script fonts need none of this: their slices are
 * files that hold only their range (script-fonts.ts).
 */
import { brotliDecompressSync, inflateSync } from 'node:zlib'

export type FontFormat = 'ttf' | 'otf' | 'woff' | 'woff2'

/** The container of a font file from its first four bytes; undefined when it is not one. */
export function fontFormat(bytes: Uint8Array): FontFormat | undefined {
  if (bytes.length < 12) return undefined
  const sig = Buffer.from(bytes.buffer, bytes.byteOffset, 4).toString('latin1')
  if (sig === '\x00\x01\x00\x00' || sig === 'true') return 'ttf'
  if (sig === 'OTTO') return 'otf'
  if (sig === 'wOFF') return 'woff'
  if (sig === 'wOF2') return 'woff2'
  return undefined
}

/** A font file that is not what it claims: bad bytes, truncated tables, an unreadable cmap. */
export class FontDataError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FontDataError'
  }
}

let woff2: Promise<(b: Buffer) => Promise<Uint8Array>> | undefined
/** wawoff2 (WebAssembly) loads on the first WOFF2 page font, not with every worker. */
function woff2Decompress(): Promise<(b: Buffer) => Promise<Uint8Array>> {
  woff2 ??= (async () => {
    // @ts-expect-error wawoff2 ships no types; decompress(Buffer) → Promise<Uint8Array> (WOFF2 → TTF)
    const mod = (await import('wawoff2')) as { decompress?: (b: Buffer) => Promise<Uint8Array>; default?: { decompress: (b: Buffer) => Promise<Uint8Array> } }
    return mod.decompress ?? mod.default!.decompress
  })()
  return woff2
}

interface Table {
  tag: string
  data: Buffer
}

function need(cond: boolean, what: string): asserts cond {
  if (!cond) throw new FontDataError(what)
}

/** WOFF 1.0: the same tables, each zlib-compressed unless that did not make it smaller. */
function woffTables(buf: Buffer): { flavor: number; tables: Table[] } {
  need(buf.length >= 44, 'truncated WOFF header')
  const flavor = buf.readUInt32BE(4)
  const count = buf.readUInt16BE(12)
  need(44 + count * 20 <= buf.length, 'truncated WOFF table directory')
  const tables: Table[] = []
  for (let i = 0; i < count; i++) {
    const at = 44 + i * 20
    const tag = buf.toString('latin1', at, at + 4)
    const offset = buf.readUInt32BE(at + 4)
    const compLength = buf.readUInt32BE(at + 8)
    const origLength = buf.readUInt32BE(at + 12)
    need(offset + compLength <= buf.length, `WOFF table ${tag} runs past the file`)
    const raw = buf.subarray(offset, offset + compLength)
    let data: Buffer
    try {
      data = compLength < origLength ? inflateSync(raw, { maxOutputLength: origLength }) : Buffer.from(raw)
    } catch {
      throw new FontDataError(`WOFF table ${tag} does not inflate`)
    }
    need(data.length === origLength, `WOFF table ${tag} has the wrong length`)
    tables.push({ tag, data })
  }
  return { flavor, tables }
}

/** The tables of a TrueType/OpenType file. */
export function sfntTables(buf: Buffer): { flavor: number; tables: Table[] } {
  need(buf.length >= 12, 'truncated font header')
  const flavor = buf.readUInt32BE(0)
  const count = buf.readUInt16BE(4)
  need(12 + count * 16 <= buf.length, 'truncated table directory')
  const tables: Table[] = []
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16
    const tag = buf.toString('latin1', at, at + 4)
    const offset = buf.readUInt32BE(at + 8)
    const length = buf.readUInt32BE(at + 12)
    need(offset + length <= buf.length, `table ${tag} runs past the file`)
    tables.push({ tag, data: buf.subarray(offset, offset + length) })
  }
  return { flavor, tables }
}

function checksum(data: Buffer): number {
  let sum = 0
  const padded = data.length % 4 ? Buffer.concat([data, Buffer.alloc(4 - (data.length % 4))]) : data
  for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0
  return sum
}

/** A TrueType/OpenType file of these tables (sorted by tag, 4-byte aligned, with checksums). */
export function buildSfnt(flavor: number, tables: Table[]): Buffer {
  const sorted = [...tables].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0))
  const n = sorted.length
  const pow = 2 ** Math.floor(Math.log2(Math.max(1, n)))
  const header = Buffer.alloc(12 + n * 16)
  header.writeUInt32BE(flavor, 0)
  header.writeUInt16BE(n, 4)
  header.writeUInt16BE(pow * 16, 6)
  header.writeUInt16BE(Math.log2(pow), 8)
  header.writeUInt16BE(n * 16 - pow * 16, 10)
  const parts: Buffer[] = [header]
  let offset = header.length
  sorted.forEach((t, i) => {
    const at = 12 + i * 16
    header.write(t.tag, at, 4, 'latin1')
    header.writeUInt32BE(checksum(t.data), at + 4)
    header.writeUInt32BE(offset, at + 8)
    header.writeUInt32BE(t.data.length, at + 12)
    parts.push(t.data)
    const pad = (4 - (t.data.length % 4)) % 4
    if (pad) parts.push(Buffer.alloc(pad))
    offset += t.data.length + pad
  })
  return Buffer.concat(parts)
}

/** A TrueType/OpenType file's bytes from any supported container. */
export async function toSfnt(bytes: Uint8Array): Promise<Buffer> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const format = fontFormat(buf)
  if (format === 'ttf' || format === 'otf') return buf
  if (format === 'woff') {
    const { flavor, tables } = woffTables(buf)
    return buildSfnt(flavor, tables)
  }
  if (format === 'woff2') {
    try {
      return Buffer.from(await (await woff2Decompress())(buf))
    } catch (err) {
      throw new FontDataError(`WOFF2 does not decompress (${(err as Error).message ?? err})`)
    }
  }
  throw new FontDataError('not a font file (TTF, OTF, WOFF or WOFF2)')
}

// WOFF2's known table tags, by the index its table directory stores instead of the tag.
const WOFF2_TAGS = 'cmap head hhea hmtx maxp name OS/2 post cvt  fpgm glyf loca prep CFF  VORG EBDT EBLC gasp hdmx kern LTSH PCLT VDMX vhea vmtx BASE GDEF GPOS GSUB EBSC JSTF MATH CBDT CBLC COLR CPAL SVG  sbix acnt avar bdat bloc bsln cvar fdsc feat fmtx fvar gvar hsty just lcar mort morx opbd prop trak Zapf Silf Glat Gloc Feat Sill'.match(/.{4}(?: |$)/g)!.map((t) => t.slice(0, 4))

/**
 * The cmap table of a WOFF2 file, read without rebuilding the font: the tables sit uncompressed
 * one after another in one Brotli stream (Node's own Brotli: ~1 ms for a 250 KB file, where
 * unpacking the whole font through wawoff2 takes tens). Only the glyph tables are transformed,
 * and the cmap never is, so its bytes are as the TTF would have them.
 */
export function woff2Cmap(buf: Buffer): Buffer {
  need(buf.length >= 48 && buf.toString('latin1', 0, 4) === 'wOF2', 'not a WOFF2 file')
  need(buf.readUInt32BE(4) !== 0x74746366, 'a WOFF2 font collection')
  const count = buf.readUInt16BE(12)
  const compressed = buf.readUInt32BE(20)
  let at = 48
  const base128 = () => {
    let value = 0
    for (let i = 0; i < 5; i++) {
      need(at < buf.length, 'truncated WOFF2 table directory')
      const byte = buf[at++]!
      need(!(i === 0 && byte === 0x80), 'bad WOFF2 number')
      value = value * 128 + (byte & 0x7f)
      if (!(byte & 0x80)) return value
    }
    throw new FontDataError('bad WOFF2 number')
  }
  let offset = 0
  let cmap: { offset: number; length: number } | undefined
  for (let i = 0; i < count; i++) {
    need(at < buf.length, 'truncated WOFF2 table directory')
    const flags = buf[at++]!
    let tag = WOFF2_TAGS[flags & 0x3f]
    if ((flags & 0x3f) === 63) {
      need(at + 4 <= buf.length, 'truncated WOFF2 table directory')
      tag = buf.toString('latin1', at, at + 4)
      at += 4
    }
    const version = flags >> 6
    const length = base128()
    // glyf and loca are transformed unless their version is 3; other tables when it is not 0.
    const transformed = tag === 'glyf' || tag === 'loca' ? version !== 3 : version !== 0
    const stored = transformed ? base128() : length
    if (tag === 'cmap') cmap = { offset, length: stored }
    offset += stored
  }
  need(cmap !== undefined, 'no cmap table')
  need(at + compressed <= buf.length, 'truncated WOFF2 data')
  let data: Buffer
  try {
    data = brotliDecompressSync(buf.subarray(at, at + compressed), { maxOutputLength: Math.max(offset, 1) })
  } catch {
    throw new FontDataError('WOFF2 data does not decompress')
  }
  need(cmap.offset + cmap.length <= data.length, 'WOFF2 cmap runs past the data')
  return data.subarray(cmap.offset, cmap.offset + cmap.length)
}

/** [start, end, first glyph] groups, as cmap format 12 stores them. */
type Groups = Array<[number, number, number]>

/** The best Unicode subtable of a cmap, as mapping groups. */
export function readCmap(cmap: Buffer): Groups {
  need(cmap.length >= 4, 'truncated cmap')
  const count = cmap.readUInt16BE(2)
  need(4 + count * 8 <= cmap.length, 'truncated cmap records')
  let best: { rank: number; offset: number } | undefined
  for (let i = 0; i < count; i++) {
    const platform = cmap.readUInt16BE(4 + i * 8)
    const encoding = cmap.readUInt16BE(6 + i * 8)
    const offset = cmap.readUInt32BE(8 + i * 8)
    if (offset + 2 > cmap.length) continue
    const format = cmap.readUInt16BE(offset)
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10))
    if (!unicode || (format !== 4 && format !== 12)) continue
    const rank = format === 12 ? 2 : 1
    if (!best || rank > best.rank) best = { rank, offset }
  }
  need(best !== undefined, 'no Unicode character map (cmap format 4 or 12)')
  return best.rank === 2 ? readFormat12(cmap, best.offset) : readFormat4(cmap, best.offset)
}

function readFormat12(cmap: Buffer, at: number): Groups {
  need(at + 16 <= cmap.length, 'truncated cmap format 12')
  const n = cmap.readUInt32BE(at + 12)
  need(at + 16 + n * 12 <= cmap.length, 'truncated cmap format 12 groups')
  const groups: Groups = []
  for (let i = 0; i < n; i++) {
    const g = at + 16 + i * 12
    const start = cmap.readUInt32BE(g)
    const end = cmap.readUInt32BE(g + 4)
    if (end >= start && end <= 0x10ffff) groups.push([start, end, cmap.readUInt32BE(g + 8)])
  }
  return groups
}

function readFormat4(cmap: Buffer, at: number): Groups {
  need(at + 14 <= cmap.length, 'truncated cmap format 4')
  const segs = cmap.readUInt16BE(at + 6) / 2
  const ends = at + 14
  const starts = ends + segs * 2 + 2
  const deltas = starts + segs * 2
  const rangeOffsets = deltas + segs * 2
  need(rangeOffsets + segs * 2 <= cmap.length, 'truncated cmap format 4 segments')
  const groups: Groups = []
  const push = (cp: number, gid: number) => {
    if (gid === 0) return
    const last = groups[groups.length - 1]
    if (last && last[1] === cp - 1 && last[2] + (cp - last[0]) === gid) last[1] = cp
    else groups.push([cp, cp, gid])
  }
  for (let i = 0; i < segs; i++) {
    const end = cmap.readUInt16BE(ends + i * 2)
    const start = cmap.readUInt16BE(starts + i * 2)
    const delta = cmap.readInt16BE(deltas + i * 2)
    const rangeOffset = cmap.readUInt16BE(rangeOffsets + i * 2)
    if (start > end || start === 0xffff) continue
    for (let cp = start; cp <= end; cp++) {
      if (rangeOffset === 0) {
        push(cp, (cp + delta) & 0xffff)
      } else {
        const addr = rangeOffsets + i * 2 + rangeOffset + (cp - start) * 2
        if (addr + 2 > cmap.length) break
        const g = cmap.readUInt16BE(addr)
        push(cp, g === 0 ? 0 : (g + delta) & 0xffff)
      }
    }
  }
  return groups
}

/** A cmap holding one (3, 10) format 12 subtable of these groups. */
function writeCmap(groups: Groups): Buffer {
  const sub = 16 + groups.length * 12
  const out = Buffer.alloc(12 + sub)
  out.writeUInt16BE(0, 0)
  out.writeUInt16BE(1, 2)
  out.writeUInt16BE(3, 4)
  out.writeUInt16BE(10, 6)
  out.writeUInt32BE(12, 8)
  out.writeUInt16BE(12, 12)
  out.writeUInt32BE(sub, 16)
  out.writeUInt32BE(groups.length, 24)
  groups.forEach(([s, e, g], i) => {
    out.writeUInt32BE(s, 28 + i * 12)
    out.writeUInt32BE(e, 32 + i * 12)
    out.writeUInt32BE(g, 36 + i * 12)
  })
  return out
}

/** Flattened [start, end] pairs (script-fonts.ts's Ranges) ∩ the groups. */
function intersect(groups: Groups, ranges: number[]): Groups {
  const out: Groups = []
  for (const [s, e, g] of groups) {
    for (let i = 0; i < ranges.length; i += 2) {
      const lo = Math.max(s, ranges[i]!)
      const hi = Math.min(e, ranges[i + 1]!)
      if (lo <= hi) out.push([lo, hi, g + (lo - s)])
    }
  }
  return out.sort((a, b) => a[0] - b[0])
}

const REQUIRED = ['cmap', 'head', 'hhea', 'hmtx', 'maxp']

/**
 * Checks that an sfnt has what satori needs (the tables above, outlines, a Unicode cmap with at
 * least one character in `ranges`) and, with `ranges`, returns it with its cmap cut to them.
 */
export function narrowToRanges(sfnt: Buffer, ranges: number[] | undefined): Buffer {
  const { flavor, tables } = sfntTables(sfnt)
  const tags = new Set(tables.map((t) => t.tag))
  for (const tag of REQUIRED) need(tags.has(tag), `no ${tag} table`)
  need((tags.has('glyf') && tags.has('loca')) || tags.has('CFF ') || tags.has('CFF2'), 'no glyph outlines (glyf or CFF)')
  const cmap = tables.find((t) => t.tag === 'cmap')!
  const groups = readCmap(cmap.data)
  need(groups.length > 0, 'the character map is empty')
  if (!ranges) return sfnt
  const kept = intersect(groups, ranges)
  need(kept.length > 0, 'no character of its unicode-range is in the font')
  return buildSfnt(flavor, tables.map((t) => (t.tag === 'cmap' ? { tag: 'cmap', data: writeCmap(kept) } : t)))
}

/** The code points a font file (TTF/OTF/WOFF2) maps, as sorted [start, end] pairs, flattened. */
export function cmapRanges(data: Buffer): number[] {
  const cmap = fontFormat(data) === 'woff2' ? woff2Cmap(data) : sfntTables(data).tables.find((t) => t.tag === 'cmap')?.data
  if (!cmap) return []
  const flat: number[] = []
  for (const [s, e] of readCmap(cmap)) {
    if (flat.length && s <= flat[flat.length - 1]! + 1) flat[flat.length - 1] = Math.max(flat[flat.length - 1]!, e)
    else flat.push(s, e)
  }
  return flat
}
