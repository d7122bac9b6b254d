/**
 * PNG encode on the card rasters, at 1× and 2×: today's truecolour encoder (sharp, level 3)
 * against the exact palette PNG at several zlib levels, interleaved (A, B, C… with the order
 * reversed every other round), medians of N after warm-up. Also the colour scan alone, where
 * it stops on a card of more than 256 colours, and takumi's PNG bytes for the same card when
 * @takumi-rs/core is installed. Run: node --expose-gc --import tsx bench/png-encode.ts [N]
 */
import { readFileSync } from 'node:fs'
import sharp from 'sharp'
import { buildDocument } from '../src/render/stages/build-document.js'
import { layout } from '../src/render/stages/layout.js'
import { applyCrop, cropRect } from '../src/render/stages/crop.js'
import { simplifySvg } from '../src/render/stages/simplify-svg.js'
import { rasterize, type Raster } from '../src/render/stages/rasterize.js'
import { encodePng, encodeTruecolourPng } from '../src/render/stages/encode.js'
import { indexPixels, writeIndexedPng } from '../src/render/stages/indexed-png.js'
import { loadBundledFonts } from '../src/fonts/bundled-fonts.js'
import { CARD_WEIGHTS, loadCards, robotoFile } from './lib/cards.js'
import { jobFor } from './stages.js'
import { median } from './lib/stats.js'

const N = Number(process.argv[2] ?? 30)
const gc = (globalThis as { gc?: (o: { type: 'minor' }) => void }).gc ?? (() => {})

async function rasterOf(html: string, scale: number): Promise<Raster> {
  const job = jobFor({ id: '', html, scale })
  const doc = buildDocument(job)
  const laid = await layout(doc.root, { width: doc.layoutWidth, height: doc.layoutHeight, fonts: loadBundledFonts() })
  return rasterize(simplifySvg(applyCrop(laid.svg, cropRect(doc, laid))), { scale, transparent: false })
}

/** The truecolour encoder at another level, for the cards of more than 256 colours. */
function truecolourAt(level: number) {
  return (r: Raster): Promise<Buffer> =>
    sharp(r.pixels, { raw: { width: r.width, height: r.height, channels: 4 } })
      .removeAlpha()
      .png({ compressionLevel: level, adaptiveFiltering: false, palette: false })
      .toBuffer()
}

function indexedAt(level: number) {
  return async (r: Raster): Promise<Buffer | undefined> => {
    const ix = indexPixels(r.pixels, r.width, r.height, true)
    return ix && writeIndexedPng(ix, r.width, r.height, { level, pixelsPerMetre: 1000 })
  }
}

async function takumiBytes(html: string, scale: number): Promise<number | undefined> {
  try {
    const core = await import('@takumi-rs/core')
    const helpers = await import('@takumi-rs/helpers/html')
    const renderer = new core.Renderer()
    for (const weight of CARD_WEIGHTS) {
      await renderer.registerFont({ name: 'Roboto', data: readFileSync(robotoFile(weight)), weight, style: 'normal' } as never)
    }
    const src = helpers.fromHtml(html)
    const png = await renderer.render(src.node, { width: 1200 * scale, height: 630 * scale, devicePixelRatio: scale, format: 'png', css: src.css } as never)
    return (png as Buffer).byteLength
  } catch {
    return undefined
  }
}

const variants: Record<string, (r: Raster) => Promise<Buffer | undefined>> = {
  'sharp L3 (before)': (r) => encodeTruecolourPng(r, false),
  'encodePng (after)': (r) => encodePng(r, false),
  'sharp L4': truecolourAt(4),
  'sharp L6': truecolourAt(6),
  'scan only': async (r) => (indexPixels(r.pixels, r.width, r.height, true), undefined),
  'palette L3': indexedAt(3),
  'palette L4': indexedAt(4),
  'palette L5': indexedAt(5),
  'palette L6': indexedAt(6),
}

const cards = loadCards().filter((c) => c.scale === 1)
console.log(`N=${N}; medians of wall and process CPU time (all threads), bytes in KiB`)
console.log('| card | scale | colours ≤ 256 | variant | wall ms | CPU ms | KiB | takumi KiB |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
for (const scale of [1, 2]) {
  for (const card of cards) {
    const raster = await rasterOf(card.html, scale)
    const ix = indexPixels(raster.pixels, raster.width, raster.height, true)
    const names = Object.keys(variants)
    const samples = Object.fromEntries(names.map((n) => [n, [] as number[]]))
    const cpu = Object.fromEntries(names.map((n) => [n, [] as number[]]))
    const bytes: Record<string, number> = {}
    for (let round = 0; round < N + 3; round++) {
      const order = round % 2 ? [...names].reverse() : names
      for (const name of order) {
        // A minor GC, then a pause: a full GC's concurrent sweeping would run on other threads
        // during the sample and count in the process CPU time.
        gc({ type: 'minor' })
        await new Promise((resolve) => setTimeout(resolve, 2))
        const c = process.cpuUsage()
        const t = performance.now()
        const out = await variants[name](raster)
        const ms = performance.now() - t
        const used = process.cpuUsage(c)
        if (round >= 3) {
          samples[name].push(ms)
          cpu[name].push((used.user + used.system) / 1000)
        }
        if (out) bytes[name] = out.byteLength
      }
    }
    const takumi = await takumiBytes(card.html, scale)
    for (const name of names) {
      const kib = bytes[name] === undefined ? '–' : (bytes[name] / 1024).toFixed(1)
      const tk = takumi === undefined ? '–' : (takumi / 1024).toFixed(1)
      console.log(`| ${card.id} | ${scale} | ${ix ? `yes (${ix.count})` : 'no'} | ${name} | ${median(samples[name]).toFixed(2)} | ${median(cpu[name]).toFixed(2)} | ${kib} | ${tk} |`)
    }
  }
}
