/**
 * The render pipeline run inside a render worker: document → layout → crop → simplify →
 * rasterize → encode, each a named stage with its own timing (simplify counts as layout).
 * Fonts are read once per worker; each page is handed only the faces it can use (font-sets.ts).
 */
import { performance } from 'node:perf_hooks'
import { FontSets } from './font-sets.js'
import { fontUsage } from './document/font-usage.js'
import type { RenderJob, RenderResult } from './job.js'
import { buildDocument } from './stages/build-document.js'
import { layout } from './stages/layout.js'
import { applyCrop, assertPixelBudget, cropRect } from './stages/crop.js'
import { simplifySvg } from './stages/simplify-svg.js'
import { rasterize } from './stages/rasterize.js'
import { encodePng } from './stages/encode.js'

export interface Renderer {
  render(job: RenderJob): Promise<RenderResult>
  /** Renders a tiny page once: the layout engine starts and the most used faces are parsed. */
  warmUp(): Promise<void>
}

export function createRenderer(): Renderer {
  const fontSets = new FontSets()

  const renderer: Renderer = {
    async warmUp() {
      await renderer.render({
        params: {
          html: '<p>Warm <b>up</b></p>',
          css: '',
          googleFonts: [],
          selector: undefined,
          deviceScale: 1,
          viewportWidth: 64,
          viewportHeight: 64,
          transparentBackground: false,
          disableTwemoji: false,
        },
        limits: { elements: 100, depth: 20, outputPixels: 10_000, imagePixels: 1, imagesPerRender: 0, shadowBlurPx: 0, shadowSpreadPx: 0, shadows: 0 },
        fonts: [],
        images: {},
      })
    },
    async render(job) {
      let t = performance.now()
      const lap = () => {
        const now = performance.now()
        const d = now - t
        t = now
        return Math.round(d * 100) / 100
      }
      const doc = buildDocument(job)
      const parse = lap()
      const laid = await layout(doc.root, {
        width: doc.layoutWidth,
        height: doc.layoutHeight,
        fonts: fontSets.for(job, fontUsage(doc.root)),
        twemoji: !job.params.disableTwemoji,
      })
      const rect = cropRect(doc, laid)
      assertPixelBudget(rect, job.params.deviceScale, job.limits.outputPixels)
      const svg = simplifySvg(applyCrop(laid.svg, rect))
      const layoutMs = lap()
      const raster = rasterize(svg, { scale: job.params.deviceScale, transparent: job.params.transparentBackground })
      const rasterMs = lap()
      const png = await encodePng(raster, job.params.transparentBackground)
      const encodeMs = lap()
      return {
        png,
        width: raster.width,
        height: raster.height,
        warnings: [...doc.warnings, ...laid.styleErrors],
        timings: { parse, layout: layoutMs, rasterize: rasterMs, encode: encodeMs },
      }
    },
  }
  return renderer
}
