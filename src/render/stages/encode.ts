/**
 * Stage 5: raw pixels → PNG. A raster of at most 256 distinct colours (text on flat fills, most
 * cards) becomes an exact palette PNG (indexed-png.ts): about half the bytes of the RGB PNG in
 * about the same time at 1×, and the same pixels on decoding. Any other raster goes to libvips
 * through sharp, the truecolour encoder: resvg's own encoder (`asPng`) was the largest single
 * cost of a render (14 ms for a 1200×630 card, 55 ms at device_scale 2); sharp with adaptive
 * filtering off encodes the same pixels 2–3× faster. The deflate level is 5 since the palette
 * PNG took the flat cards: what is left for this encoder is photos, gradients and shadows, where
 * level 3 wrote 1.43× (1×) and 2.07× (2×) takumi's bytes on the social card and level 5 writes
 * 1.24× / 1.26× (bench/png-encode.ts, 18 interleaved runs: +10 % encode time on social at 1×,
 * faster at 2×; +24 % on dense). `bench/` prints the bytes of every card so the trade stays visible.
 */
import type SharpFactory from 'sharp'
import type { Raster } from './rasterize.js'
import { indexPixels, writeIndexedPng } from './indexed-png.js'

let loadingSharp: Promise<typeof SharpFactory> | undefined
/**
 * sharp (libvips) is loaded by the first raster that needs the truecolour encoder, not at boot:
 * a worker's warm-up and most cards take the palette path, and loading it took ~50 ms of every
 * worker's boot (on the cold start's critical path) and 10–20 MiB of its memory.
 */
function loadSharp(): Promise<typeof SharpFactory> {
  return (loadingSharp ??= import('sharp').then(({ default: sharp }) => {
    // One libvips thread per worker process: the pool already runs one worker per core.
    sharp.concurrency(1)
    sharp.cache(false)
    return sharp
  }))
}

export const PNG_COMPRESSION_LEVEL = 5
/**
 * zlib level of a palette PNG's pixels, measured with bench/png-encode.ts: 4 is the first level
 * with lazy matching, and on the palette cards the first within 1.3× of takumi's bytes (title
 * 14.7 KiB against 12.3, title@2x 37.1 against 28.9) while taking no longer than sharp at level 3
 * on the same card; level 6 reaches takumi's bytes for 1.2–1.5× sharp's time at 2×.
 */
export const INDEXED_PNG_LEVEL = 4
/** The pHYs libvips writes for raw input (1 pixel a millimetre), written on palette PNGs too. */
const PIXELS_PER_METRE = 1000

/** An opaque canvas drops its alpha channel: a quarter less data to filter and deflate. */
export function encodePng(raster: Raster, transparent: boolean): Promise<Buffer> {
  const indexed = indexPixels(raster.pixels, raster.width, raster.height, !transparent)
  if (indexed) {
    return Promise.resolve(writeIndexedPng(indexed, raster.width, raster.height, { level: INDEXED_PNG_LEVEL, pixelsPerMetre: PIXELS_PER_METRE }))
  }
  return encodeTruecolourPng(raster, transparent)
}

/** RGB, or RGBA for a transparent canvas: any number of colours. */
export async function encodeTruecolourPng(raster: Raster, transparent: boolean): Promise<Buffer> {
  const sharp = await loadSharp()
  let img = sharp(raster.pixels, { raw: { width: raster.width, height: raster.height, channels: 4 } })
  if (!transparent) img = img.removeAlpha()
  return img.png({ compressionLevel: PNG_COMPRESSION_LEVEL, adaptiveFiltering: false, palette: false }).toBuffer()
}
