/**
 * The rasterize stage run in a child process, for SVGs that might make resvg panic: a Rust panic
 * in resvg aborts the whole process (it cannot unwind across the native boundary), which must
 * fail one assertion, not end the test run. Also: the SVG a page's stages hand to resvg, built
 * in this process as the pipeline builds it (render/pipeline.ts).
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { buildDocument } from '../../../src/render/stages/build-document.js'
import { layout } from '../../../src/render/stages/layout.js'
import { applyCrop, cropRect } from '../../../src/render/stages/crop.js'
import { simplifySvg } from '../../../src/render/stages/simplify-svg.js'
import { snapBoxFills } from '../../../src/render/stages/snap-boxes.js'
import { guardRasterCost } from '../../../src/render/stages/raster-cost.js'
import { inlineSvgImages } from '../../../src/render/stages/inline-svg-images.js'
import { leaveOutNonFinite } from '../../../src/render/stages/svg-non-finite.js'
import { loadBundledFonts } from '../../../src/fonts/bundled-fonts.js'
import type { RenderParams } from '../../../src/http/schemas/create-image.js'
import { renderJob } from '../../helper.js'

const fonts = loadBundledFonts()
const RASTERIZE = fileURLToPath(new URL('../../../src/render/stages/rasterize.ts', import.meta.url))

const CHILD = `
const { rasterize } = await import(${JSON.stringify(new URL(`file://${RASTERIZE}`).href)})
let svg = ''
for await (const chunk of process.stdin) svg += chunk
const r = rasterize(svg, { scale: Number(process.argv[1]), transparent: false })
const head = Buffer.alloc(8)
head.writeUInt32LE(r.width, 0)
head.writeUInt32LE(r.height, 4)
process.stdout.write(Buffer.concat([head, r.pixels]))
`

export interface Picture {
  width: number
  height: number
  /** RGBA, white background. */
  pixels: Buffer
}

/** The picture, or why the child ended without one (resvg's panic message when it panicked). */
export function rasterizeApart(svg: string, scale = 1): Picture | { failed: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, String(scale)], {
    input: svg,
    maxBuffer: 256 * 1024 * 1024,
  })
  if (run.status !== 0 || run.stdout.length < 8) {
    const why = /panicked at [^\n]*\n[^\n]*/.exec(run.stderr.toString())?.[0] ?? run.stderr.toString().slice(0, 300)
    return { failed: `exit ${run.status ?? run.signal}: ${why}` }
  }
  return { width: run.stdout.readUInt32LE(0), height: run.stdout.readUInt32LE(4), pixels: run.stdout.subarray(8) }
}

/** The SVG resvg is handed for a page, and the warnings of the stages that build it. */
export async function pageSvg(html: string, params: Partial<RenderParams> = {}): Promise<{ svg: string; warnings: string[] }> {
  const job = renderJob(html, params)
  const doc = buildDocument(job)
  const laid = await layout(doc.root, { width: doc.layoutWidth, height: doc.layoutHeight, fonts })
  const scale = job.params.deviceScale
  const finite = leaveOutNonFinite(inlineSvgImages(snapBoxFills(simplifySvg(applyCrop(laid.svg, cropRect(doc, laid))), scale)).svg)
  const guarded = guardRasterCost(finite.svg, { scale, limits: job.limits })
  return { svg: guarded.svg, warnings: [...doc.warnings, ...finite.warnings, ...guarded.warnings] }
}

/** RGBA of a pixel. */
export function rgba(p: Picture, x: number, y: number): number[] {
  const i = (p.width * y + x) * 4
  return [...p.pixels.subarray(i, i + 4)]
}

/** The darkest channel value inside a rectangle (255: nothing drawn there on white). */
export function darkest(p: Picture, r: { x: number; y: number; w: number; h: number }): number {
  let min = 255
  for (let y = r.y; y < Math.min(p.height, r.y + r.h); y++) {
    for (let x = r.x; x < Math.min(p.width, r.x + r.w); x++) {
      const i = (p.width * y + x) * 4
      min = Math.min(min, p.pixels[i]!, p.pixels[i + 1]!, p.pixels[i + 2]!)
    }
  }
  return min
}
