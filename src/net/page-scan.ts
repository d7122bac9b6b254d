/**
 * Cheap scans of user HTML and CSS for the resources a page refers to (images, Google Fonts
 * links), run before the render. They must stay linear on any input: the API process scans on
 * its event loop, and the renderer scans the CSS again under its deadline. Patterns such as
 * `<img\b[^>]*?\ssrc=…` restart at every `<img` and rescan to the end of the text when no `>`
 * follows, which is quadratic (1 MB of `<img ` never finished). So tags are read by htmlparser2's
 * tokenizer, and an unquoted CSS `url(` value cannot contain `(` (CSS forbids it), so a run of
 * unclosed `url(` stops at the next one instead of rescanning the rest.
 *
 * The tokenizer is used without htmlparser2's `Parser`: the parser keeps a stack of open
 * elements and pushes with `Array.unshift`, so 100,000 nested unclosed `<div>` (500 KB) cost
 * seconds of the API event loop. Nothing here needs the element tree; the one piece of it that
 * matters (inside inline SVG or MathML, `<style>` and `<script>` are not raw text, as in a
 * browser) is a counter.
 */
import { Tokenizer } from 'htmlparser2'

/**
 * `url(…)` in CSS: group 1 double-quoted, 2 single-quoted, 3 bare. The optional group keeps the
 * two `\s*` from being tried against each other on a long run of spaces.
 */
export const CSS_URL = /url\((?:\s*(?:"([^"]*)"|'([^']*)'|([^()'"\s]+)))?\s*\)/gi

/** The raw values of every CSS `url(…)` in a text, in order. */
export function cssUrls(text: string): string[] {
  return [...text.matchAll(CSS_URL)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
}

const FOREIGN_ROOTS = new Set(['svg', 'math'])
/**
 * Start tags that end inline SVG or MathML when met inside it (HTML's "breakout" list; `<font>`
 * only breaks out with color/face/size, a detail skipped here). Integration points such as
 * `<foreignObject>` are not modelled: a miss costs at most one image fetched more or less, and
 * the worker draws only the images the API process fetched either way.
 */
const BREAKOUT = new Set(
  ('b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing ' +
    'menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var').split(' '),
)

type TagVisitor = (name: string, attrs: Map<string, string>) => void
/** Receives the text of each `<style>` element, whole. */
type StyleVisitor = (text: string) => void

/**
 * Calls `visit` for every complete start tag whose (lower-cased) name `wanted` accepts, with its
 * attributes: names lower-cased, values raw (entities not decoded; callers decode), the first of
 * repeated attributes kept. One pass, each character once, constant state besides the tag being
 * read. Like a browser it sees no tags inside comments, `<script>`, `<style>` and the other
 * raw-text elements (except inside SVG and MathML, where those are ordinary elements), reads
 * `<image>` outside SVG as `<img>`, and drops a tag the text ends inside.
 */
function tagWalker(html: string, wanted: (name: string) => boolean, visit: TagVisitor, styles?: StyleVisitor): Tokenizer {
  let foreign = 0 // open <svg>/<math> elements
  let name = ''
  let attrs: Map<string, string> | undefined
  let attrName = ''
  let attrValue = ''
  // The text of the `<style>` being read (raw text: no tags, no entities), when `styles` wants it.
  let style: string | undefined
  const tagEnd = (selfClosing: boolean) => {
    if (attrs) visit(name, attrs)
    attrs = undefined
    if (styles && name === 'style' && !selfClosing) style = ''
    // A self-closing <svg/> is empty: in foreign content the slash is honoured.
    if (FOREIGN_ROOTS.has(name) && !selfClosing) foreign++
  }
  const none = () => {}
  const tokenizer = new Tokenizer(
    { decodeEntities: false },
    {
      onopentagname(start, end) {
        name = html.slice(start, end).toLowerCase()
        if (foreign > 0 && BREAKOUT.has(name)) foreign = 0
        if (foreign === 0 && name === 'image') name = 'img'
        attrs = wanted(name) ? new Map() : undefined
      },
      onattribname(start, end) {
        attrName = attrs ? html.slice(start, end).toLowerCase() : ''
        attrValue = ''
      },
      onattribdata(start, end) {
        if (attrs) attrValue += html.slice(start, end)
      },
      onattribend() {
        if (attrs && !attrs.has(attrName)) attrs.set(attrName, attrValue)
      },
      onopentagend: () => tagEnd(false),
      onselfclosingtag: () => tagEnd(true),
      onclosetag(start, end) {
        const closed = html.slice(start, end).toLowerCase()
        if (foreign > 0 && FOREIGN_ROOTS.has(closed)) foreign--
        if (style !== undefined && closed === 'style') {
          styles!(style)
          style = undefined
        }
      },
      ontext(start, end) {
        if (style !== undefined) style += html.slice(start, end)
      },
      isInForeignContext: () => foreign > 0,
      onattribentity: none,
      oncdata: none,
      oncomment: none,
      ondeclaration: none,
      onend() {
        // A `<style>` the text ends inside still applies, as in a browser.
        if (style !== undefined) styles!(style)
        style = undefined
      },
      onprocessinginstruction: none,
      ontextentity: none,
    },
  )
  return tokenizer
}

function walkTags(html: string, wanted: (name: string) => boolean, visit: TagVisitor): void {
  const tokenizer = tagWalker(html, wanted, visit)
  tokenizer.write(html)
  tokenizer.end()
}

/**
 * The same walk in slices of `SLICE_CHARS`, giving the event loop back between them: even a
 * linear pass over 500 KB of tags costs 30–90 ms, longer than the API may stall other requests
 * (/health answers within 50 ms during any bad request). The tokenizer reports absolute offsets,
 * so callbacks keep slicing the whole text.
 */
const SLICE_CHARS = 32 * 1024

async function walkTagsInSlices(html: string, wanted: (name: string) => boolean, visit: TagVisitor, styles?: StyleVisitor): Promise<void> {
  const tokenizer = tagWalker(html, wanted, visit, styles)
  for (let at = 0; at < html.length; at += SLICE_CHARS) {
    if (at > 0) await new Promise((resolve) => setImmediate(resolve))
    tokenizer.write(html.slice(at, at + SLICE_CHARS))
  }
  tokenizer.end()
}

/** The attributes of every `<name …>` start tag, read as `walkTags` reads them. */
export function startTags(html: string, name: string): Array<Map<string, string>> {
  const found: Array<Map<string, string>> = []
  walkTags(html, (n) => n === name, (_n, attrs) => found.push(attrs))
  return found
}

/** What the API process needs from a page's HTML before a render; values raw, in order. */
export interface PageScan {
  /** `src` of every `<img>` (and of `<image>` outside SVG, which HTML reads as `<img>`). */
  readonly images: readonly string[]
  /** `rel` and `href` of every `<link>`. */
  readonly links: ReadonlyArray<{ rel: string; href: string }>
  /**
   * The text of every `<style>` element, read only when the page has an `@font-face` somewhere
   * (the API process loads the faces it declares); empty otherwise.
   */
  readonly styles: readonly string[]
}

function collector(): { page: PageScan; wanted: (name: string) => boolean; visit: TagVisitor; style: StyleVisitor } {
  const images: string[] = []
  const links: Array<{ rel: string; href: string }> = []
  const styles: string[] = []
  return {
    page: { images, links, styles },
    style: (text) => styles.push(text),
    wanted: (n) => n === 'img' || n === 'link',
    visit: (name, attrs) => {
      if (name === 'img') images.push(attrs.get('src') ?? '')
      else links.push({ rel: attrs.get('rel') ?? '', href: attrs.get('href') ?? '' })
    },
  }
}

/** Whether a text has an `@font-face` at all: a cheap gate before reading its sheets. */
const FONT_FACE = /@font-face/i

/** One tokenizer pass over `html` for everything the pre-scans need (see scanPageAsync). */
export function scanPage(html: string): PageScan {
  const { page, wanted, visit, style } = collector()
  const tokenizer = tagWalker(html, wanted, visit, FONT_FACE.test(html) ? style : undefined)
  tokenizer.write(html)
  tokenizer.end()
  return page
}

/**
 * The pass the render service runs for each request, once, handing the result to both the
 * image and the Google Fonts pre-scan: in slices, so a large page never holds the event loop.
 * A page without any `<img`, `<image`, `<link` or `@font-face` needs no pass at all.
 */
export async function scanPageAsync(html: string): Promise<PageScan> {
  const fontFaces = FONT_FACE.test(html)
  if (!fontFaces && !/<(?:img|image|link)[\s/>]/i.test(html)) return { images: [], links: [], styles: [] }
  const { page, wanted, visit, style } = collector()
  await walkTagsInSlices(html, wanted, visit, fontFaces ? style : undefined)
  return page
}
