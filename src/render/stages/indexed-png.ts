/**
 * An exact palette PNG (colour type 3) for a raster of at most 256 distinct colours, as takumi
 * writes one: text on flat backgrounds, the common card, is about half the bytes of the RGB PNG,
 * and it decodes to exactly the pixels it was made from (no quantisation: a raster with a 257th
 * colour is not indexed at all and goes to the truecolour encoder).
 *
 * Why not a library: sharp's `palette` is libimagequant (lossy past 256 colours and 36–293 ms
 * on the bench cards); pngjs writes no colour type 3; fast-png 8 does, but copies byte by byte
 * and deflates in JavaScript (fflate), writes no pHYs, and its tRNS is only right when the
 * translucent entries come first; upng-js is unmaintained and tries every filter with pako.
 * What is left here is the part no encoder does for us (finding the colours, bounded) plus the
 * chunk framing; node:zlib does the deflate and the CRCs.
 */
import { crc32, deflateSync } from 'node:zlib'

const MAX_COLOURS = 256
/** Open-addressing table of colour keys: a power of two, at most a quarter full. */
const SLOTS = 1024
const SLOT_SHIFT = 32 - Math.log2(SLOTS)
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1
/** The alpha byte of an RGBA pixel read as one 32-bit word. */
const ALPHA_MASK = LITTLE_ENDIAN ? 0xff000000 | 0 : 0xff
const SAMPLE_STRIDE = 7

export interface IndexedPixels {
  /** The colours, RGBA in memory order, `count` of them. */
  palette: Uint8Array
  count: number
  /** PNG scanlines: per row a filter byte (0, none) then one palette index per pixel. */
  scanlines: Buffer
}

/**
 * The palette and the indexed scanlines of an RGBA raster, or undefined as soon as a 257th colour
 * is seen. `opaque` reads every alpha as 255 (the truecolour encoder drops alpha for an opaque
 * canvas, so both encodings decode to the same RGB).
 */
export function indexPixels(rgba: Uint8Array, width: number, height: number, opaque: boolean): IndexedPixels | undefined {
  const n = width * height
  if (n === 0) return undefined
  const aligned = rgba.byteOffset % 4 === 0 ? rgba : new Uint8Array(rgba.subarray(0, n * 4))
  const words = new Int32Array(aligned.buffer, aligned.byteOffset, n)
  const bytes = Buffer.from(aligned.buffer, aligned.byteOffset, n * 4)
  const rowBytes = width * 4
  const lineBytes = width + 1
  const alpha = opaque ? ALPHA_MASK : 0
  const keys = new Int32Array(SLOTS)
  const slotIndex = new Int16Array(SLOTS).fill(-1)
  const colours = new Int32Array(MAX_COLOURS)
  let count = 0
  /** The palette index of a colour, added if new; -1 for a 257th colour. */
  const indexOf = (key: number): number => {
    let slot = Math.imul(key, 0x9e3779b1) >>> SLOT_SHIFT
    for (;;) {
      const found = slotIndex[slot]!
      if (found >= 0 && keys[slot] === key) return found
      if (found < 0) {
        if (count === MAX_COLOURS) return -1
        keys[slot] = key
        slotIndex[slot] = count
        colours[count] = key
        return count++
      }
      slot = (slot + 1) & (SLOTS - 1)
    }
  }

  // A sparse sample first (one pixel in SAMPLE_STRIDE² spread over the image): an image of many
  // colours (a gradient) usually shows its 257th there, at a fiftieth of a full scan's cost.
  for (let y = 0, r = 0; y < height; y += SAMPLE_STRIDE, r++) {
    for (let x = (r * 3) % SAMPLE_STRIDE, row = y * width; x < width; x += SAMPLE_STRIDE) {
      if (indexOf(words[row + x]! | alpha) < 0) return undefined
    }
  }

  // Most rows repeat the row above (margins, flat fills: compared natively, indices copied), and
  // most pixels their left neighbour, so the table is consulted only when the word changes.
  const scanlines = Buffer.allocUnsafe(lineBytes * height)
  let lastWord = ~words[0]!
  let lastIndex = 0
  let out = 0
  let i = 0
  for (let y = 0; y < height; y++) {
    if (y > 0 && bytes.compare(bytes, i * 4 - rowBytes, i * 4, i * 4, i * 4 + rowBytes) === 0) {
      scanlines.copyWithin(out, out - lineBytes, out)
      out += lineBytes
      i += width
      continue
    }
    scanlines[out++] = 0
    for (const end = i + width; i < end; i++) {
      const word = words[i]!
      if (word !== lastWord) {
        lastWord = word
        lastIndex = indexOf(word | alpha)
        if (lastIndex < 0) return undefined
      }
      scanlines[out++] = lastIndex
    }
  }
  return { palette: new Uint8Array(colours.buffer, 0, count * 4), count, scanlines }
}

export interface IndexedPngOptions {
  /** zlib level of the IDAT stream. */
  level: number
  /** pHYs: pixels per metre, as the truecolour encoder writes it. */
  pixelsPerMetre: number
}

/** The PNG of `indexed`: IHDR, pHYs, PLTE, tRNS when a colour is translucent, one IDAT, IEND. */
export function writeIndexedPng(indexed: IndexedPixels, width: number, height: number, options: IndexedPngOptions): Buffer {
  const { palette, count } = indexed
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 3 // colour type: indexed
  const phys = Buffer.alloc(9)
  phys.writeUInt32BE(options.pixelsPerMetre, 0)
  phys.writeUInt32BE(options.pixelsPerMetre, 4)
  phys[8] = 1 // unit: metre
  const plte = Buffer.allocUnsafe(count * 3)
  let translucent = 0
  for (let c = 0; c < count; c++) {
    plte[c * 3] = palette[c * 4]
    plte[c * 3 + 1] = palette[c * 4 + 1]
    plte[c * 3 + 2] = palette[c * 4 + 2]
    if (palette[c * 4 + 3] !== 255) translucent = c + 1
  }
  // tRNS holds the alpha of the first entries; those after it are opaque.
  const trns = Buffer.allocUnsafe(translucent)
  for (let c = 0; c < translucent; c++) trns[c] = palette[c * 4 + 3]
  const idat = deflateSync(indexed.scanlines, { level: options.level })
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('pHYs', phys),
    chunk('PLTE', plte),
    ...(translucent > 0 ? [chunk('tRNS', trns)] : []),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.allocUnsafe(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const tail = Buffer.allocUnsafe(4)
  tail.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0)
  return Buffer.concat([head, data, tail])
}
