/**
 * Noto fonts for the scripts the bundled families lack (CJK, Arabic, Hebrew, Devanagari, Thai…),
 * from the @fontsource packages named in `fonts/manifest.json` ("scripts"), handed to satori
 * the way Google Fonts serves CJK: the packages split each font into unicode-range slices
 * (≈100 numbered slices of 20–60 KB for a CJK family), and a page gets only the slices that hold
 * its characters. A Latin card gets none, a Chinese menu a dozen or so; a whole CJK font
 * (4–5 MB per weight) is never parsed.
 *
 * Which slices: each character beyond what the bundled families cover is looked up in the
 * families in manifest order, Han text in its `lang`'s family first (ja → JP, ko → KR, zh-Hant →
 * TC, zh → SC), so the glyph is the one a browser with these fonts picks. Every slice is
 * registered under its own name ("Noto Sans SC 57"), since satori never falls back between faces
 * of one name; the CJK faces carry their satori `lang`, which makes satori prefer them for text
 * in that language.
 *
 * Slice files are read on first use and kept (bounded) as the same Buffer objects: satori caches
 * parsed fonts by buffer identity.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { LRUCache } from 'lru-cache'
import { FONTS_DIR, readManifest, type FontFace, type FontWeight } from './bundled-fonts.js'
import { cmapRanges } from './sfnt.js'
import type { PageChars } from '../render/document/page-text.js'

interface ManifestScript {
  name: string
  package: string
  prefix: string
  lang?: string
  weights: FontWeight[]
  subsets: string[]
}

/** A face satori can be handed: a FontFace with the satori locale of its Han glyphs. */
export interface ScriptFace extends FontFace {
  lang?: string
}

/** Sorted, non-overlapping code point intervals: [start, end] pairs, flattened. */
type Ranges = number[]

interface Slice {
  /** "Noto Sans SC 57", "Noto Sans Hebrew": unique per slice. */
  name: string
  family: ScriptFamily
  /** The file for a weight, without the weight part: `${stem}-${weight}-normal.woff2`. */
  stem: string
  ranges: Ranges
}

interface ScriptFamily {
  name: string
  lang?: string
  weights: FontWeight[]
  manifest: ManifestScript
  /** Built on the family's first lookup (slice-table below). */
  table?: SliceTable
}

/** Every slice's intervals, with the slice each belongs to: binary searched per character. */
interface SliceTable {
  starts: number[]
  ends: number[]
  owners: Slice[]
}

// Slice files kept per worker (woff2 bytes; satori's parsed copies live as long as these).
const MAX_SLICE_BYTES = 24 * 1024 * 1024

const require = createRequire(import.meta.url)

/** `U+0590-05FF,U+20AA` → [0x590, 0x5ff, 0x20aa, 0x20aa]. No regex: a CJK family has ~9,000 parts. */
export function parseUnicodeRange(value: string): Ranges {
  const out: Array<[number, number]> = []
  for (const raw of value.split(',')) {
    const part = raw.trim()
    if (part.length < 3 || (part[0] !== 'U' && part[0] !== 'u') || part[1] !== '+') continue
    const dash = part.indexOf('-', 2)
    const first = dash < 0 ? part.slice(2) : part.slice(2, dash)
    const wild = first.includes('?')
    const lo = parseInt(wild ? first.replace(/\?/g, '0') : first, 16)
    const hi = dash >= 0 ? parseInt(part.slice(dash + 1), 16) : wild ? parseInt(first.replace(/\?/g, 'f'), 16) : lo
    if (Number.isNaN(lo) || Number.isNaN(hi)) continue
    out.push([lo, hi])
  }
  return merge(out)
}

function merge(intervals: Array<[number, number]>): Ranges {
  let sorted = true
  for (let i = 1; i < intervals.length && sorted; i++) sorted = intervals[i - 1]![0] <= intervals[i]![0]
  if (!sorted) intervals.sort((a, b) => a[0] - b[0])
  const flat: Ranges = []
  for (const [lo, hi] of intervals) {
    if (flat.length && lo <= flat[flat.length - 1]! + 1) flat[flat.length - 1] = Math.max(flat[flat.length - 1]!, hi)
    else flat.push(lo, hi)
  }
  return flat
}

export function inRanges(ranges: Ranges, cp: number): boolean {
  let lo = 0
  let hi = ranges.length / 2 - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (cp < ranges[2 * mid]!) hi = mid - 1
    else if (cp > ranges[2 * mid + 1]!) lo = mid + 1
    else return true
  }
  return false
}

function packageDir(pkg: string): string {
  return dirname(require.resolve(`${pkg}/package.json`))
}

function installed(pkg: string): boolean {
  try {
    packageDir(pkg)
    return true
  } catch {
    return false
  }
}

function readUnicodeJson(pkg: string): Record<string, string> {
  return JSON.parse(readFileSync(join(packageDir(pkg), 'unicode.json'), 'utf8')) as Record<string, string>
}

export function readScriptManifest(): ManifestScript[] {
  return (JSON.parse(readFileSync(join(FONTS_DIR, 'manifest.json'), 'utf8')) as { scripts?: ManifestScript[] }).scripts ?? []
}

/** The slices a page needs and the faces for them, in satori's fallback order. */
export interface ScriptSelection {
  /** Stable key of the selection (slice names and weights). */
  key: string
  faces: ScriptFace[]
  /** The CJK families the page names, under those names, for their Latin (#namedFamilyFaces). */
  named: ScriptFace[]
  /** Code points the loaded CJK faces cover (satori only falls back to them outside their lang). */
  cjkCovers: (cp: number) => boolean
  /** The page's code points (beyond Latin-1) that no slice took: the symbol font's candidates. */
  rest: Set<number>
}

export class ScriptFonts {
  /** What the bundled families cover (every subset), and their first ('latin') subsets. */
  readonly bundled: Ranges
  readonly latin: Ranges
  #families: ScriptFamily[] | undefined
  readonly #files = new LRUCache<string, Buffer>({ maxSize: MAX_SLICE_BYTES, sizeCalculation: (b) => Math.max(1, b.byteLength) })
  /** Each slice's real character map (#draws): a few hundred bytes a slice, one per slice at most. */
  readonly #maps = new Map<Slice, Ranges>()

  /** What the bundled families' other subsets declare: where it overlaps `latin`, only the real character maps tell. */
  readonly #later: Ranges
  /** Each bundled family's regular 'latin' file, and (read on first need) its character map. */
  readonly #latinFiles: string[]
  #latinMaps: Ranges[] | undefined

  constructor() {
    const all: Array<[number, number]> = []
    const latin: Array<[number, number]> = []
    const later: Array<[number, number]> = []
    this.#latinFiles = []
    for (const family of readManifest()) {
      const unicode = readUnicodeJson(family.package)
      family.subsets.forEach((subset, i) => {
        const r = parseUnicodeRange(unicode[subset] ?? '')
        for (let j = 0; j < r.length; j += 2) {
          all.push([r[j]!, r[j + 1]!])
          ;(i === 0 ? latin : later).push([r[j]!, r[j + 1]!])
        }
      })
      const dir = join(dirname(require.resolve(`${family.package}/package.json`)), 'files')
      this.#latinFiles.push(join(dir, `${family.prefix}-${family.subsets[0]}-400-normal.woff2`))
    }
    this.bundled = merge(all)
    this.latin = merge(latin)
    this.#later = merge(later)
  }

  /**
   * Whether every bundled family's 'latin' file draws `cp`. The subsets' declared ranges overlap:
   * Roboto's 'latin' declares U+2000–206F but its file has no dagger (U+2020), which 'latin-ext'
   * declares again and draws, so a page with † counted as Latin-only got no 'latin-ext' face and
   * a missing-glyph box, where a browser, matching both ranges, fetches both and finds it.
   */
  #latinDraws(cp: number): boolean {
    this.#latinMaps ??= this.#latinFiles.map((file) => cmapRanges(readFileSync(file)))
    return this.#latinMaps.every((map) => inRanges(map, cp))
  }

  /**
   * The manifest's script families whose package is installed: an operator who does not need,
   * say, Korean can `npm uninstall @fontsource/noto-sans-kr` (54 MB) and its text is reported as
   * missing glyphs instead of failing the worker.
   */
  get families(): ScriptFamily[] {
    return (this.#families ??= readScriptManifest()
      .filter((s) => installed(s.package))
      .map((s) => ({ name: s.name, lang: s.lang, weights: s.weights, manifest: s })))
  }

  /**
   * A family's slice table, read on its first lookup (~9,000 intervals for a CJK family,
   * 20–80 ms cold): a worker that only sees Latin pages never reads one, a Chinese page reads
   * the small non-CJK tables and Noto Sans SC's only.
   */
  #table(family: ScriptFamily): SliceTable {
    if (family.table) return family.table
    const s = family.manifest
    const unicode = readUnicodeJson(s.package)
    const keys = s.subsets.flatMap((k) => (k === '[n]' ? Object.keys(unicode).filter((u) => /^\[\d+\]$/.test(u)) : [k]))
    const table: SliceTable = { starts: [], ends: [], owners: [] }
    const dir = join(packageDir(s.package), 'files')
    const intervals: Array<[number, number, Slice]> = []
    for (const key of keys) {
      const id = key.replace(/^\[(\d+)\]$/, '$1')
      // Numbered slices by number; a family used through one named subset by its own name.
      const name = keys.length === 1 ? s.name : `${s.name} ${id}`
      const slice: Slice = { name, family, stem: join(dir, `${s.prefix}-${id}`), ranges: parseUnicodeRange(unicode[key] ?? '') }
      for (let j = 0; j < slice.ranges.length; j += 2) intervals.push([slice.ranges[j]!, slice.ranges[j + 1]!, slice])
    }
    // Overlaps (a character in two slices) keep the first slice's claim: the lookup finds one.
    intervals.sort((a, b) => a[0] - b[0])
    for (const [lo, hi, slice] of intervals) {
      const last = table.ends.length ? table.ends[table.ends.length - 1]! : -1
      if (hi <= last) continue
      table.starts.push(Math.max(lo, last + 1))
      table.ends.push(hi)
      table.owners.push(slice)
    }
    return (family.table = table)
  }

  #sliceFor(family: ScriptFamily, cp: number): Slice | undefined {
    const table = this.#table(family)
    let lo = 0
    let hi = table.starts.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (cp < table.starts[mid]!) hi = mid - 1
      else if (cp > table.ends[mid]!) lo = mid + 1
      else return table.owners[mid]
    }
    return undefined
  }

  /**
   * Whether the slice's file really maps `cp`. A slice's unicode-range can claim more than the
   * file holds: Noto Sans SC's slice 21 claims U+ACBD (경) with 26 glyphs, none of them Hangul, so
   * Korean without `lang` drew boxes, with no warning, while Noto Sans KR had the glyph. The
   * character map is read once per slice (its regular file; every weight is cut the same way).
   */
  #draws(slice: Slice, cp: number): boolean {
    let ranges = this.#maps.get(slice)
    if (!ranges) {
      const weight = slice.family.weights.includes(400) ? 400 : slice.family.weights[0]!
      try {
        ranges = cmapRanges(this.#file(`${slice.stem}-${weight}-normal.woff2`))
      } catch {
        ranges = slice.ranges // unreadable: trust the declared range, as before
      }
      this.#maps.set(slice, ranges)
    }
    return inRanges(ranges, cp)
  }

  /** Whether any bundled family (all subsets) covers `cp`. */
  bundledCovers(cp: number): boolean {
    return inRanges(this.bundled, cp)
  }

  /** Whether the characters go beyond the bundled families' first ('latin') subsets. */
  beyondLatin(chars: PageChars): boolean {
    for (const set of chars.values()) {
      for (const cp of set) {
        if (!inRanges(this.latin, cp)) return true
        if (inRanges(this.#later, cp) && !this.#latinDraws(cp)) return true
      }
    }
    return false
  }

  /**
   * The slices for a page's characters, at the weights its text can ask for (`weights`: the
   * declared ones, 'any' for all). `named`: families the page names, tried first for Han.
   */
  select(chars: PageChars, weights: Set<number> | 'any', named: ReadonlySet<string> = new Set()): ScriptSelection {
    const picked = new Set<Slice>()
    const rest = new Set<number>()
    for (const [locale, set] of chars) {
      let order: ScriptFamily[] | undefined
      for (const cp of set) {
        if (this.bundledCovers(cp)) {
          rest.add(cp)
          continue
        }
        order ??= this.#order(locale, named)
        let slice: Slice | undefined
        for (const family of order) {
          const claimed = this.#sliceFor(family, cp)
          if (claimed && this.#draws(claimed, cp)) {
            slice = claimed
            break
          }
        }
        if (slice) picked.add(slice)
        else rest.add(cp)
      }
    }
    const own = this.#namedFamilyFaces(named, weights)
    const ownKey = own.length ? `|own:${own.map((f) => `${f.name}@${f.weight}`).join(',')}` : ''
    if (picked.size === 0) return { key: ownKey, faces: [], named: own, cjkCovers: () => false, rest }
    // Family order (named families first), then slice order within a family: the same
    // characters give the same list, and satori falls back in this order for text without lang.
    const familyOrder = this.#order('', named)
    const slices = [...picked].sort((a, b) => {
      const fa = familyOrder.indexOf(a.family)
      const fb = familyOrder.indexOf(b.family)
      return fa !== fb ? fa - fb : a.name.localeCompare(b.name, 'en', { numeric: true })
    })
    const faces: ScriptFace[] = []
    const usedWeights = new Set<number>()
    for (const slice of slices) {
      for (const weight of pickWeights(slice.family.weights, weights)) {
        usedWeights.add(weight)
        const face: ScriptFace = { name: slice.name, weight, style: 'normal', data: this.#file(`${slice.stem}-${weight}-normal.woff2`) }
        if (slice.family.lang) face.lang = slice.family.lang
        faces.push(face)
      }
    }
    const cjk = slices.filter((s) => s.family.lang)
    return {
      key: `${slices.map((s) => s.name).join(',')}|${[...usedWeights].sort((a, b) => a - b).join(',')}${ownKey}`,
      faces,
      named: own,
      cjkCovers: (cp) => cjk.some((s) => inRanges(s.ranges, cp)),
      rest,
    }
  }

  /**
   * The CJK families the page names, under their own names and without a satori `lang`, each
   * from its package's 'latin' subset file (~13 KB a weight): text whose font-family list names
   * Noto Sans JP before a family with Latin glyphs gets its letters, digits and spaces from Noto
   * Sans JP, as in a browser (the first family that has the glyph wins), and its line box from
   * that face's metrics. The slices above are named per slice and carry their `lang`, which
   * satori only reaches as fallbacks after every face without one (Roboto's Latin among them).
   * Characters the 'latin' file lacks (the CJK ones) fall through to the slices as before.
   * A page that does not name the family gets none: `sans-serif` keeps Roboto's Latin, as
   * Chromium keeps its generic family's.
   */
  #namedFamilyFaces(named: ReadonlySet<string>, weights: Set<number> | 'any'): ScriptFace[] {
    const faces: ScriptFace[] = []
    if (named.size === 0) return faces
    for (const family of this.families) {
      if (!family.lang || !named.has(family.name.toLowerCase())) continue
      const stem = join(packageDir(family.manifest.package), 'files', `${family.manifest.prefix}-latin`)
      for (const weight of pickWeights(family.weights, weights)) {
        try {
          faces.push({ name: family.name, weight, style: 'normal', data: this.#file(`${stem}-${weight}-normal.woff2`) })
        } catch {
          // A package without the 'latin' subset: its Latin stays with the fallbacks.
        }
      }
    }
    return faces
  }

  /** Families to look a character up in: for Han text, its language's family first. */
  #order(locale: string, named: ReadonlySet<string>): ScriptFamily[] {
    const first = this.families.filter((f) => (locale !== '' && f.lang === locale) || named.has(f.name.toLowerCase()))
    return first.length ? [...first, ...this.families.filter((f) => !first.includes(f))] : this.families
  }

  #file(path: string): Buffer {
    let data = this.#files.get(path)
    if (!data) this.#files.set(path, (data = readFileSync(path)))
    return data
  }
}

/**
 * The family's weights a page's text can resolve to, by CSS font matching: a weight up to 500
 * takes the nearest one at or below it (400 here), a heavier one the nearest above (700).
 */
export function pickWeights(available: FontWeight[], wanted: Set<number> | 'any'): FontWeight[] {
  if (wanted === 'any') return available
  const out = new Set<FontWeight>()
  for (const w of wanted) {
    const sorted = [...available].sort((a, b) => a - b)
    const down = [...sorted].reverse().find((a) => a <= w)
    const up = sorted.find((a) => a >= w)
    const pick = w <= 500 ? (down ?? up) : (up ?? down)
    if (pick) out.add(pick)
  }
  return [...out].sort((a, b) => a - b)
}
