/**
 * Compares a Vellum render with Chromium's reference: pixelmatch at threshold 0.2 over the
 * union of both sizes. Where the sizes differ, the area one image has and the other lacks
 * counts as mismatched, so a wrong crop is never hidden by a good overlap.
 *
 * Two figures. `mismatchPct` is the share of the whole picture, which a large background
 * dilutes: a Hebrew card whose every glyph was a box passed at 4.6 %. `inkMismatchPct` is the
 * share of the *ink* — pixels where either image differs from the reference's background
 * colour (its most common one) — that mismatch: text, borders, pictures, whatever a person
 * looks at. Boxes for glyphs, a missing line or a shifted paragraph show there at full weight.
 */
import pixelmatch from 'pixelmatch'
import { PNG } from 'pngjs'

export interface Comparison {
  /** Mismatched share of the union area, in percent. */
  mismatchPct: number
  /** Mismatched share of the ink (pixels either image draws off the background), in percent. */
  inkMismatchPct: number
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
  // The reference's background: its most common colour (quantised to 4 bits per channel).
  const counts = new Map<number, number>()
  for (let i = 0; i < ref.data.length; i += 4) {
    const key = ((ref.data[i]! >> 4) << 8) | ((ref.data[i + 1]! >> 4) << 4) | (ref.data[i + 2]! >> 4)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const bgKey = [...counts].sort((a, b) => b[1] - a[1])[0]![0]
  const bg = [((bgKey >> 8) & 15) * 16 + 8, ((bgKey >> 4) & 15) * 16 + 8, (bgKey & 15) * 16 + 8]
  const inkAt = (img: PNG, i: number) =>
    Math.max(Math.abs(img.data[i]! - bg[0]!), Math.abs(img.data[i + 1]! - bg[1]!), Math.abs(img.data[i + 2]! - bg[2]!)) > 32
  let ink = 0
  let inkMismatched = 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4
      const outside = !(x < reference.width && y < reference.height && x < actual.width && y < actual.height)
      if (!outside && !inkAt(ref, i) && !inkAt(act, i)) continue
      ink++
      // pixelmatch paints a mismatch red (anti-aliasing yellow, which is not counted).
      const marked = diff.data[i] === 255 && diff.data[i + 1] === 0 && diff.data[i + 2] === 0
      if (outside || marked) inkMismatched++
    }
  }
  return {
    mismatchPct: (mismatched / (width * height)) * 100,
    inkMismatchPct: ink === 0 ? 0 : (inkMismatched / ink) * 100,
    width,
    height,
    referenceSize: [reference.width, reference.height],
    actualSize: [actual.width, actual.height],
    diff,
  }
}
