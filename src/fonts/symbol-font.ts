/**
 * The symbol fallback font (fonts/manifest.json "symbols": DejaVu Sans from @fontsource/dejavu-sans,
 * 400 and 700): arrows, check marks, stars, geometric shapes, dingbats, box drawing, math
 * operators, currency, letterlike symbols, enclosed numbers… that none of the text fonts draw.
 * Chromium draws them from a system fallback font, DejaVu Sans on a Debian machine; without this
 * satori drew its missing-glyph box.
 *
 * It is the last fallback: a page gets it only when one of its characters lies in the manifest's
 * `ranges` (the symbol blocks), no script slice took it (script-fonts.ts) and no bundled face
 * draws it. The face satori is handed has its character map cut (sfnt.ts) to what it may draw:
 * its own characters in `ranges`, less those a bundled face draws (their unicode-range subsets
 * claim whole blocks they hold a few glyphs of, so the real character maps are read) and less the
 * emoji that become Twemoji pictures (a bare ❤ or ⭐: satori asks for a picture only when no face
 * has the character). So it wins no character from the text fonts whatever its place in the list,
 * and a text-presentation emoji Twemoji has no picture for (♥ ✔ without U+FE0F) is drawn as the
 * symbol, as Chromium draws it, instead of nothing.
 *
 * Cost: a page without such characters pays one range test per character beyond Latin-1. The
 * character maps (the symbol font's and the bundled faces', ~30 ms, read with Node's Brotli
 * without unpacking the fonts) are read on the first page with a character in the blocks, and
 * each weight's cut face (WOFF2 unpacked by wawoff2, ~700 KB as TTF) once, when a page first
 * needs it; both are kept per worker, so satori parses the face once.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { FONTS_DIR, type FontFace, type FontWeight } from './bundled-fonts.js'
import { inRanges, parseUnicodeRange, pickWeights } from './script-fonts.js'
import { cmapRanges, fontFormat, narrowToRanges, sfntTables, toSfnt } from './sfnt.js'
import { twemojiFile } from './twemoji.js'

interface ManifestSymbols {
  name: string
  package: string
  prefix: string
  subset: string
  weights: FontWeight[]
  /** The blocks the font is a fallback for (CSS unicode-range syntax). */
  ranges: string
}

/** Sorted, non-overlapping code point intervals: [start, end] pairs, flattened. */
type Ranges = number[]

const require = createRequire(import.meta.url)

export function readSymbolsManifest(): ManifestSymbols | undefined {
  return (JSON.parse(readFileSync(join(FONTS_DIR, 'manifest.json'), 'utf8')) as { symbols?: ManifestSymbols }).symbols
}

/** The symbol faces a page needs (none for most pages). */
export interface SymbolSelection {
  /** Stable key of the selection (the weights). */
  key: string
  faces: FontFace[]
}

const NONE: SymbolSelection = { key: '', faces: [] }

export class SymbolFont {
  readonly #manifest: ManifestSymbols | undefined
  readonly #blocks: Ranges
  readonly #bundled: () => Buffer[]
  /** What the face may draw (see the header), read on first need. */
  #covers: Ranges | undefined
  readonly #faces = new Map<FontWeight, Promise<Buffer>>()

  /** `bundled`: one file per bundled subset (whose character maps are subtracted). */
  constructor(bundled: () => Buffer[], manifest: ManifestSymbols | undefined = readSymbolsManifest()) {
    this.#bundled = bundled
    this.#manifest = manifest && installed(manifest.package) ? manifest : undefined
    this.#blocks = this.#manifest ? parseUnicodeRange(this.#manifest.ranges) : []
  }

  /** Whether `cp` lies in the symbol blocks: the cheap test every character beyond Latin-1 gets. */
  inBlocks(cp: number): boolean {
    return inRanges(this.#blocks, cp)
  }

  #file(weight: FontWeight): string {
    const m = this.#manifest!
    return join(dirname(require.resolve(`${m.package}/package.json`)), 'files', `${m.prefix}-${m.subset}-${weight}-normal.woff2`)
  }

  /** The characters the face may draw: its own in the blocks, less the bundled faces' and Twemoji's. */
  covers(): Ranges {
    this.#covers ??= (() => {
      const own = cmapRanges(readFileSync(this.#file(400)))
      const taken: Array<[number, number]> = []
      for (const data of this.#bundled()) {
        const r = cmapRanges(data)
        for (let i = 0; i < r.length; i += 2) taken.push([r[i]!, r[i + 1]!])
      }
      const out: Array<[number, number]> = []
      const bundled = merge(taken)
      for (let i = 0; i < own.length; i += 2) {
        for (let cp = Math.max(own[i]!, 0x100); cp <= own[i + 1]!; cp++) {
          if (!inRanges(this.#blocks, cp) || inRanges(bundled, cp)) continue
          const ch = String.fromCodePoint(cp)
          // Spaces, joiners, direction marks and isolates draw nothing (the bidi stage inserts
          // marks into right-to-left text, and HarfBuzz shaping a run of them alone fails).
          if (INVISIBLE.test(ch)) continue
          // Emoji the bundled Twemoji draws as a picture even without U+FE0F (❤, ⭐, ✅).
          if (EMOJI.test(ch) && twemojiFile(ch)) continue
          out.push([cp, cp])
        }
      }
      return merge(out)
    })()
    return this.#covers
  }

  /** The faces for `chars` (code points no script slice took), at the weights the text can ask for. */
  async select(chars: Iterable<number>, weights: Set<number> | 'any'): Promise<SymbolSelection> {
    if (!this.#manifest) return NONE
    const candidates = [...chars].filter((cp) => this.inBlocks(cp))
    if (candidates.length === 0) return NONE
    const covers = this.covers()
    if (!candidates.some((cp) => inRanges(covers, cp))) return NONE
    const picked = pickWeights(this.#manifest.weights, weights)
    const faces: FontFace[] = []
    for (const weight of picked) faces.push({ name: `${this.#manifest.name} symbols`, weight, style: 'normal', data: await this.#face(weight, covers) })
    return { key: `symbols|${picked.join(',')}`, faces }
  }

  /** A weight's file with its character map cut to `covers`: one Buffer per worker (satori caches by identity). */
  #face(weight: FontWeight, covers: Ranges): Promise<Buffer> {
    let face = this.#faces.get(weight)
    if (!face) {
      face = toSfnt(readFileSync(this.#file(weight))).then((sfnt) => narrowToRanges(sfnt, covers))
      this.#faces.set(weight, face)
    }
    return face
  }
}

const EMOJI = /\p{Emoji}/u
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}]/u

function installed(pkg: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`)
    return true
  } catch {
    return false
  }
}

function merge(intervals: Array<[number, number]>): Ranges {
  intervals.sort((a, b) => a[0] - b[0])
  const flat: Ranges = []
  for (const [lo, hi] of intervals) {
    if (flat.length && lo <= flat[flat.length - 1]! + 1) flat[flat.length - 1] = Math.max(flat[flat.length - 1]!, hi)
    else flat.push(lo, hi)
  }
  return flat
}
