/**
 * A variable font at a weight. satori draws a font's outlines as stored, which for a variable
 * font is its default instance: an `@font-face` with `font-weight: 100 900` and a variable file
 * (Google Fonts' ranges, `@fontsource-variable/*`) drew 300 and 900 as 400, where Chromium sets
 * the `wght` axis to the used weight (CSS Fonts 4, "font-weight" descriptor and font matching).
 * Here each weight a page face is registered at gets its own static instance: HarfBuzz's
 * instancer (hb-subset with the axis pinned, from the harfbuzzjs build satori itself uses) writes
 * a font whose outlines and metrics are those at that `wght`; the other axes keep their defaults.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { sfntTables } from './sfnt.js'

const require = createRequire(import.meta.url)

interface Subsetter {
  memory: WebAssembly.Memory
  malloc(size: number): number
  free(ptr: number): void
  hb_blob_create(data: number, length: number, mode: number, userData: number, destroy: number): number
  hb_blob_destroy(blob: number): void
  hb_blob_get_data(blob: number, length: number): number
  hb_blob_get_length(blob: number): number
  hb_face_create(blob: number, index: number): number
  hb_face_destroy(face: number): void
  hb_face_reference_blob(face: number): number
  hb_subset_input_create_or_fail(): number
  hb_subset_input_destroy(input: number): void
  hb_subset_input_keep_everything(input: number): void
  hb_subset_input_pin_axis_location(input: number, face: number, tag: number, value: number): number
  hb_subset_or_fail(face: number, input: number): number
}

let compiled: Promise<WebAssembly.Module> | undefined
let subsetter: Promise<{ hb: Subsetter; initialBytes: number }> | undefined
const load = () =>
  (subsetter ??= (compiled ??= WebAssembly.compile(readFileSync(require.resolve('harfbuzzjs/hb-subset.wasm'))))
    .then((module) => WebAssembly.instantiate(module))
    .then((instance) => {
      const hb = instance.exports as unknown as Subsetter
      return { hb, initialBytes: hb.memory.buffer.byteLength }
    }))

/**
 * A WebAssembly memory never gives pages back: instancing a large font (a variable CJK face of
 * several MB) left the worker holding what it touched for good, which a 256 MiB container's plan
 * does not count. After a font larger than this, or one that grew the memory, the instancer is
 * dropped and its memory collected; the compiled module stays, and a new instance costs 3–8 ms.
 * (The module declares 65 MiB up front, reserved, not resident: only touched pages count.)
 */
export const DROP_INSTANCER_AFTER_FONT_BYTES = 1024 * 1024

/** Whether an instancer is loaded now (for tests). */
export function instancerLoaded(): boolean {
  return subsetter !== undefined
}

const WGHT = 0x77676874 // 'wght'

export interface WeightAxis {
  min: number
  default: number
  max: number
}

/** The `wght` axis of an sfnt's `fvar` table, or undefined for a static font. */
export function weightAxis(sfnt: Buffer): WeightAxis | undefined {
  const fvar = sfntTables(sfnt).tables.find((t) => t.tag === 'fvar')?.data
  if (!fvar || fvar.length < 16) return undefined
  const axesOffset = fvar.readUInt16BE(4)
  const axisCount = fvar.readUInt16BE(8)
  const axisSize = fvar.readUInt16BE(10)
  for (let i = 0; i < axisCount; i++) {
    const at = axesOffset + i * axisSize
    if (at + 16 > fvar.length) break
    if (fvar.readUInt32BE(at) !== WGHT) continue
    const fixed = (o: number) => fvar.readInt32BE(at + o) / 65536
    return { min: fixed(4), default: fixed(8), max: fixed(12) }
  }
  return undefined
}

/** The font with its `wght` axis pinned at `weight` (a static instance as far as weight goes). */
export async function instanceAtWeight(sfnt: Buffer, weight: number, dropAfterFontBytes = DROP_INSTANCER_AFTER_FONT_BYTES): Promise<Buffer> {
  const { hb, initialBytes } = await load()
  const fontPtr = hb.malloc(sfnt.byteLength)
  new Uint8Array(hb.memory.buffer).set(sfnt, fontPtr)
  const blob = hb.hb_blob_create(fontPtr, sfnt.byteLength, 2 /* HB_MEMORY_MODE_WRITABLE */, 0, 0)
  const face = hb.hb_face_create(blob, 0)
  hb.hb_blob_destroy(blob)
  const input = hb.hb_subset_input_create_or_fail()
  let instance = 0
  try {
    if (!input) throw new Error('the font instancer could not start')
    hb.hb_subset_input_keep_everything(input)
    if (!hb.hb_subset_input_pin_axis_location(input, face, WGHT, weight)) throw new Error('its wght axis could not be set')
    instance = hb.hb_subset_or_fail(face, input)
    if (!instance) throw new Error(`no instance at weight ${weight}`)
    const out = hb.hb_face_reference_blob(instance)
    const length = hb.hb_blob_get_length(out)
    // Copied out: the wasm memory is reused (and may grow) by the next instance.
    const bytes = Buffer.from(new Uint8Array(hb.memory.buffer, hb.hb_blob_get_data(out, 0), length))
    hb.hb_blob_destroy(out)
    if (length === 0) throw new Error(`an empty instance at weight ${weight}`)
    return bytes
  } finally {
    if (input) hb.hb_subset_input_destroy(input)
    if (instance) hb.hb_face_destroy(instance)
    hb.hb_face_destroy(face)
    hb.free(fontPtr)
    // Synchronous since `load()`: no other call is using this instancer.
    if (sfnt.byteLength > dropAfterFontBytes || hb.memory.buffer.byteLength > initialBytes) subsetter = undefined
  }
}
