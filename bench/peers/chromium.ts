/**
 * Warm headless Chromium (Debian's /usr/bin/chromium through playwright-core): one page per
 * device scale, fonts loaded once from the same Roboto files, each render replaces the body
 * and screenshots the card element. Skipped with a message when the browser is absent.
 */
import { existsSync, readFileSync } from 'node:fs'
import type { Card } from '../lib/cards.js'
import { CARD_WEIGHTS, robotoFile } from '../lib/cards.js'
import { median, p95 } from '../lib/stats.js'
import type { PeerResult } from './takumi.js'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']

export async function benchChromium(cards: Card[], iterations: number): Promise<{ results: PeerResult[]; throughput: (html: string, seconds: number, concurrency: number) => Promise<number>; close: () => Promise<void> } | { skipped: string }> {
  if (!existsSync(CHROMIUM_PATH)) return { skipped: `no browser at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)` }
  let pw: typeof import('playwright-core')
  try {
    pw = await import('playwright-core')
  } catch (err) {
    return { skipped: `playwright-core is not installed (${(err as Error).message})` }
  }
  const browser = await pw.chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS })
  const fontCss = CARD_WEIGHTS.map(
    (w) => `@font-face{font-family:Roboto;font-weight:${w};src:url(data:font/woff2;base64,${readFileSync(robotoFile(w)).toString('base64')}) format('woff2')}`,
  ).join('\n')
  const pages = new Map<number, import('playwright-core').Page>()
  const pageFor = async (scale: number) => {
    let page = pages.get(scale)
    if (!page) {
      const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: scale })
      page = await context.newPage()
      await page.setContent(`<!doctype html><html><head><style>${fontCss}</style></head><body></body></html>`)
      await page.evaluate(() => document.fonts.ready)
      pages.set(scale, page)
    }
    return page
  }
  const render = async (page: import('playwright-core').Page, html: string) => {
    await page.evaluate((h) => {
      document.body.innerHTML = h
    }, html)
    return page.locator('body > *').first().screenshot({ type: 'png' })
  }
  const results: PeerResult[] = []
  for (const card of cards) {
    const page = await pageFor(card.scale)
    for (let i = 0; i < 3; i++) await render(page, card.html)
    const samples: number[] = []
    for (let i = 0; i < iterations; i++) {
      const t = performance.now()
      await render(page, card.html)
      samples.push(performance.now() - t)
    }
    results.push({ card: card.id, p50: median(samples), p95: p95(samples) })
  }
  const throughput = async (html: string, seconds: number, concurrency: number) => {
    const ps = await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } })
        const page = await context.newPage()
        await page.setContent(`<!doctype html><html><head><style>${fontCss}</style></head><body></body></html>`)
        return page
      }),
    )
    let done = 0
    const end = Date.now() + seconds * 1000
    await Promise.all(
      ps.map(async (page) => {
        while (Date.now() < end) {
          await render(page, html)
          done++
        }
      }),
    )
    return done / seconds
  }
  return { results, throughput, close: () => browser.close() }
}
