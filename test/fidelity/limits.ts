/** Limits the fidelity renders run under: the service defaults, so cases see production behaviour. */
import type { RenderLimits } from '../../src/render/job.js'

export const FIDELITY_LIMITS: RenderLimits = {
  elements: 5000,
  depth: 200,
  outputPixels: 36_000_000,
  imagePixels: 25_000_000,
  imagesPerRender: 40,
  shadowBlurPx: 64,
  shadowSpreadPx: 128,
  shadows: 100,
}

/** A case "renders like Chromium" when at most this share of its pixels differ (percent). */
export const WITHIN_PCT = 5

/**
 * …and when at most this share of its ink differs (compare.ts): text drawn with the right glyphs
 * in the right place stays under it (anti-aliasing alone gives 1–14 % on the cases), boxes for
 * glyphs, missing lines or reflowed paragraphs do not.
 */
export const INK_WITHIN_PCT = 25

/**
 * How much worse than its recorded figures a case may get before the ratchet test fails:
 * relative to the record (a case at 0.2 % may not double and still pass), with a floor for the
 * anti-aliasing noise of near-zero figures. Measured noise between runs: none (renders are
 * deterministic); between satori builds that move glyph vertices by ≤ 0.1 px: +0.06 points.
 */
export function ratchetLimit(recorded: number, metric: 'pixels' | 'ink'): number {
  return metric === 'pixels' ? recorded + Math.max(recorded * 0.1, 0.05) : recorded + Math.max(recorded * 0.05, 0.5)
}
