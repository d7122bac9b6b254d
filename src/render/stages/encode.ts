/**
 * Stage 5: raw pixels → PNG. resvg's own encoder (`asPng`) was the largest single cost of a
 * render (14 ms for a 1200×630 card, 55 ms at device_scale 2); libvips through sharp with
 * adaptive filtering off, at deflate level 3, encodes the same pixels 2–3× faster. Level 3 was
 * chosen on the bench cards: level 6 saved 10–20 % of the bytes for 30–50 % more time, and at
 * level 3 every card stays within 1.25× of resvg's bytes (the title card 34 KB vs 33 KB; the
 * gradient card 93 KB vs 250 KB). `bench/` prints the bytes of every card so the trade stays visible.
 */
import sharp from 'sharp'
import type { Raster } from './rasterize.js'

// One libvips thread per worker process: the pool already runs one worker per core.
sharp.concurrency(1)
sharp.cache(false)

export const PNG_COMPRESSION_LEVEL = 3

/** An opaque canvas drops its alpha channel: a quarter less data to filter and deflate. */
export function encodePng(raster: Raster, transparent: boolean): Promise<Buffer> {
  let img = sharp(raster.pixels, { raw: { width: raster.width, height: raster.height, channels: 4 } })
  if (!transparent) img = img.removeAlpha()
  return img.png({ compressionLevel: PNG_COMPRESSION_LEVEL, adaptiveFiltering: false, palette: false }).toBuffer()
}
