/**
 * Cheap scans of user HTML and CSS for the resources a page refers to (images, Google Fonts
 * links), run before the render. They must stay linear on any input: the API process scans on
 * its event loop, and the renderer scans the CSS again under its deadline. Patterns such as
 * `<img\b[^>]*?\ssrc=…` restart at every `<img` and rescan to the end of the text when no `>`
 * follows, which is quadratic (1 MB of `<img ` never finished). So tags are read by an HTML
 * tokenizer (htmlparser2), and an unquoted CSS `url(` value cannot contain `(` (CSS forbids
 * it), so a run of unclosed `url(` stops at the next one instead of rescanning the rest.
 */
import { Parser } from 'htmlparser2'

/**
 * `url(…)` in CSS: group 1 double-quoted, 2 single-quoted, 3 bare. The optional group keeps the
 * two `\s*` from being tried against each other on a long run of spaces.
 */
export const CSS_URL = /url\((?:\s*(?:"([^"]*)"|'([^']*)'|([^()'"\s]+)))?\s*\)/gi

/** The raw values of every CSS `url(…)` in a text, in order. */
export function cssUrls(text: string): string[] {
  return [...text.matchAll(CSS_URL)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
}

/**
 * The attributes of every `<name …>` start tag, names lower-cased, values raw (entities not yet
 * decoded; callers decode), read by htmlparser2's tokenizer: one pass, each character once, and
 * like a browser it sees no tags inside `<script>`, `<style>` or comments; the first of repeated
 * attributes wins.
 */
export function startTags(html: string, name: string): Array<Map<string, string>> {
  const found: Array<Map<string, string>> = []
  const parser = new Parser(
    {
      onopentag(tag, attribs) {
        if (tag === name) found.push(new Map(Object.entries(attribs)))
      },
    },
    { decodeEntities: false, lowerCaseTags: true, lowerCaseAttributeNames: true },
  )
  parser.end(html)
  return found
}
