/**
 * sharp (libvips) for the API process: JPEG/WebP/resized variants and remote images in formats
 * resvg cannot draw. Loaded on first use (or at boot, memory-plan.ts: preloadImageCodecs) and
 * set up once: libvips' operation cache is off, since every image here is new (its default keeps
 * up to 50 MB of decoded images, room a 256 MiB container does not have).
 */
import type SharpFactory from 'sharp'

let loading: Promise<typeof SharpFactory> | undefined

export function loadSharp(): Promise<typeof SharpFactory> {
  return (loading ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false)
    return sharp
  }))
}
