/**
 * The font list handed to satori for one page: the bundled faces the page can use (by weight,
 * style and script), the script-font slices its characters need (script-fonts.ts), the symbol
 * font when it has characters nothing else draws (symbol-font.ts), then the Google Fonts it loaded. What the page uses is read from its parsed tree (font-usage.ts), never
 * from the raw request. satori parses every face in the list once per worker (then caches it by
 * buffer) and keeps a layout engine per distinct list, so lists are built once per selection and
 * reused by identity.
 */
import { readFileSync } from 'node:fs'
import { LRUCache } from 'lru-cache'
import { countLookup } from './cache-stats.js'
import { loadBundledFonts, type BundledFace } from '../fonts/bundled-fonts.js'
import { ScriptFonts, type ScriptFace, type ScriptSelection } from '../fonts/script-fonts.js'
import { SymbolFont, type SymbolSelection } from '../fonts/symbol-font.js'
import type { FontUsage } from './document/font-usage.js'
import type { PreparedFaces } from '../fonts/page-faces.js'
import type { RenderJob } from './job.js'

// satori keeps 8 layout engines by list; a few more lists than that stay cheap (parsed faces are
// shared), so the bound is about the lists' own memory, not about re-parsing.
const MAX_FONT_SETS = 32
// Google Fonts files read from the disk cache, by path: a few hundred KB each.
const MAX_FONT_FILE_BYTES = 32 * 1024 * 1024

// Faces of the non-Latin subsets. Pages whose characters all lie in the 'latin' subsets get a
// font set without them: satori parses every face it is given, so the common case parses a
// third of the faces.
const EXTENDED_FACE = / (latin-ext|cyrillic|cyrillic-ext|greek|greek-ext|vietnamese|symbols|math)$/

/** One page's list and what satori can draw with it beyond what it reports as missing. */
export interface FontSet {
  faces: ScriptFace[]
  /**
   * Code points a CJK face of the list covers: satori reports text outside a CJK face's `lang`
   * as missing before it falls back to that face, so such reports are not drops.
   */
  cjkCovers: (cp: number) => boolean
}

/** What one page needs beyond the bundled faces: script slices and symbol faces. */
export interface FontSelection {
  scripts: ScriptSelection
  symbols: SymbolSelection
}

export class FontSets {
  readonly #extended: BundledFace[]
  readonly #core: BundledFace[]
  readonly #scripts = new ScriptFonts()
  // What the bundled faces draw, the symbol font must not: one file per bundled subset (its
  // regular face) is read for its character map.
  readonly #symbols = new SymbolFont(() => {
    const bySubset = new Map<string, Buffer>()
    for (const f of this.#extended) {
      const subset = EXTENDED_FACE.test(f.name) ? f.name : f.family
      if (!bySubset.has(subset) || (f.weight === 400 && f.style === 'normal')) bySubset.set(subset, f.data)
    }
    return [...bySubset.values()]
  })
  /** The default family's regular Latin face, under a name of its own: see `for`. */
  readonly #lastResort: ScriptFace
  /** Each bundled family's weights: a weight a family lacks is matched to a neighbour. */
  readonly #weights: Map<string, Set<number>>
  readonly #sets = new LRUCache<string, FontSet>({ max: MAX_FONT_SETS })
  readonly #files = new LRUCache<string, Buffer>({ maxSize: MAX_FONT_FILE_BYTES, sizeCalculation: (b) => Math.max(1, b.byteLength) })

  constructor() {
    this.#extended = loadBundledFonts()
    this.#core = this.#extended.filter((f) => !EXTENDED_FACE.test(f.name))
    const regular = this.#core.find((f) => f.name === f.family && f.weight === 400 && f.style === 'normal') ?? this.#core[0]!
    this.#lastResort = { name: `${regular.family} last resort`, weight: regular.weight, style: regular.style, data: regular.data }
    this.#weights = new Map()
    for (const f of this.#extended) {
      if (!this.#weights.has(f.family)) this.#weights.set(f.family, new Set())
      this.#weights.get(f.family)!.add(f.weight)
    }
  }

  /**
   * The script slices and the symbol faces (usually none) a page needs, chosen once per render
   * for `for`: read first, as the symbol font's character maps and cut faces are prepared
   * asynchronously on first use.
   */
  async select(usage: FontUsage): Promise<FontSelection> {
    const scripts = this.#scripts.select(usage.chars, usage.weights, usage.families)
    return { scripts, symbols: await this.#symbols.select(scripts.rest, usage.weights) }
  }

  /**
   * The list for a job's page, whose weights, styles and characters are `usage`; `page`: its own
   * @font-face faces; `selection`: from select() (without it, the script slices are chosen here
   * and no symbol font is used).
   */
  for(job: RenderJob, usage: FontUsage, page?: PreparedFaces, selection?: FontSelection): FontSet {
    const extra = job.fonts
    const wide = this.#scripts.beyondLatin(usage.chars)
    const requested = usage.weights
    const scripts = selection?.scripts ?? this.#scripts.select(usage.chars, requested, usage.families)
    const symbols = selection?.symbols
    const weights = requested === 'any' ? 'any' : [...requested].sort((a, b) => a - b).join(',')
    const key = [wide, weights, usage.italic, scripts.key, page?.key ?? '', symbols?.key ?? '', ...extra.map((f) => `${f.name}|${f.weight}|${f.style}|${f.path}`)].join('\n')
    let set = this.#sets.get(key)
    countLookup('font_sets', set !== undefined)
    if (!set) {
      // A family keeps only the asked weights when it has every one of them; otherwise satori
      // must see all of them to pick the neighbour a browser would.
      const exact = new Set(
        [...this.#weights].filter(([, has]) => requested !== 'any' && [...requested].every((w) => has.has(w))).map(([f]) => f),
      )
      const bundled = (wide ? this.#extended : this.#core).filter(
        (f) => (!exact.has(f.family) || (requested as Set<number>).has(f.weight)) && (usage.italic || f.style === 'normal'),
      )
      // Bundled faces stay first so unstyled text keeps the default font; script slices and
      // the page's own faces (reached through the family lists that name them) go before the
      // bundled subsets' fallbacks, so the list's last face (which satori measures some line
      // boxes with) is the one it was before script fonts existed. A page that needs the symbol
      // font gets it after every other face (its character map holds nothing another face
      // draws, so it wins no glyph anyway), then the default family's regular face again as the
      // last face: a character no face has is then measured with sans-serif metrics, as
      // Chromium measures it with its sans-serif fallback (a ⑂ measured with Noto Serif made a
      // 12px line 3px taller), and a run of direction marks alone, which no face maps, is shaped
      // with a face that has a space (HarfBuzz turns them into zero-width spaces; with the symbol
      // face, which maps no space, it dropped them and satori failed on the empty run).
      // The CJK families the page names (their Latin faces) unless the page or its Google Fonts
      // load a family of that name themselves: satori would pick among both by weight alone.
      const own = new Set([...(page?.faces ?? []), ...extra].map((f) => f.name.toLowerCase()))
      const named = scripts.named.filter((f) => !own.has(f.name.toLowerCase()))
      const primary = bundled.filter((f) => !EXTENDED_FACE.test(f.name))
      const fallbacks = bundled.filter((f) => EXTENDED_FACE.test(f.name))
      set = {
        faces: [
          ...primary,
          ...scripts.faces,
          ...named,
          ...(page?.faces ?? []),
          ...fallbacks,
          ...extra.map((f) => ({ name: f.name, weight: f.weight, style: f.style, data: this.#file(f.path) })),
          ...(symbols?.faces.length ? [...symbols.faces, this.#lastResort] : []),
        ],
        cjkCovers: scripts.cjkCovers,
      }
      this.#sets.set(key, set)
    }
    return set
  }

  #file(path: string): Buffer {
    let data = this.#files.get(path)
    if (!data) this.#files.set(path, (data = readFileSync(path)))
    return data
  }
}
