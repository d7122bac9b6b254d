/**
 * Compiled css-select matchers for the page's selectors, shared by the small cascades run
 * before layout (canvas background, monospace size, whitespace). A template's sheet comes back
 * render after render (css-rewrite.ts keeps its rules), so its selectors are compiled once per
 * worker instead of once per element test.
 */
import type { Element } from 'domhandler'
import { compile } from 'css-select'
import { LRUCache } from 'lru-cache'

export type Matcher = (el: Element) => boolean

// `false`: css-select cannot evaluate the selector (pseudo-elements, unknown pseudo-classes).
const COMPILED = new LRUCache<string, Matcher | false>({ max: 5000 })

/** The matcher for `selector`, or null when css-select cannot evaluate it. */
export function matcherFor(selector: string): Matcher | null {
  let m = COMPILED.get(selector)
  if (m === undefined) {
    try {
      m = compile<Element, Element>(selector) as Matcher
    } catch {
      m = false
    }
    COMPILED.set(selector, m)
  }
  return m || null
}
