/**
 * Right-to-left and mixed-direction text, ordered by the Unicode Bidirectional Algorithm (UAX #9,
 * computed by bidi-js) before satori lays it out.
 *
 * What satori 0.63 does itself (read from its src/text/bidi.ts and src/text/inline.ts):
 * - A block whose content is text alone is broken into lines first, then each line's pieces
 *   (words, and parts of words that change direction) are reordered by a simplified bidi
 *   algorithm over whole pieces: no W4/W5 (so `09:30` in a right-to-left line is drawn `30:09`,
 *   the `:` being a neutral between two numbers; `₪120` puts the sign on the wrong side), no
 *   bracket pairs, no explicit embeddings. Arabic is shaped (joining forms) by HarfBuzz, and a
 *   piece shaped right-to-left has its brackets mirrored by HarfBuzz.
 * - A block whose content has inline elements (`<b>`, `<span>`, a list item's marker) is laid
 *   out by its inline layout, which aligns right-to-left lines but never reorders them: the
 *   words come out left to right in logical order, an inline element on the wrong side.
 *
 * So, per right-to-left block (`dir`, `direction`, `dir="auto"` resolved from the first strong
 * character; the cascades are bidi-cascade.ts's):
 * - Text alone stays satori's: it breaks lines in logical order and reorders per line, which is
 *   right for paragraphs of any length. Its only mistake, the level of neutral and weak
 *   characters the simplified algorithm resolves differently, is corrected by writing a
 *   LEFT-TO-RIGHT MARK after each such character that UAX #9 puts at an even (left-to-right)
 *   level: satori's piece then counts as left-to-right (`markNeutrals`).
 * - Inline content is rebuilt as a wrapping flex row of one item per word, which satori runs
 *   from the right in a right-to-left box, the items in logical order with each left-to-right
 *   run turned around, so that lines break between words in logical order, as a browser breaks
 *   them, and read from the right in visual order (`reorderInline`, bidi-inline.ts).
 * - A right-to-left list item gets its marker on the right (a disc, circle, square or decimal
 *   number); other marker types keep satori's.
 *
 * A left-to-right block's text alone is satori's. In its inline content each right-to-left run
 * becomes an inline element of its own (`rightToLeftRuns`, bidi-cascade.ts's
 * `isolateRightToLeft`), since satori's inline layout shapes a stretch of one font in the
 * direction of its script and took the space after a Hebrew word along with it.
 *
 * Limits: right-to-left words in different inline elements of a left-to-right block are not
 * reordered across elements; inline content is rebuilt only when every
 * child is inline (by the cascade: text, `<br>`, images, phrasing elements, inline-blocks); a
 * left-to-right run is laid out as separate words reversed, so if one run wraps, its later
 * words land on the earlier line; spaces at a wrap point are kept (a browser hangs them), and a
 * line box's height is that of its tallest word (baseline-aligned), not the CSS inline model's;
 * a word cut by an inline element's edge (`<b>ال</b>كتاب`) is two items, so Arabic does not join
 * across it; `text-align: justify` does not stretch a rebuilt row; a second `<br>` in a row adds
 * no empty line; `unicode-bidi` and embedding levels deeper than 2 in text alone (satori
 * resolves two) are not honoured; `<bdi>`/`<bdo>` are plain inline elements.
 */
import bidiModule from 'bidi-js'

export type Direction = 'ltr' | 'rtl'

// bidi-js's types declare an ES default export; its CommonJS build is the factory itself.
const bidi = (bidiModule as unknown as typeof bidiModule.default)()

export const LRM = '\u200e'
export const RLM = '\u200f'
/** Characters of right-to-left scripts: only text holding one can need any of this. */
export const RTL_CHAR = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u
/** Neutral and weak types whose level satori's simplified algorithm may get wrong. */
const MARKED_TYPES = new Set(['ON', 'ES', 'ET', 'CS'])
/** After these a mark would split a grapheme or an emoji sequence. */
const JOINS_PREVIOUS = /^[\p{M}\u200d\ufe0e\ufe0f\u{1f3fb}-\u{1f3ff}]/u
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u

/** A BMP character of each bidi type, standing in for characters outside the BMP. */
const STAND_INS: Record<string, string> = {
  L: 'a', R: '\u05d0', AL: '\u0627', EN: '0', AN: '\u0660', ES: '+', ET: '#', CS: ',', NSM: '\u0300', BN: '\u200b', WS: ' ', ON: '!',
}

/**
 * UAX #9 levels of `text` in a paragraph of direction `base`, one per UTF-16 unit. bidi-js
 * types each UTF-16 unit, so a surrogate half (an emoji, most of them neutral) would count as a
 * strong left-to-right letter: each character outside the BMP is given as two BMP characters of
 * its own type (the string keeps its length and indices).
 */
export function embeddingLevels(text: string, base: Direction | 'auto'): Uint8Array {
  const safe = text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, (pair) => (STAND_INS[bidi.getBidiCharTypeName(pair)] ?? '!').repeat(2))
  return bidi.getEmbeddingLevels(safe, base).levels
}

/** The direction of the first strong character of `text` (HTML's `dir="auto"`); ltr without one. */
export function firstStrongDirection(text: string): Direction {
  for (const ch of text) {
    const type = bidi.getBidiCharTypeName(ch)
    if (type === 'L') return 'ltr'
    if (type === 'R' || type === 'AL') return 'rtl'
  }
  return 'ltr'
}

/**
 * `text` of a right-to-left block with a LEFT-TO-RIGHT MARK after each neutral or weak
 * character (`:` `/` `₪` `%` `@` …) that UAX #9 resolves left-to-right, so that satori's
 * per-piece algorithm, which reads a piece's first strong character, keeps `09:30`, `₪120` and
 * `12/06/2026` in left-to-right order. Marks are zero-width and default-ignorable.
 */
export function markNeutrals(text: string): string {
  if (!RTL_CHAR.test(text) && !/\p{Nd}/u.test(text)) return text
  return markEvenNeutrals(text, embeddingLevels(text, 'rtl'))
}

/**
 * `markNeutrals` with the levels given, one per UTF-16 unit of `text`: for text whose levels
 * come from a paragraph around it (an inline box of its own, drawn as text alone, whose `20%`
 * after an Arabic word is an Arabic number, W2, and not the European one it is alone).
 */
export function markEvenNeutrals(text: string, levels: ArrayLike<number>): string {
  let out = ''
  let changed = false
  for (let i = 0; i < text.length; ) {
    const ch = String.fromCodePoint(text.codePointAt(i)!)
    out += ch
    const next = i + ch.length
    if (levels[i]! % 2 === 0 && MARKED_TYPES.has(bidi.getBidiCharTypeName(ch)) && !PICTOGRAPHIC.test(ch) && !JOINS_PREVIOUS.test(text.slice(next))) {
      out += LRM
      changed = true
    }
    i = next
  }
  return changed ? out : text
}

/** A stretch of one level: words of right-to-left scripts (with the spaces between them), spaces, other neutrals, or text at an even level. */
interface RunToken {
  text: string
  level: number
  kind: 'even' | 'script' | 'space' | 'neutral'
}

/**
 * `text`, inside left-to-right content, as plain text and the right-to-left runs UAX #9 finds in
 * it (`embedded`), in the order to lay them out, for satori's inline layout: it shapes each
 * stretch of text in one font as one HarfBuzz buffer, right to left for a right-to-left script,
 * and places the stretches left to right in the order given. So:
 * - a space, comma or bracket the algorithm leaves at the paragraph's level stays outside the
 *   run (in the script's font it was shaped with the word: `שלום world` gave `␣םולשworld`);
 * - words of right-to-left scripts and the spaces between them stay one piece, which satori
 *   shapes right to left and breaks into lines as it does any text;
 * - everything else in the run (numbers, a dash or comma between two words, brackets) is a piece
 *   of its own, and the pieces are put in visual order (rule L2); a neutral piece is turned
 *   around and its brackets mirrored (rule L4), since it is drawn left to right; spaces between
 *   pieces stay text, so the layout collapses them as it does any space.
 * Undefined when the text holds no right-to-left run. A run cut into pieces does not wrap inside
 * itself in visual order (its later pieces would land on the earlier line).
 */
export function rightToLeftRuns(text: string): Array<{ text: string; embedded: boolean }> | undefined {
  if (!RTL_CHAR.test(text)) return undefined
  const levels = embeddingLevels(text, 'ltr')
  if (!levels.some((l) => l > 0)) return undefined
  const tokens: RunToken[] = []
  for (let i = 0; i < text.length; ) {
    const ch = String.fromCodePoint(text.codePointAt(i)!)
    const level = levels[i]!
    const kind = level % 2 === 0 ? 'even' : /\s/.test(ch) ? 'space' : RTL_CHAR.test(ch) || /\p{M}/u.test(ch) ? 'script' : 'neutral'
    const last = tokens.at(-1)
    if (last && last.level === level && last.kind === kind) last.text += ch
    else tokens.push({ text: ch, level, kind })
    i += ch.length
  }
  for (let i = tokens.length - 2; i > 0; i--) {
    const [before, space, after] = [tokens[i - 1]!, tokens[i]!, tokens[i + 1]!]
    if (space.kind === 'space' && before.kind === 'script' && after.kind === 'script' && before.level === after.level && space.level === after.level) {
      tokens.splice(i - 1, 3, { text: before.text + space.text + after.text, level: before.level, kind: 'script' })
    }
  }
  const runs: Array<{ text: string; embedded: boolean }> = []
  for (let i = 0; i < tokens.length; ) {
    if (tokens[i]!.level === 0) {
      runs.push({ text: tokens[i++]!.text, embedded: false })
      continue
    }
    let end = i + 1
    while (end < tokens.length && tokens[end]!.level > 0) end++
    for (const token of visualOrder(tokens.slice(i, end))) {
      if (token.kind === 'space') runs.push({ text: token.text, embedded: false })
      else if (token.kind === 'neutral') runs.push({ text: mirrored(token.text), embedded: true })
      else runs.push({ text: token.text, embedded: true })
    }
    i = end
  }
  return runs
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/** Neutral text of a right-to-left level as it is seen: graphemes in reverse (an emoji sequence stays whole), brackets mirrored. */
function mirrored(text: string): string {
  return [...graphemes.segment(text)]
    .reverse()
    .map(({ segment }) => bidi.getMirroredCharacter(segment) ?? segment)
    .join('')
}

/** UAX #9 rule L2 over the tokens of one line: from the highest level down to the lowest odd one. */
export function visualOrder<T extends { level: number }>(items: T[]): T[] {
  const order = [...items]
  if (order.length === 0) return order
  const highest = Math.max(...order.map((t) => t.level))
  const lowestOdd = Math.min(...order.map((t) => (t.level % 2 === 1 ? t.level : t.level + 1)))
  for (let level = highest; level >= lowestOdd; level--) {
    for (let start = 0; start < order.length; ) {
      if (order[start]!.level < level) {
        start++
        continue
      }
      let end = start
      while (end < order.length && order[end]!.level >= level) end++
      order.splice(start, end - start, ...order.slice(start, end).reverse())
      start = end
    }
  }
  return order
}

/** The bidi type of the character (code point) at `i` of `text`. */
export function bidiTypeAt(text: string, i: number): string {
  return bidi.getBidiCharTypeName(String.fromCodePoint(text.codePointAt(i)!))
}
