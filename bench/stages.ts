/**
 * Per-stage timings of Vellum's render pipeline on the card set: parse (HTML → tree), layout
 * (satori, crop), rasterize (resvg), encode (PNG), one render at a time in a render worker, the
 * process the server renders in (its flags, allocator settings and scavenge after each render:
 * measured in the bench's own process, a device-scale-2 card took 4× longer). Also the PNG
 * bytes against resvg's own encoder at its default setting. A peer given (takumi) renders each card
 * in the same loop, its samples alternating with Vellum's (the order swapped every round), so a
 * VM whose speed drifts moves both sides of the ratio alike.
 */
import { Resvg } from '@resvg/resvg-js'
import { createRenderPool, type RenderRunner } from '../src/render/pool/render-pool.js'
import { buildDocument } from '../src/render/stages/build-document.js'
import { layout } from '../src/render/stages/layout.js'
import { applyCrop, cropRect } from '../src/render/stages/crop.js'
import { loadBundledFonts } from '../src/fonts/bundled-fonts.js'
import { renderLimits } from '../src/container.js'
import { configFrom } from '../src/config/load-config.js'
import type { RenderJob } from '../src/render/job.js'
import type { Card } from './lib/cards.js'
import type { InterleavedPeer, PeerResult } from './peers/takumi.js'
import { median, p95, timed } from './lib/stats.js'

export interface StageResult {
  card: string
  parse: number
  layout: number
  rasterize: number
  encode: number
  total: number
  totalP95: number
  bytes: number
  resvgBytes: number
}

export function jobFor(card: Card, html = card.html): RenderJob {
  return {
    params: {
      html, css: '', googleFonts: [], selector: undefined, deviceScale: card.scale,
      viewportWidth: undefined, viewportHeight: undefined, transparentBackground: false, disableTwemoji: false,
    },
    limits: renderLimits(configFrom()),
    fonts: [],
    images: {},
  }
}

export async function benchStages(cards: Card[], iterations: number, peer?: InterleavedPeer): Promise<{ stages: StageResult[]; peer?: PeerResult[] }> {
  const pool = createRenderPool({ ...configFrom().render, workers: 1, timeoutMs: 60_000, memoryMb: 0 })
  try {
    return await measure(pool, cards, iterations, peer)
  } finally {
    await pool.close()
  }
}

async function measure(pool: RenderRunner, cards: Card[], iterations: number, peer?: InterleavedPeer): Promise<{ stages: StageResult[]; peer?: PeerResult[] }> {
  const fonts = loadBundledFonts()
  const results: StageResult[] = []
  const peerResults: PeerResult[] = []
  for (const card of cards) {
    const job = jobFor(card)
    for (let i = 0; i < 3; i++) {
      await pool.run(job)
      await peer?.render(card)
    }
    const t = { parse: [] as number[], layout: [] as number[], rasterize: [] as number[], encode: [] as number[], total: [] as number[] }
    const peerMs: number[] = []
    let bytes = 0
    let peerBytes = 0
    const vellum = async () => {
      const [ms, out] = await timed(() => pool.run(job))
      t.total.push(ms)
      t.parse.push(out.timings.parse)
      t.layout.push(out.timings.layout)
      t.rasterize.push(out.timings.rasterize)
      t.encode.push(out.timings.encode)
      bytes = out.png.byteLength
    }
    const other = async () => {
      if (!peer) return
      const [ms, bytes] = await timed(() => peer.render(card))
      peerMs.push(ms)
      peerBytes = bytes
    }
    for (let i = 0; i < iterations; i++) {
      if (i % 2 === 0) {
        await vellum()
        await other()
      } else {
        await other()
        await vellum()
      }
    }
    if (peer) peerResults.push({ card: card.id, p50: median(peerMs), p95: p95(peerMs), bytes: peerBytes })
    const doc = buildDocument(job)
    const laid = await layout(doc.root, { width: doc.layoutWidth, height: doc.layoutHeight, fonts })
    const svg = applyCrop(laid.svg, cropRect(doc, laid))
    const resvgBytes = new Resvg(svg, { fitTo: { mode: 'zoom', value: card.scale }, background: 'white', font: { loadSystemFonts: false } })
      .render()
      .asPng().byteLength
    results.push({
      card: card.id,
      parse: median(t.parse),
      layout: median(t.layout),
      rasterize: median(t.rasterize),
      encode: median(t.encode),
      total: median(t.total),
      totalP95: p95(t.total),
      bytes,
      resvgBytes,
    })
  }
  return { stages: results, peer: peer ? peerResults : undefined }
}
