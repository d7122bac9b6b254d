/**
 * The satori glyph-path cache (patches/satori+0.63.2.patch) on and off, interleaved in one
 * process: the layout stage as the render worker times it (satori, crop, simplify, raster-cost
 * guard), the SVG bytes, and the pixels of both SVGs through resvg. The cache is measured warm
 * (its steady state in a worker) and cold (cleared before each sample: a first render).
 *
 *   node --expose-gc --import tsx bench/glyph-cache.ts [samples]
 */
import pixelmatch from 'pixelmatch'
import { FontSets } from '../src/render/font-sets.js'
import { fontUsage } from '../src/render/document/font-usage.js'
import { buildDocument } from '../src/render/stages/build-document.js'
import { layout } from '../src/render/stages/layout.js'
import { applyCrop, cropRect } from '../src/render/stages/crop.js'
import { simplifySvg } from '../src/render/stages/simplify-svg.js'
import { guardRasterCost } from '../src/render/stages/raster-cost.js'
import { rasterize } from '../src/render/stages/rasterize.js'
import { loadCards, type Card } from './lib/cards.js'
import { jobFor } from './stages.js'
import { median } from './lib/stats.js'

interface GlyphCache { enabled: boolean; entries: number; bytes: number; clear(): void }
const cache = (globalThis as Record<symbol, GlyphCache | undefined>)[Symbol.for('satori.glyphPathCache')]
// satori is imported (through layout.js) before this line runs, so the patch has registered.
if (!cache) throw new Error('satori is not patched (patches/satori+0.63.2.patch): run `npx patch-package`')

const samples = Number(process.argv[2] ?? 40)
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
const fontSets = new FontSets()

const paragraph =
  'The office staff affirmed the efficient, flawless workflow of the fjord ferry: fifty-five ' +
  'official offers, fluffy waffles and a final shuffle before the flight. '
const cards: Card[] = [
  ...loadCards(),
  {
    id: 'long-text',
    scale: 1,
    html: `<div style="display:flex;flex-direction:column;width:1200px;padding:40px;font-size:18px">${Array.from(
      { length: 12 },
      (_, i) => `<p>${i + 1}. ${paragraph}</p>`,
    ).join('')}</div>`,
  },
]

async function layoutStage(card: Card, scale: number) {
  const job = jobFor(card)
  const doc = buildDocument(job)
  const start = performance.now()
  const laid = await layout(doc.root, { width: doc.layoutWidth, height: doc.layoutHeight, fonts: fontSets.for(job, fontUsage(doc.root)).faces })
  const guarded = guardRasterCost(simplifySvg(applyCrop(laid.svg, cropRect(doc, laid))), { scale, limits: job.limits })
  return { ms: performance.now() - start, cpu: 0, svg: guarded.svg }
}

type Variant = 'off' | 'warm' | 'cold'
async function sample(card: Card, variant: Variant) {
  cache!.enabled = variant !== 'off'
  if (variant === 'cold') cache!.clear()
  gc()
  const cpu0 = process.cpuUsage()
  const r = await layoutStage(card, card.scale)
  const cpu = process.cpuUsage(cpu0)
  r.cpu = (cpu.user + cpu.system) / 1000
  return r
}

function pixelsDiffer(a: string, b: string, scale: number) {
  const ra = rasterize(a, { scale, transparent: false })
  const rb = rasterize(b, { scale, transparent: false })
  if (ra.width !== rb.width || ra.height !== rb.height) return { pct: 100, changed: 100, maxDelta: 255 }
  const n = ra.width * ra.height
  const matched = pixelmatch(ra.pixels, rb.pixels, undefined, ra.width, ra.height, { threshold: 0.1 })
  let changed = 0
  let maxDelta = 0
  for (let i = 0; i < ra.pixels.length; i += 4) {
    let d = 0
    for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(ra.pixels[i + c]! - rb.pixels[i + c]!))
    if (d) changed++
    maxDelta = Math.max(maxDelta, d)
  }
  return { pct: (matched / n) * 100, changed: (changed / n) * 100, maxDelta }
}

const variants: Variant[] = ['off', 'warm', 'cold']
const rows: string[] = []
rows.push('| card | layout ms off / warm / cold | ratio warm, cold | CPU ms off / warm / cold | SVG bytes off → on | pixelmatch 0.1 | pixels changed (max channel Δ) |')
rows.push('| --- | --- | --- | --- | --- | --- | --- |')
for (const card of cards) {
  for (let i = 0; i < 5; i++) for (const v of variants) await sample(card, v)
  const ms: Record<Variant, number[]> = { off: [], warm: [], cold: [] }
  const cpu: Record<Variant, number[]> = { off: [], warm: [], cold: [] }
  for (let i = 0; i < samples; i++) {
    // The order rotates every round, so neither variant always follows the other.
    const order = i % 2 ? [...variants].reverse() : variants
    for (const v of order) {
      const r = await sample(card, v)
      ms[v].push(r.ms)
      cpu[v].push(r.cpu)
    }
  }
  cache.enabled = false
  const off = (await layoutStage(card, card.scale)).svg
  cache.enabled = true
  const on = (await layoutStage(card, card.scale)).svg
  const px = pixelsDiffer(off, on, card.scale)
  const m = (v: Variant) => median(ms[v])
  const c = (v: Variant) => median(cpu[v])
  rows.push(
    `| ${card.id} | ${m('off').toFixed(2)} / ${m('warm').toFixed(2)} / ${m('cold').toFixed(2)} | ${(m('warm') / m('off')).toFixed(2)}×, ${(m('cold') / m('off')).toFixed(2)}× | ` +
      `${c('off').toFixed(2)} / ${c('warm').toFixed(2)} / ${c('cold').toFixed(2)} | ${off.length.toLocaleString('en')} → ${on.length.toLocaleString('en')} (${(on.length / off.length).toFixed(2)}×) | ` +
      `${px.pct.toFixed(4)} % | ${px.changed.toFixed(3)} % (${px.maxDelta}) |`,
  )
  console.error(rows.at(-1))
}
console.log(`\nN = ${samples} per variant, interleaved; cache ${cache.entries} entries, ${(cache.bytes / 1024).toFixed(0)} KiB\n`)
console.log(rows.join('\n'))
