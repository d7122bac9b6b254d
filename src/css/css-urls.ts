/**
 * The `url()` references of a CSS text (a sheet or one value), read from css-tree's tokenizer as
 * a browser reads them: an unquoted url token, a `url(` function holding one string, or a bad url
 * (a space or quote inside an unquoted url, which makes a browser drop the declaration). Strings
 * and comments are not looked into, so an SVG data URI's `fill="url(#g)"` is not a reference.
 *
 * A regular expression did this before and missed what it did not expect: satori then met the
 * `url(…)` itself and fetched it, past the API's guarded fetcher (a private address failed the
 * whole render; a public one was fetched without its timeout or byte cap).
 */
import { tokenize, tokenTypes } from 'css-tree/tokenizer'

export interface CssUrl {
  /** Offsets of the whole reference, `url(` to `)`. */
  start: number
  end: number
  /** The address as written (quotes removed, escapes kept); undefined for a bad url. */
  value: string | undefined
}

type Token = [type: number, start: number, end: number]

export function findCssUrls(css: string): CssUrl[] {
  const tokens: Token[] = []
  tokenize(css, (type, start, end) => void tokens.push([type, start, end]))
  const found: CssUrl[] = []
  for (let i = 0; i < tokens.length; i++) {
    const [type, start, end] = tokens[i]!
    if (type === tokenTypes.Url) {
      const closed = css.charCodeAt(end - 1) === 0x29
      found.push({ start, end, value: css.slice(start + 4, closed ? end - 1 : end).trim() })
    } else if (type === tokenTypes.BadUrl) {
      found.push({ start, end, value: undefined })
    } else if (type === tokenTypes.Function && css.slice(start, end).toLowerCase() === 'url(') {
      // url( <whitespace>? <string> <whitespace>? ) is a reference; anything else inside is not
      // one a browser draws, and goes whole, up to its closing parenthesis.
      let j = i + 1
      const skip = () => {
        while (tokens[j]?.[0] === tokenTypes.WhiteSpace || tokens[j]?.[0] === tokenTypes.Comment) j++
      }
      skip()
      const str = tokens[j]?.[0] === tokenTypes.String ? tokens[j]! : undefined
      if (str) j++
      skip()
      if (str && tokens[j]?.[0] === tokenTypes.RightParenthesis) {
        const raw = css.slice(str[1], str[2])
        const quote = raw[0]!
        found.push({ start, end: tokens[j]![2], value: raw.slice(1, raw.endsWith(quote) && raw.length > 1 ? -1 : undefined) })
        i = j
        continue
      }
      let depth = 1
      for (j = i + 1; j < tokens.length && depth > 0; j++) {
        const t = tokens[j]![0]
        if (t === tokenTypes.Function || t === tokenTypes.LeftParenthesis) depth++
        else if (t === tokenTypes.RightParenthesis) depth--
      }
      found.push({ start, end: tokens[j - 1]?.[2] ?? css.length, value: undefined })
      i = j - 1
    }
  }
  return found
}

/** `css` with each reference replaced by what `replace` returns; every other character as written. */
export function replaceCssUrls(css: string, replace: (url: CssUrl) => string): string {
  if (!/url\(/i.test(css)) return css
  let out = ''
  let at = 0
  for (const url of findCssUrls(css)) {
    out += css.slice(at, url.start) + replace(url)
    at = url.end
  }
  return out + css.slice(at)
}
