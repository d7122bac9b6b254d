/**
 * Cheap scans of user HTML and CSS for the resources a page refers to (images, Google Fonts
 * links), run before the render. They must stay linear on any input: the API process scans on
 * its event loop, and the renderer scans the CSS again under its deadline. Patterns such as
 * `<img\b[^>]*?\ssrc=…` restart at every `<img` and rescan to the end of the text when no `>`
 * follows, which is quadratic (1 MB of `<img ` never finished). So tags are walked attribute by
 * attribute, the way the HTML tokenizer reads them, each character once; and an unquoted CSS
 * `url(` value cannot contain `(` (CSS forbids it), so a run of unclosed `url(` stops at the
 * next one instead of rescanning the rest.
 */

/**
 * `url(…)` in CSS: group 1 double-quoted, 2 single-quoted, 3 bare. The optional group keeps the
 * two `\s*` from being tried against each other on a long run of spaces.
 */
export const CSS_URL = /url\((?:\s*(?:"([^"]*)"|'([^']*)'|([^()'"\s]+)))?\s*\)/gi

/** The raw values of every CSS `url(…)` in a text, in order. */
export function cssUrls(text: string): string[] {
  return [...text.matchAll(CSS_URL)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d
const SLASH = 0x2f
const GT = 0x3e
const EQ = 0x3d
const endsName = (c: number) => isSpace(c) || c === SLASH || c === GT || c === EQ

/**
 * The attributes of every `<name …>` start tag, names lower-cased, values raw (entities not yet
 * decoded); the first of repeated attributes wins, as in HTML. A tag that the text ends inside
 * (an unclosed quote runs to the end) is dropped, as the HTML parser drops it.
 */
export function* startTags(html: string, name: string): Generator<Map<string, string>> {
  const open = new RegExp(`<${name}(?=[\\s/>])`, 'gi')
  const n = html.length
  for (let m = open.exec(html); m; m = open.exec(html)) {
    const attrs = new Map<string, string>()
    let i = m.index + m[0].length
    for (;;) {
      while (i < n && (isSpace(html.charCodeAt(i)) || html.charCodeAt(i) === SLASH)) i++
      if (i >= n || html.charCodeAt(i) === GT) break
      const nameStart = i++ // a leading `=` belongs to the name
      while (i < n && !endsName(html.charCodeAt(i))) i++
      const attr = html.slice(nameStart, i).toLowerCase()
      while (i < n && isSpace(html.charCodeAt(i))) i++
      let value = ''
      if (html.charCodeAt(i) === EQ) {
        i++
        while (i < n && isSpace(html.charCodeAt(i))) i++
        const quote = html[i]
        if (quote === '"' || quote === "'") {
          const end = html.indexOf(quote, i + 1)
          if (end < 0) return
          value = html.slice(i + 1, end)
          i = end + 1
        } else {
          const valueStart = i
          while (i < n && !isSpace(html.charCodeAt(i)) && html.charCodeAt(i) !== GT) i++
          value = html.slice(valueStart, i)
        }
      }
      if (!attrs.has(attr)) attrs.set(attr, value)
    }
    if (i >= n) return
    yield attrs
    open.lastIndex = i + 1
  }
}
