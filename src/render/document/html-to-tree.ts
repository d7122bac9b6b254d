/**
 * HTML string → the element tree satori takes, built the way a browser builds its document.
 *
 * satori-html (the stack's default for this step) trims every text node, so
 * `Hello <b>bold</b> text` loses its spaces, leaves `&amp;` undecoded and is quadratic on
 * plain strings. Here a spec-compliant HTML5 parser (parse5) builds the document, text keeps
 * its whitespace (satori 0.63 collapses it per `white-space`, as a browser does), entities are
 * decoded, and `<style>` sheets are kept for satori's own cascade. The tree shape is the one
 * satori expects: `{ type, key?, props: { style, className, children, ...attributes } }`.
 */
import type { ChildNode, Element } from 'domhandler'
import { selectOne } from 'css-select'
import { AppError } from '../../errors/catalogue.js'
import { CssRewriter, type StyleRule } from './css-rewrite.js'
import { cssNestingDepth } from '../../css/css-nesting.js'
import { CellAligner, placeCellContent } from './cell-alignment.js'
import { CssTables } from './css-tables.js'
import { SmallCaps, smallCapsText } from './small-caps.js'
import { FontSizes } from './font-size.js'
import { insideSvg, SvgTextReader, SVG_TEXT_RUNS } from './svg-text.js'
import { SvgRootStyle } from './svg-root-style.js'
import { DEFAULT_ROOT_PX, remToPx, rootFontSize } from './root-font-size.js'
import { InlineStyles, parseStyleAttribute } from './inline-styles.js'
import { tablePartStyle } from './tables.js'
import { HintSheet } from './presentational-hints.js'
import { rewriteFontFamily } from '../../fonts/font-aliases.js'
import { markMonospaceDefaultSize } from './mono-size.js'
import { canvasBackground } from './canvas.js'
import { WhitespacePruner } from './whitespace.js'
import { parseHtml } from './parse-html.js'
import { satoriLang } from './page-text.js'
import { BidiCascade } from './bidi-cascade.js'
import { RowBackgrounds } from './row-backgrounds.js'
import { DictionaryBreakCascade, SA_SCRIPT, withDictionaryBreaks } from './dictionary-breaks.js'
import { bodyInsets, type BodyInsets } from './body-insets.js'
import { FormControls } from './form-controls.js'
import { DetailsMarkers, renderedChildren } from './details.js'
import { TableCaptions } from './table-captions.js'
import { FirstLetters } from './first-letter.js'
import type { Direction } from './bidi.js'

export interface SatoriElement {
  type: string
  key?: string
  props: Record<string, unknown> & { children?: SatoriChild[] | SatoriChild }
}
export type SatoriChild = SatoriElement | string

export interface TreeLimits {
  elements: number
  depth: number
}

export interface BuiltDocument {
  /** The `<html>` element, with every stylesheet as a leading `<style>` child. */
  root: SatoriElement
  /** True when the input was a whole page (`<html>`, `<head>` or `<body>` written out). */
  isFullDocument: boolean
  /** Set when `selector` was given: whether an element matched. */
  selectorMatched: boolean
  /** CSS the page uses that satori cannot draw (reported, never fatal). */
  warnings: string[]
  /** The tree holds inline-SVG `<text>` for the svg-text stage to outline. */
  hasSvgText: boolean
  /** The body's left and right padding when the cascade tells them for certain (body-insets.ts). */
  bodyInsets: BodyInsets | undefined
}

/** Elements that never render. `<head>` content is only mined for stylesheets. */
const DROPPED = new Set(['script', 'noscript', 'template', 'head', 'title', 'meta', 'link', 'base', 'iframe', 'object', 'embed'])

export const TARGET_KEY = 'vellum-selector-target'

const WHITESPACE = /^[ \t\n\f\r]*$/

/** Iterative, so that the check itself cannot overflow the stack. */
function assertDepth(root: Element, limit: number): void {
  const stack: Array<[ChildNode, number]> = [[root, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (depth > limit) {
      throw new AppError('RENDER_TOO_COMPLEX', `The HTML nests elements more than ${limit} levels deep (MAX_DEPTH)`)
    }
    if ('children' in node) for (const child of node.children) if (child.type === 'tag') stack.push([child, depth + 1])
  }
}

function convertAttributes(el: Element, styles: InlineStyles): Record<string, unknown> {
  const props: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(el.attribs)) {
    if (name.startsWith('on')) continue // event handlers: nothing runs here
    if (name === 'class') props.className = value
    else if (name === 'style') props.style = styles.rewritten(value)
    else if (name === 'for') props.htmlFor = value
    else if (name === 'lang') props.lang = satoriLang(value)
    else props[name] = value
  }
  const table = tablePartStyle(el)
  if (table) props.style = { ...(props.style as object | undefined), ...table }
  return props
}

/**
 * Builds the document tree. `stylesheets` (user-agent sheet, then the `css` parameter) are
 * placed around the document's own `<style>` elements in cascade order.
 */
export function htmlToTree(
  html: string,
  options: {
    /** The user-agent sheet for a document made of the given element names. */
    userAgentCss: (tags: ReadonlySet<string>) => string
    authorCss: string
    selector?: string
    limits: TreeLimits
    /** Lower-cased families the page loaded itself (Google Fonts): never replaced by a stand-in. */
    loadedFamilies?: ReadonlySet<string>
    /** Lower-cased families loaded under several `unicode-range`s → their names (page-faces.ts). */
    familySlots?: ReadonlyMap<string, readonly string[]>
    /** The layout width (1920 without a viewport): what the body's % and vw padding are taken of. */
    layoutWidth?: number
  },
): BuiltDocument {
  const { doc, isFullDocument } = parseHtml(html)
  const htmlEl = doc.children.find((c): c is Element => c.type === 'tag' && c.name === 'html')
  if (!htmlEl) throw new AppError('RENDER_FAILED', 'The HTML could not be parsed into a document')
  // Before anything walks the tree recursively (selector matching, style collection): a few
  // thousand nested elements would otherwise overflow the stack instead of naming the limit.
  assertDepth(htmlEl, options.limits.depth)

  let target: Element | null = null
  if (options.selector) {
    try {
      target = selectOne(options.selector, doc) as Element | null
    } catch (err) {
      throw new AppError('VALIDATION', `selector ${JSON.stringify(options.selector)} is not a valid CSS selector`, {
        issues: [{ path: 'selector', message: `not a valid CSS selector: ${(err as Error).message}` }],
        cause: err,
      })
    }
  }

  const sheets: string[] = []
  let elements = 0
  let hasSvgText = false
  const tags = new Set<string>(['html'])

  const collectSheets = (node: ChildNode): void => {
    if (node.type === 'style' || (node.type === 'tag' && node.name === 'style')) {
      sheets.push((node as Element).children.map((c) => ('data' in c ? c.data : '')).join(''))
      return
    }
    if ('children' in node) for (const child of node.children) collectSheets(child)
  }
  collectSheets(htmlEl)

  // The page's sheets and the css parameter, rewritten for satori; their rules feed the two
  // small cascades below (monospace default size, canvas background).
  const css = new CssRewriter(options.loadedFamilies, options.familySlots)
  const rules: StyleRule[] = []
  const given = [...sheets, options.authorCss].filter((s) => s.trim() !== '')
  // Style sheets are held to the element depth limit too: css-tree recurses once per level.
  for (const sheet of given) {
    if (cssNestingDepth(sheet) > options.limits.depth) {
      throw new AppError('RENDER_TOO_COMPLEX', `A style sheet nests blocks, brackets or functions more than ${options.limits.depth} levels deep (MAX_DEPTH)`)
    }
  }
  const rewritten = given.map((s) => css.sheet(s, rules))
  markMonospaceDefaultSize(htmlEl, rules)
  const rootPx = rootFontSize(htmlEl, rules, htmlEl.attribs.style ? css.inline(parseStyleAttribute(htmlEl.attribs.style)) : undefined)
  const authorSheets = rootPx === DEFAULT_ROOT_PX ? rewritten : rewritten.map((s) => remToPx(s, rootPx))

  const whitespace = new WhitespacePruner(rules)
  // The tree and the small cascades below read the same style attributes, parsed once per text.
  const styles = new InlineStyles(css, rootPx)
  const ownStyle = (el: Element) => (el.attribs.style ? styles.parsed(el.attribs.style) : undefined)
  const svgText = new SvgTextReader(rules, ownStyle, options.loadedFamilies ?? new Set())
  // fill, stroke… set by CSS on an inline <svg> root, which satori reads from attributes only (svg-root-style.ts).
  const svgRoots = new SvgRootStyle(rules, ownStyle)
  const caps = new SmallCaps(rules, ownStyle)
  const fontSizes = new FontSizes(rules, ownStyle, rootPx)
  const capsOf = (el: Element, inherited: boolean) => caps.applies(el, inherited)
  const cells = new CellAligner(rules, ownStyle)
  const rowBackgrounds = new RowBackgrounds(rules, ownStyle)
  const bidi = new BidiCascade(rules, ownStyle)
  const dictionaryBreaks = new DictionaryBreakCascade(rules, ownStyle)
  // Checkboxes, radios, ranges, progress and meter bars, which satori leaves blank (form-controls.ts).
  const controls = new FormControls(rules, ownStyle, (el) => fontSizes.px(el))
  const detailsMarkers = new DetailsMarkers(rules)
  const tableCaptions = new TableCaptions(rules, ownStyle)
  // The source element of each converted one, for the bidi stage's cascade on inline children.
  const sources = new WeakMap<SatoriElement, Element>()
  // Presentational attributes of tables (border, cellpadding, bgcolor…) and <font>, between the user-agent
  // sheet and the page's (presentational-hints.ts).
  const hints = new HintSheet((family) => rewriteFontFamily(family, options.loadedFamilies, options.familySlots))
  const sourceOf = (out: SatoriElement) => sources.get(out)
  // display: table* on elements that are not HTML table parts (css-tables.ts).
  const cssTables = new CssTables(rules, ownStyle, sourceOf)

  const convert = (node: ChildNode, depth: number, preserving: boolean, caps = false, dir: Direction = 'ltr'): SatoriChild | null => {
    if (node.type === 'text') {
      // Thai, Lao, Khmer, Myanmar: break opportunities between dictionary words (dictionary-breaks.ts).
      const parent = node.parent?.type === 'tag' ? (node.parent as Element) : null
      const data = SA_SCRIPT.test(node.data) && (!parent || dictionaryBreaks.applies(parent)) ? withDictionaryBreaks(node.data) : node.data
      if (!caps || WHITESPACE.test(data)) return data
      const text = smallCapsText(data, node.parent?.type === 'tag' ? fontSizes.px(node.parent as Element) : undefined)
      // Small caps make the text inline content: its right-to-left runs are set apart as any inline content's.
      if (dir === 'ltr' && typeof text === 'object' && text !== null) bidi.isolateGenerated(text)
      return text
    }
    if (node.type !== 'tag' && node.type !== 'script' && node.type !== 'style') return null
    const el = node as Element
    if (el.name === 'style' || DROPPED.has(el.name)) return null
    if (++elements > options.limits.elements) {
      throw new AppError(
        'RENDER_TOO_COMPLEX',
        `The HTML has more than ${options.limits.elements} elements (MAX_ELEMENTS); simplify it or raise the limit`,
      )
    }
    tags.add(el.name)
    const props = convertAttributes(el, styles)
    hints.mark(el, props)
    svgRoots.apply(el, props)
    detailsMarkers.apply(el, props)
    if (el.name === 'text' && insideSvg(el)) {
      // Drawn as outlines by the svg-text stage; only its own presentation stays on the group.
      for (const name of ['x', 'y', 'dx', 'dy', 'text-anchor', 'dominant-baseline', 'font-family', 'font-size', 'font-weight', 'font-style', 'font', 'style', 'className']) delete props[name]
      props[SVG_TEXT_RUNS] = svgText.runs(el)
      hasSvgText = true
      return { type: 'text', props }
    }
    const style = props.style as Record<string, unknown> | undefined
    const keepsWhitespace = preserving || whitespace.preserves(el, style)
    const items: Array<{ out: SatoriChild; source: Element | null }> = []
    const smallCaps = capsOf(el, caps)
    const direction = bidi.direction(el, dir)
    // dir="auto" is resolved here: satori reads `dir` as rtl or ltr only.
    if (el.attribs.dir?.trim().toLowerCase() === 'auto') props.dir = direction
    // A closed <details> shows its summary alone (details.ts).
    for (const child of renderedChildren(el)) {
      const converted = convert(child, depth + 1, keepsWhitespace, smallCaps, direction)
      if (converted !== null) items.push({ out: converted, source: child.type === 'text' ? null : (child as Element) })
    }
    const drawn = controls.apply(el, props)
    const children = drawn ?? whitespace.prune(el, style, items, keepsWhitespace)
    if (children.length) props.children = children
    const out: SatoriElement = { type: el.name, props }
    if (el === target) out.key = TARGET_KEY
    if (el.name === 'td' || el.name === 'th') {
      rowBackgrounds.apply(el, out)
      cells.align(el, out)
      // A cell's content is laid out inside the wrapper cells.align puts it in.
      const kids = out.props.children
      const only = Array.isArray(kids) && kids.length === 1 ? kids[0] : undefined
      const wrapper = typeof only === 'object' && !sources.has(only) ? only : out
      if (direction === 'rtl') bidi.layOut(el, wrapper, keepsWhitespace, sourceOf)
      else if (dir === 'ltr') bidi.isolateRightToLeft(el, wrapper, sourceOf)
    } else if (direction === 'rtl') bidi.layOut(el, out, keepsWhitespace, sourceOf)
    // Inside right-to-left content a left-to-right element's text is read by its block's layOut.
    else if (dir === 'ltr') bidi.isolateRightToLeft(el, out, sourceOf)
    // After bidi, which reads the element's own inline children before they move into generated table parts.
    cssTables.apply(el, out, placeCellContent)
    sources.set(out, el)
    // Captions go outside the table's box, in a wrapper (table-captions.ts).
    return el.name === 'table' ? tableCaptions.wrap(el, out) : out
  }

  const body = htmlEl.children.find((c): c is Element => c.type === 'tag' && c.name === 'body')
  // ::first-letter becomes an element of its own before the tree is built (first-letter.ts).
  if (body) new FirstLetters(rules, ownStyle).apply(body)
  const htmlProps = convertAttributes(htmlEl, styles)
  const htmlStyle = htmlProps.style as Record<string, unknown> | undefined
  const bodyTree = body ? (convert(body, 1, whitespace.preserves(htmlEl, htmlStyle), false, bidi.direction(htmlEl, 'ltr')) as SatoriElement) : null

  const styleEl = (text: string): SatoriElement => ({ type: 'style', props: { children: text } })
  const allSheets = [options.userAgentCss(tags), hints.css, controls.css, ...authorSheets].filter((sheet) => sheet !== '')

  const canvas = canvasBackground(htmlEl, body, rules, {
    html: htmlStyle,
    body: bodyTree?.props.style as Record<string, unknown> | undefined,
  })
  if (canvas && bodyTree) {
    htmlProps.style = { ...(htmlProps.style as object | undefined), ...canvas.html }
    bodyTree.props.style = { ...(bodyTree.props.style as object | undefined), ...canvas.body }
  }
  const root: SatoriElement = {
    type: 'html',
    props: { ...htmlProps, children: [...allSheets.map(styleEl), ...(bodyTree ? [bodyTree] : [])] },
  }
  const insets = body && bodyInsets(body, rules, ownStyle(body), { fontPx: fontSizes.px(body) ?? DEFAULT_ROOT_PX, rootPx, widthPx: options.layoutWidth ?? 1920 })
  return {
    root,
    isFullDocument,
    selectorMatched: target !== null,
    warnings: css.warnings,
    hasSvgText,
    bodyInsets: insets,
  }
}
