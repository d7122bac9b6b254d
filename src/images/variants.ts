/**
 * Formats and sizes derived from the stored PNG on fetch, as the hosted API does ("stored once
 * as PNG; JPG/WebP converted per request"). sharp (libvips) does the work on libuv's threads,
 * off the event loop. JPEG has no alpha, so transparency is flattened onto white.
 *
 * A variant's size is known before any pixel is touched (sharp's own rounding, checked against
 * it), so one that is too large is refused up front: `?width=` caps only the side it names, and
 * the other side follows the aspect ratio (30×18000 at width=5000 is 5000×3000000), and WebP and
 * JPEG cannot hold sides over 16383 and 65535 px (sharp throws after decoding).
 */
import { AppError, validationError } from '../errors/catalogue.js'
import { resolveCrop, type CropSpec } from './fetch-options.js'
import { loadSharp } from './load-sharp.js'

export const FORMATS = {
  png: { mime: 'image/png', ext: 'png', name: 'PNG', maxSide: Infinity },
  jpg: { mime: 'image/jpeg', ext: 'jpg', name: 'JPEG', maxSide: 65535 },
  jpeg: { mime: 'image/jpeg', ext: 'jpg', name: 'JPEG', maxSide: 65535 },
  webp: { mime: 'image/webp', ext: 'webp', name: 'WebP', maxSide: 16383 },
} as const

export type OutputFormat = keyof typeof FORMATS

export interface VariantRequest {
  format: OutputFormat
  width: number | undefined
  height: number | undefined
  /** Cut before any resize (fetch-options.ts). */
  crop?: CropSpec
  /** Density metadata only; the pixels are unchanged. */
  dpi?: number
}

/** True when the stored PNG answers as it is. */
export function isPlain(req: VariantRequest): boolean {
  return req.format === 'png' && req.width === undefined && req.height === undefined && !req.crop && req.dpi === undefined
}

/** A cache key naming everything that makes this variant's bytes. */
export function variantKey(id: string, req: VariantRequest): string {
  return `${id}:${req.format}:${req.width ?? ''}:${req.height ?? ''}:${req.crop?.key ?? ''}:${req.dpi ?? ''}`
}

export interface Size {
  width: number
  height: number
}

/** The size sharp gives: both sides → exactly that (cover, then crop); one side → the other by the aspect ratio. */
export function variantSize(full: Size, req: VariantRequest): Size {
  const source = req.crop ? resolveCrop(req.crop, full) : full
  if (req.width !== undefined && req.height !== undefined) return { width: req.width, height: req.height }
  if (req.width !== undefined) return { width: req.width, height: Math.max(1, Math.round((source.height * req.width) / source.width)) }
  if (req.height !== undefined) return { width: Math.max(1, Math.round((source.width * req.height) / source.height)), height: req.height }
  return source
}

/** Throws the API's error for a variant too large to build (400) or to encode in its format (422). */
export function checkVariant(source: Size, req: VariantRequest, limits: { outputPixels: number; resizeSide?: number }): void {
  const out = variantSize(source, req)
  const pixels = out.width * out.height
  const asked = [req.width !== undefined && `width=${req.width}`, req.height !== undefined && `height=${req.height}`].filter(Boolean)
  if (pixels > limits.outputPixels) {
    const message =
      `${asked.join('&')} makes this ${source.width}×${source.height} image ${out.width}×${out.height} ` +
      `(${(pixels / 1e6).toFixed(1)} MP); the limit is ${(limits.outputPixels / 1e6).toFixed(1)} MP (MAX_OUTPUT_PIXELS)`
    throw validationError([{ path: req.width !== undefined ? 'width' : 'height', message }])
  }
  // MAX_RESIZE_SIDE holds for the side that follows the aspect ratio too, not only the one asked
  // for (a 100×4000 image at ?width=150 would be 150×6000).
  const side = limits.resizeSide
  if (side !== undefined && asked.length > 0 && (out.width > side || out.height > side)) {
    const message = `${asked.join('&')} makes this ${source.width}×${source.height} image ${out.width}×${out.height}; each side may be at most ${side} px (MAX_RESIZE_SIDE)`
    throw validationError([{ path: req.width !== undefined ? 'width' : 'height', message }])
  }
  const format = FORMATS[req.format]
  if (out.width > format.maxSide || out.height > format.maxSide) {
    throw new AppError(
      'FORMAT_SIZE_EXCEEDED',
      `This image would be ${out.width}×${out.height} px as ${format.name}; ${format.name} allows at most ${format.maxSide} px per side. ` +
        'Fetch it as .png, or ask for a smaller ?width= or ?height=',
    )
  }
}

export async function deriveVariant(png: Buffer, req: VariantRequest): Promise<Buffer> {
  // Loaded on first use: an API process that only serves PNGs never maps libvips.
  const sharp = await loadSharp()
  let img = sharp(png, { limitInputPixels: false })
  if (req.crop) {
    const meta = await sharp(png).metadata()
    img = img.extract(resolveCrop(req.crop, { width: meta.width ?? 0, height: meta.height ?? 0 }))
  }
  if (req.dpi !== undefined) img = img.withMetadata({ density: req.dpi })
  if (req.width !== undefined || req.height !== undefined) {
    img = img.resize({ width: req.width, height: req.height, fit: req.width && req.height ? 'cover' : 'inside' })
  }
  switch (req.format) {
    case 'png':
      return img.png({ compressionLevel: 6 }).toBuffer()
    case 'jpg':
    case 'jpeg':
      return img.flatten({ background: '#ffffff' }).jpeg({ quality: 90, mozjpeg: false }).toBuffer()
    case 'webp':
      return img.webp({ quality: 90 }).toBuffer()
  }
}
