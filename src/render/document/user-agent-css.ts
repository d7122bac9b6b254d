/**
 * The user-agent stylesheet: Chromium's defaults (third_party/blink/renderer/core/html/
 * resources/html.css) for the elements people put in cards, written in what satori 0.63
 * understands. It is the first sheet in the cascade and its selectors have specificity zero
 * (userAgentCssFor), so any author rule wins over it, as over a browser's user-agent origin.
 *
 * Where satori lacks the feature, the rule says what stands in for it:
 * - Tables have no table layout in satori (display: table* throws). A table is a grid whose
 *   column count src/render/document/tables.ts writes on the element; rows and row groups
 *   are `display: contents`, so cells are the grid items. A table given a width gets its
 *   columns as Chromium's automatic table layout sizes them (patches/satori+0.63.2.patch,
 *   which finds the grid by its `vellum-table` line name); cell-alignment.ts places cell content. border-spacing/border-collapse are
 *   carried by --vellum-bs-x/--vellum-bs-y, which the author-CSS rewrite sets
 *   (src/render/document/css-rewrite.ts).
 * - `font-size: smaller` is the ratio Chromium uses for sizes that are not keywords (1/1.2).
 * - `monospace` text at the default size is 13px in Chromium (its fixed-font default); the
 *   elements where that applies carry the `vellum-mono-medium` class (mono-size.ts).
 *
 * satori parses every sheet it is given on every render and matches every rule against every
 * element, so a render gets only the selectors that can match its document (userAgentCssFor):
 * a card of divs gets a handful of rules instead of sixty, which saves 10–25 % of the layout
 * stage. Dropping a selector whose element names are absent from the document changes nothing
 * in the cascade: it could not match, and the remaining rules keep their order.
 */
import * as csstree from '../../css/css-tree.js'

export const USER_AGENT_CSS = `
html, body, div, p, h1, h2, h3, h4, h5, h6, ul, ol, menu, pre, blockquote, figure, figcaption,
header, footer, main, section, article, aside, nav, address, hr, dl, dt, dd, form, fieldset,
legend, details, summary, center, hgroup, search { display: block; }
html { display: flow-root; min-height: 100%; }
body { margin: 8px; }
p { margin: 1em 0; }
h1 { font-size: 2em; margin: 0.67em 0; font-weight: bold; }
h2 { font-size: 1.5em; margin: 0.83em 0; font-weight: bold; }
h3 { font-size: 1.17em; margin: 1em 0; font-weight: bold; }
h4 { margin: 1.33em 0; font-weight: bold; }
h5 { font-size: 0.83em; margin: 1.67em 0; font-weight: bold; }
h6 { font-size: 0.67em; margin: 2.33em 0; font-weight: bold; }
ul, menu { list-style-type: disc; margin: 1em 0; padding-inline-start: 40px; }
ol { list-style-type: decimal; margin: 1em 0; padding-inline-start: 40px; }
li { display: list-item; }
ul ul, ol ul, menu ul { list-style-type: circle; }
ol ol ul, ol ul ul, ul ol ul, ul ul ul { list-style-type: square; }
ul ul, ul ol, ol ol, ol ul { margin-top: 0; margin-bottom: 0; }
ol[type="1"], li[type="1"] { list-style-type: decimal; }
ol[type="a" s], li[type="a" s] { list-style-type: lower-alpha; }
ol[type="A" s], li[type="A" s] { list-style-type: upper-alpha; }
ol[type="i" s], li[type="i" s] { list-style-type: lower-roman; }
ol[type="I" s], li[type="I" s] { list-style-type: upper-roman; }
ul[type="disc" i], li[type="disc" i] { list-style-type: disc; }
ul[type="circle" i], li[type="circle" i] { list-style-type: circle; }
ul[type="square" i], li[type="square" i] { list-style-type: square; }
dl { margin: 1em 0; }
dd { margin-left: 40px; }
blockquote, figure { margin: 1em 40px; }
address { font-style: italic; }
center { text-align: center; }
pre { margin: 1em 0; white-space: pre; font-family: monospace; }
code, kbd, samp, tt { font-family: monospace; }
.vellum-mono-medium { font-size: 13px; }
b, strong { font-weight: bold; }
i, em, cite, var, dfn { font-style: italic; }
u, ins { text-decoration: underline; }
s, strike, del { text-decoration: line-through; }
small { font-size: 0.8333em; }
big { font-size: 1.2em; }
mark { background-color: yellow; color: black; }
sub { vertical-align: sub; font-size: 0.8333em; }
sup { vertical-align: super; font-size: 0.8333em; }
a[href] { color: #0000ee; text-decoration: underline; }
hr { margin: 0.5em 0; border-style: solid; border-width: 1px; border-color: #9a9a9a #eeeeee #eeeeee #9a9a9a; height: 0; }
span, a, b, strong, i, em, u, s, strike, del, ins, small, big, mark, code, kbd, samp, tt, sub, sup, label,
abbr, cite, q, time, var, dfn, data, output { display: inline; }
img, svg, video, canvas { display: inline-block; }
table { display: grid; box-sizing: border-box; width: max-content;
  column-gap: var(--vellum-bs-x, 2px); row-gap: var(--vellum-bs-y, 2px);
  padding: var(--vellum-bs-y, 2px) var(--vellum-bs-x, 2px); border-color: gray; }
thead, tbody, tfoot, tr { display: contents; }
colgroup, col { display: none; }
caption { display: block; grid-column: 1 / -1; text-align: center; }
td, th { display: block; padding: 1px; }
th { font-weight: bold; text-align: center; }
abbr[title] { text-decoration: underline dotted; }
q::before { content: "“"; }
q::after { content: "”"; }
q q::before { content: "‘"; }
q q::after { content: "’"; }
details > summary:first-of-type { display: list-item; counter-increment: list-item 0; list-style: disclosure-closed inside; }
details[open] > summary:first-of-type { list-style-type: disclosure-open; }
[hidden] { display: none; }
button { display: inline-block; box-sizing: border-box; padding: 2px 7px; border: 1px solid #767676;
  border-radius: 2px; background-color: #efefef; color: black; font-size: 13.333px; font-weight: normal;
  font-style: normal; letter-spacing: normal; word-spacing: normal; line-height: normal;
  text-transform: none; text-indent: 0; text-shadow: none; text-align: center; }
button[disabled] { color: rgba(16, 16, 16, 0.3); background-color: rgba(239, 239, 239, 0.3); border-color: rgba(118, 118, 118, 0.3); }
input, textarea { display: inline-block; box-sizing: content-box; border: 1px solid #767676; border-radius: 2px; padding: 2px 3px;
  background-color: white; color: black; font-size: 13.333px; font-family: sans-serif; font-weight: normal;
  font-style: normal; letter-spacing: normal; word-spacing: normal; line-height: normal; text-transform: none;
  text-indent: 0; text-shadow: none; text-align: start; }
textarea { padding: 2px; font-family: monospace; white-space: pre-wrap; overflow-wrap: break-word; }
/* Push-button inputs are drawn as a <button> (the same box; satori writes the value, or "Submit" and
   "Reset" by default, as the label): after the field rule above, which would give them a white
   content-box field. */
input[type="submit" i], input[type="reset" i], input[type="button" i] { box-sizing: border-box; padding: 2px 7px;
  background-color: #efefef; text-align: center; }
input[type="submit" i][disabled], input[type="reset" i][disabled], input[type="button" i][disabled] { color: rgba(16, 16, 16, 0.3);
  background-color: rgba(239, 239, 239, 0.3); border-color: rgba(118, 118, 118, 0.3); }
input[type="checkbox" i], input[type="radio" i], input[type="range" i] { box-sizing: border-box; border: none; border-radius: 0;
  padding: 0; background-color: transparent; }
input[type="checkbox" i] { width: 13px; height: 13px; margin: 3px 3px 3px 4px; }
input[type="radio" i] { width: 13px; height: 13px; margin: 3px 3px 0 5px; }
input[type="range" i] { width: 129px; height: 16px; margin: 2px; }
progress, meter { display: inline-block; position: relative; box-sizing: border-box; height: 1em; vertical-align: -0.2em; }
progress { width: 10em; }
meter { width: 5em; }
`

interface UaSelector {
  text: string
  /** A trailing pseudo-element (`::before`), which must stay outside the :where() that zeroes the specificity. */
  pseudo: string
  /** Element names the selector requires (all of them must occur in the document). */
  tags: string[]
}

/** The sheet parsed once per process: each rule's selectors with the tags they name. */
const UA_RULES: Array<{ selectors: UaSelector[]; block: string }> = []
/** The `display` the sheet gives an element by its name alone (later rules win). */
const UA_DISPLAY = new Map<string, string>()
/** The same for `font-size` (h1 2em, small 0.8333em…). */
const UA_FONT_SIZE = new Map<string, string>()
csstree.walk(csstree.parse(USER_AGENT_CSS), {
  visit: 'Rule',
  enter(rule) {
    if (rule.prelude.type !== 'SelectorList') return
    const selectors: UaSelector[] = []
    rule.prelude.children.forEach((selector) => {
      const tags = new Set<string>()
      csstree.walk(selector, { visit: 'TypeSelector', enter: (t) => void tags.add(t.name.toLowerCase()) })
      let pseudo = ''
      if (selector.type === 'Selector' && selector.children.last?.type === 'PseudoElementSelector') {
        pseudo = `::${selector.children.last.name}`
        selector.children.pop()
      }
      selectors.push({ text: csstree.generate(selector), pseudo, tags: [...tags] })
    })
    UA_RULES.push({ selectors, block: csstree.generate(rule.block) })
    rule.block.children.forEach((d) => {
      if (d.type !== 'Declaration' || (d.property !== 'display' && d.property !== 'font-size')) return
      const byName = d.property === 'display' ? UA_DISPLAY : UA_FONT_SIZE
      for (const s of selectors) if (s.tags.length === 1 && s.text === s.tags[0]) byName.set(s.text, csstree.generate(d.value))
    })
  },
})

/** The user-agent `display` of an element name (`inline`, a browser's default, when unset). */
export function userAgentDisplay(tag: string): string {
  return UA_DISPLAY.get(tag) ?? 'inline'
}

/** The user-agent `font-size` of an element name; undefined when it inherits. */
export function userAgentFontSize(tag: string): string | undefined {
  return UA_FONT_SIZE.get(tag)
}

/** The user-agent rules that can match a document made of `tags` (lower-case element names). */
export function userAgentCssFor(tags: ReadonlySet<string>): string {
  let css = ''
  for (const rule of UA_RULES) {
    const kept = rule.selectors.filter((s) => s.tags.every((t) => tags.has(t)))
    // Every selector is wrapped in :where(), specificity zero, as a browser's user-agent origin
    // loses to any author rule (`a { color: inherit }` against `a[href]`); later rules here
    // win over earlier ones, which is why the `type` attribute rules follow the nesting ones.
    if (kept.length > 0) css += `${kept.map((s) => `:where(${s.text})${s.pseudo}`).join(',')}${rule.block}\n`
  }
  return css
}
