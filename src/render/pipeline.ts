/**
 * The render pipeline run inside a render worker: document → layout → crop → simplify →
 * rasterize → encode, each a named stage with its own timing (simplify counts as layout).
 * Fonts are loaded once per worker and the same font arrays are reused, because satori caches
 * parsed fonts by array and buffer identity.
 */
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { loadBundledFonts, type FontFace } from '../fonts/bundled-fonts.js'
import type { RenderJob, RenderResult } from './job.js'
import { buildDocument } from './stages/build-document.js'
import { layout } from './stages/layout.js'
import { applyCrop, assertPixelBudget, cropRect } from './stages/crop.js'
import { simplifySvg } from './stages/simplify-svg.js'
import { rasterize } from './stages/rasterize.js'
import { encodePng } from './stages/encode.js'

export interface Renderer {
  render(job: RenderJob): Promise<RenderResult>
  /** Renders a tiny page once so fonts are parsed and the layout engine is initialised. */
  warmUp(): Promise<void>
}

const MAX_FONT_SETS = 8 // satori keeps 8 parsed font loaders; more distinct sets would thrash it

// Faces of the non-Latin subsets. Pages written only in Latin scripts get a font set without
// them: satori parses every face it is given, so the common case parses a third of the faces.
const EXTENDED_FACE = / (latin-ext|cyrillic|cyrillic-ext|greek|greek-ext|vietnamese|symbols|math)$/
// What the fonts' 'latin' subsets cover: Basic Latin, Latin-1, general punctuation, the euro and
// a few symbols. Anything else (Latin Extended too) selects the full font set.
const OUTSIDE_CORE = /[^\u0000-\u00ff\u0131\u0152\u0153\u02bb\u02bc\u02c6\u02da\u02dc\u0304\u0308\u0329\u2000-\u206f\u20ac\u2122\u2191\u2193\u2212\u2215\ufeff\ufffd]/

export function createRenderer(): Renderer {
  const extended = loadBundledFonts()
  const core = extended.filter((f) => !EXTENDED_FACE.test(f.name))
  const fontFiles = new Map<string, Buffer>()
  const fontSets = new Map<string, FontFace[]>()

  const fontsFor = (job: RenderJob): FontFace[] => {
    const wide = OUTSIDE_CORE.test(job.params.html) || OUTSIDE_CORE.test(job.params.css)
    const bundled = wide ? extended : core
    if (job.fonts.length === 0) return bundled
    const key = `${wide}\n` + job.fonts.map((f) => `${f.name}|${f.weight}|${f.style}|${f.path}`).join('\n')
    let set = fontSets.get(key)
    if (!set) {
      const extra = job.fonts.map((f) => {
        let data = fontFiles.get(f.path)
        if (!data) fontFiles.set(f.path, (data = readFileSync(f.path)))
        return { name: f.name, weight: f.weight, style: f.style, data }
      })
      // Bundled faces stay first so unstyled text keeps the default font.
      set = [...bundled, ...extra]
      if (fontSets.size >= MAX_FONT_SETS) fontSets.delete(fontSets.keys().next().value!)
      fontSets.set(key, set)
    }
    return set
  }

  const renderer: Renderer = {
    async warmUp() {
      await renderer.render({
        params: {
          html: '<p>Warm <b>up</b> <i>fonts</i> <code>now</code></p>',
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
        fonts: fontsFor(job),
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
