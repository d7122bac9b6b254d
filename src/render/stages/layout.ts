/**
 * Stage 2: satori lays the tree out and writes SVG. It also reports every element's box,
 * which the crop stage needs, and every style it could not apply (dropped, as a browser does).
 */
import satori from 'satori'
import type { FontFace } from '../../fonts/bundled-fonts.js'
import { AppError } from '../../errors/catalogue.js'
import type { SatoriElement } from '../document/html-to-tree.js'
import { twemojiDataUri } from '../../fonts/twemoji.js'

export interface Box {
  left: number
  top: number
  width: number
  height: number
}

export interface LayoutResult {
  svg: string
  width: number
  height: number
  boxes: Map<string, Box[]>
  styleErrors: string[]
  /** Characters no face of the list draws (satori draws its missing-glyph box), for the warnings. */
  missingGlyphs: string[]
}

const SVG_SIZE = /^<svg width="([\d.]+)" height="([\d.]+)"/
// satori sizes a `filter:` region as the viewport grown by the filter's reach; without a viewport
// height (a page whose height follows its content) it writes height="NaN".
const NAN_FILTER_HEIGHT = /(<filter id="satori_f-[^"]*" x="[^"]*" y="([^"]*)" width="[^"]*" )height="NaN"/g
// Characters that draw nothing in a browser either: controls, joiners, marks of direction,
// variation selectors, white space.
const IGNORABLE = /[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}\u{fe00}-\u{fe0f}\u{e0100}-\u{e01ef}]/u

export async function layout(
  root: SatoriElement,
  options: {
    width: number
    height: number | undefined
    fonts: FontFace[]
    /** Code points a CJK face of `fonts` covers (FontSet.cjkCovers). */
    cjkCovers?: (cp: number) => boolean
    twemoji?: boolean
  },
): Promise<LayoutResult> {
  const boxes = new Map<string, Box[]>()
  const styleErrors: string[] = []
  const missing = new Set<string>()
  let svg: string
  try {
    svg = await satori(root as never, {
      ...(options.height === undefined ? { width: options.width } : { width: options.width, height: options.height }),
      fonts: options.fonts,
      // Fractional layout, like Chromium's 1/64 px layout units: rounding every box to whole
      // pixels (satori's default) widens table columns and shifts text by a pixel per box;
      // measured on the fidelity cases, no rounding is closer to Chromium (sum of mismatch
      // 125 % → 110 % over 36 cases).
      pointScaleFactor: 0,
      // Emoji become Twemoji pictures unless the request set disable_twemoji. Other segments are
      // characters no face has: the font set already holds every slice the page's text needs
      // (font-sets.ts), so these are named in the warnings, apart from text outside the `lang`
      // of a CJK face that covers it (satori reports it before falling back to that face).
      loadAdditionalAsset: async (code, segment) => {
        if (code === 'emoji') {
          // With disable_twemoji no font has emoji either: satori draws its box.
          if (options.twemoji === false) {
            missing.add(segment)
            return []
          }
          const uri = twemojiDataUri(segment)
          // Newer than the bundled Twemoji (or not an emoji sequence it knows): say so, not a silent gap.
          if (uri === '' && styleErrors.length < 50) styleErrors.push(`emoji ${JSON.stringify(segment)} not drawn: the bundled Twemoji has no picture for it`)
          return uri
        }
        for (const ch of segment) {
          const cp = ch.codePointAt(0)!
          if (!options.cjkCovers?.(cp) && !IGNORABLE.test(ch)) missing.add(ch)
        }
        return []
      },
      onNodeDetected: (node) => {
        if (node.key === undefined || node.key === null) return
        const key = String(node.key)
        const list = boxes.get(key) ?? []
        list.push({ left: node.left, top: node.top, width: node.width, height: node.height })
        boxes.set(key, list)
      },
      onStyleError: (err) => {
        // satori 0.63 re-parses an inherited font-family list for list markers and fails on its
        // own array; the marker keeps the inherited font, so this is no loss worth reporting.
        if (/split is not a function\s+in CSS rule `fontFamily/.test(err.message)) return
        if (styleErrors.length < 50) styleErrors.push(err.message)
      },
    })
  } catch (err) {
    if (err instanceof RangeError) {
      throw new AppError('RENDER_TOO_COMPLEX', 'The HTML is too deeply nested to lay out', { cause: err })
    }
    throw new AppError('RENDER_FAILED', `The HTML could not be laid out: ${(err as Error).message}`, { cause: err })
  }
  const m = SVG_SIZE.exec(svg)
  const height = Number(m?.[2] ?? options.height ?? 0)
  return {
    svg: options.height === undefined ? filterHeights(svg, height) : svg,
    width: Number(m?.[1] ?? options.width),
    height,
    boxes,
    styleErrors,
    missingGlyphs: [...missing],
  }
}

/**
 * satori's `filter:` regions on a page laid out without a height: the page's height, as satori
 * would have written with one. resvg reads height="NaN" as the default 120 % of the viewBox, a
 * region that starts the filter's reach above the page (y = -3σ) and ends above or across the
 * element: `filter: blur(10px)` drew nothing, blur(40px) put the region far enough above the
 * canvas that resvg 2.6.2 panicked (geom.rs fit_to_rect unwraps an empty rectangle) and the
 * worker aborted. The region keeps satori's top margin (its reach up) below the page as well:
 * the page ends at its height, so whatever reach satori gave downwards lies past the page.
 */
function filterHeights(svg: string, pageHeight: number): string {
  if (!svg.includes('height="NaN"')) return svg
  return svg.replace(NAN_FILTER_HEIGHT, (_, head: string, y: string) => {
    const top = Math.max(0, -Number(y) || 0)
    return `${head}height="${pageHeight + 2 * top}"`
  })
}
