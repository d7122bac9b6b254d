/**
 * The `flex` shorthand as its three longhands (CSS Flexbox 1 §7.1.1), for css-rewrite.ts.
 * satori reads `flex` with css-to-react-native's parser, which knows numbers, px, % and `auto`
 * only: `flex: 0 0 calc(100% / 3)`, `1 1 calc(50% - 10px)` or `0 0 min(100px, 50%)` failed as a
 * whole ("Failed to parse declaration"), the item lost its basis and the row collapsed, while
 * `flex-basis: calc(…)` on its own is drawn. Expanded here, the basis reaches satori as a
 * `flex-basis` declaration of its own.
 *
 * var() is substituted later, by satori, from the custom properties it inherits: a var() inside
 * the basis (`calc((100% - var(--gap)) / var(--cols))`) stays in `flex-basis` and is resolved
 * there. A var() at the top level may stand for any number of components, so where it sits
 * cannot tell which longhand it is, and the declaration is left whole, except after two flex
 * factors, where only a basis can follow.
 */
import * as csstree from '../../css/css-tree.js'

const CSS_WIDE = new Set(['inherit', 'unset', 'revert', 'revert-layer'])
const SUBSTITUTED = new Set(['var', 'env', 'attr'])
/** Keywords that are the whole value or nothing (`auto` is also a basis: `flex: 2 auto`). */
const KEYWORDS_ALONE = new Set(['none', 'initial', ...CSS_WIDE])

/** A flex factor: a non-negative <number>. */
function factor(node: csstree.CssNode): string | undefined {
  return node.type === 'Number' && Number(node.value) >= 0 ? node.value : undefined
}

/**
 * `flex-grow`, `flex-shrink` and `flex-basis` for a `flex` value, or undefined when the value
 * is not one the grammar reads for certain: then the declaration is kept as written. A style
 * sheet's `!important` is kept on the declaration node by the caller; a style attribute's
 * (`flex: 1 !important`, in the value) is left out, as satori reads no `!important` in a value
 * and dropped the whole declaration for it.
 */
export function flexLonghands(value: string): Array<[string, string]> | undefined {
  const text = `flex: ${value}`
  let decl: csstree.CssNode
  try {
    decl = csstree.parse(text, { context: 'declaration', positions: true })
  } catch {
    return undefined
  }
  if (decl.type !== 'Declaration' || decl.value.type !== 'Value') return undefined
  const parts = decl.value.children.toArray()
  // A component as written: css-tree's generator drops the spaces around `*` in calc(), and
  // satori's var() substitution then reads `1)*var(--gap)` as one word and leaves it unresolved.
  const source = (node: csstree.CssNode) => (node.loc ? text.slice(node.loc.start.offset, node.loc.end.offset) : csstree.generate(node))
  const out = (grow: string, shrink: string, basis: string): Array<[string, string]> => [
    ['flex-grow', grow],
    ['flex-shrink', shrink],
    ['flex-basis', basis],
  ]

  if (parts.length === 1 && parts[0]!.type === 'Identifier') {
    const keyword = parts[0].name.toLowerCase()
    if (keyword === 'none') return out('0', '0', 'auto')
    if (keyword === 'auto') return out('1', '1', 'auto')
    if (keyword === 'initial') return out('0', '1', 'auto')
    if (CSS_WIDE.has(keyword)) return out(keyword, keyword, keyword)
  }

  // [ <flex-grow> <flex-shrink>? || <flex-basis> ]; omitted, the factors are 1 and the basis 0%.
  let grow: string | undefined
  let shrink: string | undefined
  let basis: string | undefined
  for (let i = 0; i < parts.length; i++) {
    const node = parts[i]!
    if (node.type === 'Function' && SUBSTITUTED.has(node.name.toLowerCase())) {
      // Only a basis can follow two factors (and be the last component).
      if (shrink === undefined || basis !== undefined || i !== parts.length - 1) return undefined
      basis = source(node)
      continue
    }
    // A unitless zero is a flex factor unless two factors come before it (then a length).
    if (node.type === 'Number' && !(shrink !== undefined && basis === undefined && Number(node.value) === 0)) {
      const f = factor(node)
      if (f === undefined || grow !== undefined) return undefined
      grow = f
      // <flex-shrink> only right after <flex-grow>.
      const next = parts[i + 1]
      const s = next && factor(next)
      if (s !== undefined) {
        shrink = s
        i++
      }
      continue
    }
    if (basis !== undefined) return undefined
    if (node.type === 'Number') basis = '0px'
    else if (node.type === 'Dimension' || node.type === 'Percentage' || node.type === 'Function') basis = source(node)
    else if (node.type === 'Identifier' && !KEYWORDS_ALONE.has(node.name.toLowerCase())) basis = node.name
    else return undefined
  }
  if (grow === undefined && basis === undefined) return undefined
  return out(grow ?? '1', shrink ?? '1', basis ?? '0%')
}
