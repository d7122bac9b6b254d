/** Takumi (@takumi-rs/core), the fastest browser-free peer, on the same cards and font files. */
import { readFileSync } from 'node:fs'
import type { Card } from '../lib/cards.js'
import { CARD_WEIGHTS, robotoFile } from '../lib/cards.js'

export interface PeerResult {
  card: string
  p50: number
  p95: number
  /** Size of takumi's PNG of the card, for the PNG-size figure. */
  bytes?: number
}

/** A renderer sampled beside Vellum's on each card (bench/stages.ts, bench/http.ts): the PNG's bytes. */
export interface InterleavedPeer {
  render(card: Card): Promise<number>
}

export interface TakumiPeer extends InterleavedPeer {
  /** Renders per second of `html` (made unique per render) at `concurrency`. */
  throughput(html: string, seconds: number, concurrency: number): Promise<number>
}

/**
 * Takumi with Roboto registered, or why it is missing. Its per-card latency is sampled by
 * bench/stages.ts, interleaved with Vellum's renders of the same card: measured minutes apart,
 * the two drifted with this VM's speed (the server ratio read 2.98×–3.40× in three runs within
 * twenty minutes).
 */
export async function loadTakumi(): Promise<TakumiPeer | { skipped: string }> {
  let core: typeof import('@takumi-rs/core')
  let helpers: typeof import('@takumi-rs/helpers/html')
  try {
    core = await import('@takumi-rs/core')
    helpers = await import('@takumi-rs/helpers/html')
  } catch (err) {
    return { skipped: `@takumi-rs/core is not installed (${(err as Error).message})` }
  }
  const renderer = new core.Renderer()
  for (const weight of CARD_WEIGHTS) {
    await renderer.registerFont({ name: 'Roboto', data: readFileSync(robotoFile(weight)), weight, style: 'normal' } as never)
  }
  const render = (html: string, scale: number) => {
    const src = helpers.fromHtml(html)
    return renderer.render(src.node, { width: 1200 * scale, height: 630 * scale, devicePixelRatio: scale, format: 'png', css: src.css } as never)
  }
  const throughput = async (html: string, seconds: number, concurrency: number) => {
    let done = 0
    const end = Date.now() + seconds * 1000
    await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        let n = 0
        while (Date.now() < end) {
          await render(html.replace('</div>', `<!-- ${w}-${n++} --></div>`), 1)
          done++
        }
      }),
    )
    return done / seconds
  }
  return { render: async (card) => (await render(card.html, card.scale)).byteLength, throughput }
}
