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

/** How much worse than its recorded mismatch a case may get before the ratchet test fails. */
export const RATCHET_TOLERANCE_PCT = 0.5
