/**
 * Formats and sizes derived from the stored PNG on fetch, as the hosted API does ("stored once
 * as PNG; JPG/WebP converted per request"). sharp (libvips) does the work on libuv's threads,
 * off the event loop. JPEG has no alpha, so transparency is flattened onto white.
 */

export const FORMATS = {
  png: { mime: 'image/png', ext: 'png' },
  jpg: { mime: 'image/jpeg', ext: 'jpg' },
  jpeg: { mime: 'image/jpeg', ext: 'jpg' },
  webp: { mime: 'image/webp', ext: 'webp' },
} as const

export type OutputFormat = keyof typeof FORMATS

export interface VariantRequest {
  format: OutputFormat
  width: number | undefined
  height: number | undefined
}

export async function deriveVariant(png: Buffer, req: VariantRequest): Promise<Buffer> {
  // Loaded on first use: an API process that only serves PNGs never maps libvips.
  const { default: sharp } = await import('sharp')
  let img = sharp(png, { limitInputPixels: false })
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
