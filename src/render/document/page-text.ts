/**
 * What a page writes, as read from its parsed tree: the characters it draws (text nodes, whose
 * entities the parser has decoded, and the strings of CSS `content`), by the language they are
 * in (`lang`, inherited). Font selection (font-sets.ts) reads this instead of the raw request,
 * so `&#1046;`, `&scaron;` or `content: "\2014"` find their subset, and markup, comments or
 * attribute values do not load fonts for nothing.
 */

/**
 * The locale satori gives Han text for a `lang` value: the four CJK locales whose glyphs differ
 * (zh-Hant, zh-HK, zh-MO → traditional; other zh → simplified). Other values are kept: satori
 * normalises them itself, and an unknown one (`en`) resets an inherited CJK language, as in a
 * browser.
 */
export function satoriLang(value: string): string {
  const v = value.trim().toLowerCase()
  if (v === 'ja' || v.startsWith('ja-')) return 'ja-JP'
  if (v === 'ko' || v.startsWith('ko-')) return 'ko-KR'
  if (v === 'zh' || v.startsWith('zh-')) return /^zh-(hant|tw|hk|mo)\b/.test(v) ? 'zh-TW' : 'zh-CN'
  return value
}

/** The satori locales that pick Han glyphs; text in any other language is keyed ''. */
export const CJK_LOCALES = new Set(['zh-CN', 'zh-TW', 'ja-JP', 'ko-KR'])

/**
 * Characters outside Latin-1 (the part every bundled face has), by the CJK locale of the text
 * ('' for none). Latin-1 is never stored: most pages never leave it, and it selects nothing.
 */
export type PageChars = Map<string, Set<number>>

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/

export function addChars(chars: PageChars, locale: string, text: string): void {
  if (!BEYOND_LATIN1.test(text)) return
  let set = chars.get(locale)
  if (!set) chars.set(locale, (set = new Set()))
  for (const ch of text) {
    const cp = ch.codePointAt(0)!
    if (cp > 0xff) set.add(cp)
  }
}

// `content:` declarations in a sheet, and the strings in their values.
const CONTENT_DECLARATION = /(?:^|[{;\s])content\s*:\s*((?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^;}"'])*)/gi
const CSS_STRING = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g
const CSS_ESCAPE = /\\(?:([0-9a-fA-F]{1,6})\s?|(\n)|(.))/g

const ATTR_FUNCTION = /\battr\(\s*([\w-]+)/gi

/**
 * The text a sheet's `content` declarations (::before, ::after, ::marker) can draw: their
 * strings, and the attributes they read with attr() (whose values the caller adds per element).
 */
export function sheetContent(sheet: string, attributes: Set<string>): string {
  if (!sheet.includes('content')) return ''
  let out = ''
  for (const m of sheet.matchAll(CONTENT_DECLARATION)) {
    for (const s of m[1]!.matchAll(CSS_STRING)) out += unescapeCss(s[1] ?? s[2] ?? '')
    for (const a of m[1]!.replace(CSS_STRING, '').matchAll(ATTR_FUNCTION)) attributes.add(a[1]!.toLowerCase())
  }
  return out
}

/** The strings of a sheet's `content` declarations. */
export function sheetContentText(sheet: string): string {
  return sheetContent(sheet, new Set())
}

function unescapeCss(s: string): string {
  return s.replace(CSS_ESCAPE, (_m, hex: string | undefined, newline: string | undefined, other: string | undefined) => {
    if (hex) {
      const cp = parseInt(hex, 16)
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd'
    }
    return newline ? '' : other!
  })
}

const range = (from: number, to: number) => String.fromCodePoint(...Array.from({ length: to - from + 1 }, (_, i) => from + i))

/**
 * The characters of the list-marker counter styles satori draws in scripts the bundled Latin
 * families lack (satori's counter-styles.ts), so a `list-style: hebrew` list loads its font.
 * CJK styles end their markers with an ideographic comma.
 */
const COUNTER_STYLE_TEXT: Record<string, string> = {
  'arabic-indic': range(0x660, 0x669),
  persian: range(0x6f0, 0x6f9),
  devanagari: range(0x966, 0x96f),
  thai: range(0xe50, 0xe59),
  hebrew: range(0x5d0, 0x5ea),
  'cjk-decimal': '〇一二三四五六七八九、',
  'cjk-earthly-branch': '子丑寅卯辰巳午未申酉戌亥、',
  'cjk-heavenly-stem': '甲乙丙丁戊己庚辛壬癸、',
  hiragana: range(0x3042, 0x3093) + '、',
  'hiragana-iroha': range(0x3042, 0x3093) + '、',
  katakana: range(0x30a2, 0x30f3) + '、',
  'katakana-iroha': range(0x30a2, 0x30f3) + '、',
}
const LIST_STYLE = /\b(arabic-indic|persian|devanagari|thai|hebrew|cjk-decimal|cjk-earthly-branch|cjk-heavenly-stem|hiragana(?:-iroha)?|katakana(?:-iroha)?)\b/gi

/** The marker characters of the script counter styles named in `css` (a sheet or a list-style value). */
export function counterStyleText(css: string): string {
  if (!css.includes('list-style')) return ''
  let out = ''
  for (const decl of css.matchAll(/list-style(?:-type)?\s*:\s*([^;}]*)/gi)) {
    for (const m of decl[1]!.matchAll(LIST_STYLE)) out += COUNTER_STYLE_TEXT[m[1]!.toLowerCase()] ?? ''
  }
  return out
}
