/**
 * Compiled css-select matchers for the page's selectors, shared by the small cascades run
 * before layout (canvas background, monospace size, whitespace). A template's sheet comes back
 * render after render (css-rewrite.ts keeps its rules), so its selectors are compiled once per
 * worker instead of once per element test.
 */
import type { Element } from 'domhandler'
import { compile } from 'css-select'
import { LRUCache } from 'lru-cache'
import { cascadedValue, type Declaration, type StyleRule } from './css-rewrite.js'
import { structuralPseudos } from './sibling-positions.js'

export type Matcher = (el: Element) => boolean

// `false`: css-select cannot evaluate the selector (pseudo-elements, unknown pseudo-classes).
const COMPILED = new LRUCache<string, Matcher | false>({ max: 5000 })
/** `:nth-child()` and friends from a table per sibling list, not a walk per test (sibling-positions.ts). */
export const STRUCTURAL_PSEUDOS = structuralPseudos((selector) => matcherFor(selector))

/** The matcher for `selector`, or null when css-select cannot evaluate it. */
export function matcherFor(selector: string): Matcher | null {
  let m = COMPILED.get(selector)
  if (m === undefined) {
    try {
      m = compile<Element, Element>(selector, { pseudos: STRUCTURAL_PSEUDOS }) as Matcher
    } catch {
      m = false
    }
    COMPILED.set(selector, m)
  }
  return m || null
}

/** A declared value without its `!important` flag (the cascade has already ranked it), trimmed. */
export const declaredValue = (value: string): string => value.replace(/\s*!\s*important\s*$/i, '').trim()

/**
 * The page's rules whose selector matches `el`; with `properties`, only the rules declaring one of
 * them are matched at all (matching is the costly part, most rules set other things).
 */
export function rulesMatching<R extends Pick<StyleRule, 'selector' | 'declarations'>>(el: Element, rules: R[], properties?: string[]): R[] {
  return rules.filter(
    (r) => (!properties || r.declarations.some((d) => properties.includes(d.property))) && matcherFor(r.selector)?.(el) === true,
  )
}

/**
 * The declaration that wins the cascade for `el` among `properties`: the page's rules that match
 * it and its inline style. Undefined when nothing sets them.
 */
export function winningDeclaration(
  el: Element,
  rules: StyleRule[],
  inline: Record<string, unknown> | undefined,
  properties: string[],
): Declaration | undefined {
  const decls = cascadedValue(rulesMatching(el, rules, properties), inline, properties)
  return decls[decls.length - 1]
}
