/**
 * Stage 4: resvg draws the SVG at the device scale into raw RGBA pixels. System fonts are off:
 * satori has already turned text into paths, and scanning the system's fonts costs
 * milliseconds per render.
 */
import { Resvg } from '@resvg/resvg-js'

export interface Raster {
  pixels: Buffer
  width: number
  height: number
}

export function rasterize(svg: string, options: { scale: number; transparent: boolean }): Raster {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale },
    background: options.transparent ? undefined : 'white',
    font: { loadSystemFonts: false },
  })
  const rendered = resvg.render()
  return { pixels: rendered.pixels, width: rendered.width, height: rendered.height }
}
