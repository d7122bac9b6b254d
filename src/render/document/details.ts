/**
 * `<details>` as Chromium shows it. A closed `<details>` renders only its first `<summary>`
 * child: Chromium puts everything else in a content slot it hides whatever the author's CSS
 * says (`details > p { display: block }` does not show it), text nodes included, so the
 * children are left out of the tree here instead of hidden by a rule an author rule could beat.
 * The disclosure triangle is the summary's `::marker` (list-style disclosure-closed/-open,
 * user-agent-css.ts), which satori draws as Chromium does.
 *
 * A `<details>` without a `<summary>` child gets Chromium's generated one, "Details".
 */
import { Element, Text, type ChildNode } from 'domhandler'
import { cascadedValue, type StyleRule } from './css-rewrite.js'
import { matcherFor } from './selector-match.js'

/** The first `<summary>` child of a `<details>`: the one that toggles it and carries the marker. */
export function detailsSummary(details: Element): Element | undefined {
  return details.children.find((c): c is Element => c.type === 'tag' && c.name === 'summary')
}

/**
 * The children of `el` that render: for a closed `<details>`, its summary alone (a generated
 * one when it has none); for an open one without a summary, the generated summary first.
 */
export function renderedChildren(el: Element): ChildNode[] {
  if (el.name !== 'details') return el.children
  const summary = detailsSummary(el)
  const open = el.attribs.open !== undefined
  if (summary) return open ? el.children : [summary]
  const generated = new Element('summary', {}, [new Text('Details')])
  generated.parent = el
  return open ? [generated, ...el.children] : [generated]
}

const WEBKIT_MARKER = /::-webkit-details-marker$/i

/**
 * `summary::-webkit-details-marker { display: none }`, the usual way pages drop the triangle
 * (Chromium still honours it). satori knows no such pseudo-element, so a summary whose marker
 * is hidden that way gets `list-style-type: none` inline: nothing else can bring the marker back.
 */
export class DetailsMarkers {
  private readonly rules: Array<StyleRule & { base: string }>

  constructor(rules: StyleRule[]) {
    // Rules inside @media/@supports may not apply: the marker is kept rather than guessed away.
    this.rules = rules
      .filter((r) => !r.conditional && WEBKIT_MARKER.test(r.selector) && r.declarations.some((d) => d.property === 'display'))
      .map((r) => ({ ...r, base: r.selector.replace(WEBKIT_MARKER, '') || '*' }))
  }

  /** Writes `list-style-type: none` on a summary whose marker the page hides. */
  apply(summary: Element, props: Record<string, unknown>): void {
    if (this.rules.length === 0 || summary.name !== 'summary') return
    const matching = this.rules.filter((r) => matcherFor(r.base)?.(summary) === true)
    const display = cascadedValue(matching, undefined, ['display']).at(-1)
    if (display?.value.trim().toLowerCase() !== 'none') return
    props.style = { ...(props.style as object | undefined), listStyleType: 'none' }
  }
}
