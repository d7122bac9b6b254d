/**
 * Compares a Vellum render with Chromium's reference: pixelmatch at threshold 0.2 over the
 * union of both sizes. Where the sizes differ, the area one image has and the other lacks
 * counts as mismatched, so a wrong crop is never hidden by a good overlap.
 */
import pixelmatch from 'pixelmatch'
import { PNG } from 'pngjs'

export interface Comparison {
  /** Mismatched share of the union area, in percent. */
  mismatchPct: number
  width: number
  height: number
  referenceSize: [number, number]
  actualSize: [number, number]
  /** pixelmatch's diff picture over the union area (red = mismatch, grey = missing area). */
  diff: PNG
}

/** Draws `src` onto a transparent canvas of the union size, so both images line up at 0,0. */
function padTo(src: PNG, width: number, height: number): PNG {
  if (src.width === width && src.height === height) return src
  const out = new PNG({ width, height })
  PNG.bitblt(src, out, 0, 0, src.width, src.height, 0, 0)
  return out
}

/** Flattens transparency onto white, as the report and the eye see it. */
function flatten(png: PNG): PNG {
  const out = new PNG({ width: png.width, height: png.height })
  for (let i = 0; i < png.data.length; i += 4) {
    const a = png.data[i + 3]! / 255
    for (let c = 0; c < 3; c++) out.data[i + c] = Math.round(png.data[i + c]! * a + 255 * (1 - a))
    out.data[i + 3] = 255
  }
  return out
}

export function compare(reference: PNG, actual: PNG, options: { keepAlpha?: boolean } = {}): Comparison {
  const width = Math.max(reference.width, actual.width)
  const height = Math.max(reference.height, actual.height)
  const prep = (p: PNG) => (options.keepAlpha ? p : flatten(p))
  const ref = padTo(prep(reference), width, height)
  const act = padTo(prep(actual), width, height)
  const diff = new PNG({ width, height })
  let mismatched = pixelmatch(ref.data, act.data, diff.data, width, height, { threshold: 0.2 })
  // Pixels outside one of the two images: mismatched whatever their colour.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inRef = x < reference.width && y < reference.height
      const inAct = x < actual.width && y < actual.height
      if (inRef && inAct) continue
      const i = (y * width + x) * 4
      const wasCounted = diff.data[i] === 255 && diff.data[i + 1] === 0 && diff.data[i + 2] === 0
      if (!wasCounted) mismatched++
      diff.data.set([255, 0, 255, 255], i)
    }
  }
  return {
    mismatchPct: (mismatched / (width * height)) * 100,
    width,
    height,
    referenceSize: [reference.width, reference.height],
    actualSize: [actual.width, actual.height],
    diff,
  }
}
