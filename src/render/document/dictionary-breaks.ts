/**
 * Line break opportunities between the words of Thai, Lao, Khmer and Myanmar text, which is
 * written without spaces between words (Unicode line-break class SA, "complex context").
 *
 * satori 0.63 finds break opportunities with the `linebreak` package, UAX #14 without a
 * dictionary: it treats SA characters as letters (rule LB1 maps SA to AL), so a Thai sentence
 * broke only at its spaces and a long one overflowed its box. Chromium breaks SA text where
 * ICU's dictionaries put word boundaries, whatever the `lang` (the dictionary is chosen by the
 * script), and so does Node's `Intl.Segmenter` (Node 20 ships full ICU with the Thai, Lao,
 * Khmer and Burmese dictionaries). Here each text node holding SA characters gets a ZERO WIDTH
 * SPACE (U+200B, class ZW: a break opportunity `linebreak` honours) at each word boundary that
 * falls between two SA letters. Nothing else changes:
 * - U+200B takes no width and draws nothing: satori shapes it with the first family that maps it
 *   (every bundled face does, Roboto Mono with a 1229-unit advance), and HarfBuzz gives a
 *   default-ignorable character a zero advance and an empty glyph. The bundled faces cover it,
 *   so it loads no script slice or symbol face (the symbol font's character maps are read once
 *   per worker, as for the bidi stage's marks).
 * - Only boundaries between two SA letters get one: never before a mark or SARA AM, never after a
 *   Khmer COENG or Myanmar virama (inside a grapheme cluster), never beside a digit, punctuation
 *   or space (where UAX #14 decides as before).
 * - Not where lines cannot wrap (`white-space: nowrap` or `pre`, `text-wrap: nowrap`, `<pre>`,
 *   `<nobr>`, `<td nowrap>`; inherited, by the page's cascade): satori would keep the text on
 *   one line anyway, and it stays one HarfBuzz buffer.
 * - Not under `word-break: keep-all` or `break-all`: satori breaks such text itself, at
 *   Intl.Segmenter words and between graphemes, as Chromium does SA text (Chromium's keep-all
 *   leaves SA text to the dictionary), and it laid out a word made of a U+200B alone over its
 *   neighbours' glyphs.
 * - Not with `letter-spacing`: satori adds it after every cluster, a U+200B's too, which showed
 *   as a gap at each mark; such text still breaks only at its spaces.
 * `text-align: justify` widens spaces only, in Chromium and in satori (patch), not the marks.
 *
 * Cost: one regex test per text node; a node with SA characters is segmented in windows of
 * WINDOW code units (Node 20's segmenter is quadratic on one long string: 138 s for 500,000
 * Thai characters in one call), 0.2–0.3 µs per character.
 *
 * Limits: each text node is segmented alone, so a boundary at an inline element's edge
 * (`<b>ราคา</b>พิเศษ`) is left to satori, as before.
 */
import type { Element } from 'domhandler'
import { declaredValue, rulesMatching } from './selector-match.js'
import { cascadedValue, type StyleRule } from './css-rewrite.js'

export const ZWSP = '\u200b'

/** The scripts whose words ICU's dictionaries find (Chromium's SA line breaking). */
export const SA_SCRIPT = /[\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u

/** The blocks of those scripts in the BMP (Myanmar Extended-C, the only one beyond, holds digits). */
const BLOCKS: Array<[number, number]> = [
  [0x0e00, 0x0eff], // Thai, Lao
  [0x1000, 0x109f], // Myanmar
  [0x1780, 0x17ff], // Khmer
  [0x19e0, 0x19ff], // Khmer Symbols
  [0xa9e0, 0xa9ff], // Myanmar Extended-B
  [0xaa60, 0xaa7f], // Myanmar Extended-A
]
const LETTER = 1 // an SA letter or mark (not a digit, punctuation or symbol of these scripts)
const CONTINUES = 2 // a cluster continues across it: no break before (marks, SARA AM, Lao AM)
const STACKS = 4 // it stacks the next consonant under its letter: no break after (Myanmar virama, Khmer COENG)

/** The classes above of each UTF-16 unit, looked up once per boundary (a regex per boundary cost as much as segmenting). */
const CLASSES = (() => {
  const table = new Uint8Array(0x10000)
  for (const [from, to] of BLOCKS) {
    for (let cp = from; cp <= to; cp++) {
      const ch = String.fromCharCode(cp)
      if (SA_SCRIPT.test(ch) && /[\p{L}\p{M}]/u.test(ch)) table[cp]! |= LETTER
      if (/\p{M}/u.test(ch) || cp === 0x0e33 || cp === 0x0eb3) table[cp]! |= CONTINUES
      if (cp === 0x1039 || cp === 0x17d2) table[cp]! |= STACKS
    }
  }
  return table
})()

/** Segmenter windows: long enough for any word, short enough to stay linear. */
const WINDOW = 512
/**
 * Boundaries this close to a window's cut are found again in the next window: the dictionary
 * engine looks a few words ahead (ICU's Thai engine three), so the words before a cut can come
 * out differently without the text after it.
 */
const MARGIN = 128
/** Chromium uses the dictionary whatever the language; ICU picks it by script, so the locale does not matter. */
const WORDS = new Intl.Segmenter('th', { granularity: 'word' })

/**
 * The offsets of `text` where a word starts, 0 excluded. One segmenter call per window, not per
 * run: starting one costs about as much as segmenting a few hundred characters.
 */
function wordStarts(text: string): number[] {
  const starts: number[] = []
  for (let from = 0; from < text.length; ) {
    const end = Math.min(text.length, from + WINDOW)
    const last = end === text.length ? Infinity : end - MARGIN
    let next = end
    for (const { index } of WORDS.segment(text.slice(from, end))) {
      if (index === 0) continue
      // Past the margin only when nothing came before it (a word of hundreds of letters).
      if (from + index > last && next !== end) break
      starts.push(from + index)
      next = from + index
      if (from + index > last) break
    }
    from = next
  }
  return starts
}

/**
 * `text` with a ZERO WIDTH SPACE at each dictionary word boundary between two SA letters
 * (unchanged, the same string, when it holds none).
 */
export function withDictionaryBreaks(text: string): string {
  if (!SA_SCRIPT.test(text)) return text
  let out = ''
  let at = 0
  for (const cut of wordStarts(text)) {
    const before = CLASSES[text.charCodeAt(cut - 1)]!
    const after = CLASSES[text.charCodeAt(cut)]!
    if (!(before & LETTER) || !(after & LETTER) || after & CONTINUES || before & STACKS) continue
    out += text.slice(at, cut) + ZWSP
    at = cut
  }
  return at === 0 ? text : out + text.slice(at)
}

/** A cascaded value: its declaration's text, lower-cased, or undefined where nothing is declared. */
type Own = (value: string | undefined, property: string | undefined, el: Element) => boolean | undefined

/** Each inherited property that decides, with what an element's own value says (undefined: inherit). */
const PROPERTIES: Array<{ names: string[]; own: Own; unsure: boolean }> = [
  {
    // Lines wrap: `white-space` (nowrap, pre), `text-wrap`/`text-wrap-mode` (nowrap), the
    // user-agent sheet's <pre>, <listing>, <xmp>, <plaintext>, <nobr>, and <td nowrap>.
    names: ['white-space', 'text-wrap', 'text-wrap-mode'],
    own: (value, property, el) => {
      if (value !== undefined) return !(/\bnowrap\b/.test(value) || (property === 'white-space' && value === 'pre'))
      if (NOWRAP_TAGS.has(el.name) || ((el.name === 'td' || el.name === 'th') && el.attribs.nowrap !== undefined)) return false
      return undefined
    },
    // Marks in text satori keeps on one line anyway change nothing.
    unsure: true,
  },
  {
    // satori breaks `keep-all` text at Intl.Segmenter words and `break-all` text between graphemes
    // itself (both as Chromium does for SA text), and lays out a zero-width word there on top of
    // its neighbours: no marks.
    names: ['word-break'],
    own: (value) => (value === undefined ? undefined : value !== 'keep-all' && value !== 'break-all'),
    unsure: false,
  },
  {
    // satori adds `letter-spacing` after every cluster, a U+200B's too: a gap at each mark.
    names: ['letter-spacing'],
    own: (value) => (value === undefined ? undefined : value === 'normal' || /^[+-]?0*\.?0*([a-z]+|%)?$/.test(value)),
    unsure: false,
  },
]
/** Elements the user-agent sheet (or a presentational hint) keeps on one line. */
const NOWRAP_TAGS = new Set(['pre', 'listing', 'xmp', 'plaintext', 'nobr'])

/**
 * Whether text in an element gets dictionary breaks: its lines may wrap, its `word-break` is
 * not `keep-all` or `break-all`, and it has no `letter-spacing` (each inherited, by the page's
 * cascade: its rules and inline styles, then the user-agent defaults above).
 */
interface Cascaded {
  names: string[]
  own: Own
  /** The answer where a rule that may not apply (inside `@media`…) matches: the harmless one. */
  unsure: boolean
  /** The page's rules declaring one of `names`. */
  rules: StyleRule[]
  /** The answer for each element asked about, and its ancestors on the way. */
  known: Map<Element, boolean>
}

export class DictionaryBreakCascade {
  readonly #properties: Cascaded[]

  constructor(
    rules: StyleRule[],
    private readonly inlineStyle: (el: Element) => Record<string, unknown> | undefined,
  ) {
    this.#properties = PROPERTIES.map((p) => ({
      ...p,
      rules: rules.filter((r) => r.declarations.some((d) => p.names.includes(d.property))),
      known: new Map<Element, boolean>(),
    }))
  }

  /** Whether text directly in `el` gets break opportunities between dictionary words. */
  applies(el: Element): boolean {
    return this.#properties.every((p) => this.#inherited(el, p))
  }

  #inherited(el: Element, p: Cascaded): boolean {
    // Up to the nearest element that decides (or is known), then down again, remembering each.
    const chain: Element[] = []
    let answer = true
    for (let node: Element | null = el; node && node.type === 'tag'; node = node.parent as Element | null) {
      const known = p.known.get(node)
      if (known !== undefined) {
        answer = known
        break
      }
      chain.push(node)
      const own = this.#own(node, p)
      if (own !== undefined) {
        answer = own
        break
      }
    }
    for (const node of chain) p.known.set(node, answer)
    return answer
  }

  #own(el: Element, p: Cascaded): boolean | undefined {
    const matching = rulesMatching(el, p.rules)
    if (matching.some((r) => r.conditional)) return p.unsure
    const inline = this.inlineStyle(el)
    const decls = matching.length || inline ? cascadedValue(matching, inline, p.names) : []
    const winner = decls[decls.length - 1]
    const value = winner && declaredValue(winner.value).toLowerCase()
    if (value === 'inherit' || value === 'unset') return undefined
    if (value === 'initial') return true
    const declared = value === 'revert' || value === 'revert-layer' ? undefined : value
    return p.own(declared, declared === undefined ? undefined : winner!.property, el)
  }
}
