/**
 * The render pipeline run inside a render worker: document → layout cost → layout → crop →
 * simplify → SVG images inlined → non-finite values left out → raster cost → rasterize → encode, each a named stage with its own timing (the
 * layout-cost estimate counts as parse, the raster-cost guard as layout). Each cost stage
 * refuses a page its estimate puts past the worker's memory budget before the costly stage
 * allocates anything.
 * Fonts are read once per worker; each page is handed only the faces it can use (font-sets.ts).
 */
import { performance } from 'node:perf_hooks'
import { FontSets } from './font-sets.js'
import { PageFaces } from '../fonts/page-faces.js'
import { fontUsage } from './document/font-usage.js'
import type { RenderJob, RenderResult } from './job.js'
import { buildDocument } from './stages/build-document.js'
import { drawSvgText, guardSvgTextLength, inlineSvgTextRuns } from './stages/svg-text.js'
import { drawSvgImageText, readSvgImageText } from './stages/svg-image-text.js'
import { guardLayoutCost } from './stages/layout-cost.js'
import { layout } from './stages/layout.js'
import { applyCrop, assertPixelBudget, cropRect } from './stages/crop.js'
import { simplifySvg } from './stages/simplify-svg.js'
import { snapBoxFills } from './stages/snap-boxes.js'
import { inlineSvgImages } from './stages/inline-svg-images.js'
import { leaveOutNonFinite } from './stages/svg-non-finite.js'
import { guardRasterCost } from './stages/raster-cost.js'
import { rasterize } from './stages/rasterize.js'
import { encodePng } from './stages/encode.js'
import { takeCacheStats } from './cache-stats.js'
import type { AppError } from '../errors/catalogue.js'

export interface Renderer {
  render(job: RenderJob): Promise<RenderResult>
  /** Renders a tiny page once: the layout engine starts and the most used faces are parsed. */
  warmUp(): Promise<void>
}

// Characters named in one warning; the rest are counted.
const MAX_NAMED_GLYPHS = 12

/** `"ᚠ" U+16A0, "ꙮ" U+A66E and 3 more` */
function nameGlyphs(list: string[]): string {
  const named = list
    .slice(0, MAX_NAMED_GLYPHS)
    .map((g) => `"${g}" ${[...g].map((c) => 'U+' + c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')).join(' ')}`)
  return named.join(', ') + (list.length > MAX_NAMED_GLYPHS ? ` and ${list.length - MAX_NAMED_GLYPHS} more` : '')
}

/** The warning naming the characters no font has (emoji without a picture: layout.ts). */
export function missingGlyphWarnings(glyphs: string[]): string[] {
  return glyphs.length ? [`no bundled font draws ${nameGlyphs(glyphs)} (drawn as missing-glyph boxes)`] : []
}

export function createRenderer(): Renderer {
  const fontSets = new FontSets()
  const pageFaces = new PageFaces()

  const renderer: Renderer = {
    async warmUp() {
      // Unstyled text (Noto Serif, as in Chromium) and the sans-serif most cards name (Roboto),
      // regular and bold: their faces are parsed here, not by the first request. The title card's
      // first layout after boot took 68–109 ms with the serif alone, 42–51 with both (15 warm).
      await renderer.render({
        params: {
          html: '<p>Warm <b>up</b></p><p style="font-family: sans-serif">Warm <b>up</b></p>',
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
      // The page's own @font-face faces, unpacked and cut to their unicode-range; a face that
      // fails is reported and left out, its text drawn with the next family.
      const page = job.pageFaces?.length ? await pageFaces.prepare(job.pageFaces) : undefined
      const doc = buildDocument(job, page?.slots)
      // Text inside SVG images, read before the fonts are chosen and the layout priced.
      const imageText = readSvgImageText(doc.root)
      guardLayoutCost(doc.root, job.limits)
      guardSvgTextLength([...(doc.hasSvgText ? inlineSvgTextRuns(doc.root) : []), ...(imageText ?? []).flatMap((image) => image.texts.map((t) => t.runs))], job.limits.svgTextChars)
      const parse = lap()
      const usage = fontUsage(doc.root)
      const selection = await fontSets.select(usage)
      // Variable page faces at the weights the page uses (page-faces.ts).
      const faces = page && (await pageFaces.atWeights(page, usage.weights))
      const fonts = fontSets.for(job, usage, faces, selection)
      const svgTextWarnings = [
        ...(doc.hasSvgText ? await drawSvgText(doc.root, fonts.faces) : []),
        ...(imageText ? await drawSvgImageText(imageText, fonts.faces) : []),
      ]
      const layoutWith = (faces: typeof fonts.faces) =>
        layout(doc.root, { width: doc.layoutWidth, height: doc.layoutHeight, fonts: faces, cjkCovers: fonts.cjkCovers, twemoji: !job.params.disableTwemoji })
      let laid: Awaited<ReturnType<typeof layout>>
      const pageWarnings = faces?.warnings ?? []
      try {
        laid = await layoutWith(fonts.faces)
      } catch (err) {
        // A page face that passed the checks but that satori's font parser still refuses must not
        // fail the render: drawn again without the page's faces, and said so.
        if (!page?.faces.length || (err as AppError).code === 'RENDER_TOO_COMPLEX') throw err
        laid = await layoutWith(fontSets.for(job, usage, undefined, selection).faces)
        pageWarnings.push(`the page's @font-face fonts could not be used (${(err as Error).message}); the bundled fonts were used`)
      }
      const rect = cropRect(doc, laid)
      assertPixelBudget(rect, job.params.deviceScale, job.limits.outputPixels)
      const finite = leaveOutNonFinite(inlineSvgImages(snapBoxFills(simplifySvg(applyCrop(laid.svg, rect)), job.params.deviceScale)).svg)
      const guarded = guardRasterCost(finite.svg, { scale: job.params.deviceScale, limits: job.limits })
      const layoutMs = lap()
      const raster = rasterize(guarded.svg, { scale: job.params.deviceScale, transparent: job.params.transparentBackground })
      const rasterMs = lap()
      const png = await encodePng(raster, job.params.transparentBackground)
      const encodeMs = lap()
      return {
        png,
        width: raster.width,
        height: raster.height,
        warnings: [
          ...pageWarnings,
          ...doc.warnings,
          ...svgTextWarnings,
          ...laid.styleErrors,
          ...missingGlyphWarnings(laid.missingGlyphs),
          ...finite.warnings,
          ...guarded.warnings,
        ],
        timings: { parse, layout: layoutMs, rasterize: rasterMs, encode: encodeMs },
        caches: takeCacheStats(),
      }
    },
  }
  return renderer
}
