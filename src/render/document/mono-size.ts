/**
 * Chromium draws text whose font-family is the bare `monospace` generic at 13px instead of
 * 16px, but only while the size is still the default keyword size: a page that sets a pixel
 * size on the element or an ancestor keeps that size for its code. CSS cannot express
 * "inherited size came from a keyword", so the few monospace elements (code, kbd, samp, tt,
 * pre) are checked here against the page's rules; those still at the default size get the
 * `vellum-mono-medium` class, which the user-agent sheet sizes at 13px.
 */
import type { Element } from 'domhandler'
import { selectAll } from 'css-select'
import type { StyleRule } from './css-rewrite.js'
import { matcherFor } from './selector-match.js'

const MONO = new Set(['code', 'kbd', 'samp', 'tt', 'pre'])
/** Elements the user-agent sheet gives a size of their own (not a keyword size any more). */
const SIZED = new Set(['h1', 'h2', 'h3', 'h5', 'h6', 'small', 'big', 'sub', 'sup'])
const SIZE_PROPS = ['font-size', 'font']
const FAMILY_PROPS = ['font-family', 'font']

function matched(root: Element, rules: StyleRule[], test: (r: StyleRule) => boolean): Set<Element> {
  const out = new Set<Element>()
  for (const rule of rules) {
    if (!test(rule)) continue
    // Pseudo-elements and selectors css-select does not know match no element here.
    const matches = matcherFor(rule.selector)
    if (matches) for (const el of selectAll(matches, root) as Element[]) out.add(el)
  }
  return out
}

const inlineSets = (el: Element, props: string[]) =>
  props.some((p) => new RegExp(`(^|;)\\s*${p}\\s*:`, 'i').test(el.attribs.style ?? ''))

export function markMonospaceDefaultSize(root: Element, rules: StyleRule[]): void {
  const monos: Element[] = []
  const walk = (el: Element) => {
    if (MONO.has(el.name)) monos.push(el)
    for (const c of el.children) if (c.type === 'tag') walk(c)
  }
  walk(root)
  if (monos.length === 0) return
  const sizeSetters = matched(root, rules, (r) => r.declarations.some((d) => SIZE_PROPS.includes(d.property)))
  // A family list other than the bare generic (e.g. `Menlo, monospace`) is sized like any text.
  const familySetters = matched(root, rules, (r) =>
    r.declarations.some((d) => FAMILY_PROPS.includes(d.property) && d.value.trim().toLowerCase() !== 'monospace'),
  )
  for (const el of monos) {
    if (familySetters.has(el) || inlineSets(el, FAMILY_PROPS)) continue
    let keyword = true
    for (let a: Element | null = el; a && keyword; a = a.parent?.type === 'tag' ? (a.parent as Element) : null) {
      if (sizeSetters.has(a) || inlineSets(a, SIZE_PROPS) || SIZED.has(a.name)) keyword = false
    }
    if (keyword) el.attribs.class = `${el.attribs.class ?? ''} vellum-mono-medium`.trim()
  }
}
