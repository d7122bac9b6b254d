/**
 * css-tree's parser, generator and walker, each from its own entry point. Vellum never uses the
 * lexer (property grammar matching), and the package's main entry builds it at import from the
 * whole CSS grammar data: 58 ms of a render worker's boot (cpuprofile), in every worker and on
 * every cold start. These three are what `csstree.parse/generate/walk` are, without it.
 * Import as a namespace (`import * as csstree from '../css/css-tree.js'`); the node types come
 * from css-tree's own typings.
 */
import type { CssNode, GenerateOptions } from 'css-tree'
import parse from 'css-tree/parser'
import generateCss from 'css-tree/generator'
import walk from 'css-tree/walker'

export { parse, walk }
export type * from 'css-tree'

const NUMERIC = new Set(['Number', 'Dimension', 'Percentage'])

/**
 * css-tree's generator, keeping the space between a number and a hash colour after it. The
 * generator writes only the whitespace tokenising needs, and `0 #93c5fd` tokenises the same as
 * `0#93c5fd`, which is what it wrote: satori's parser (css-to-react-native) reads that as no
 * shadow at all, so `text-shadow: 2px 2px 0 #93c5fd` and `box-shadow: 4px 4px 0 #000` were
 * dropped with a warning. The space is put back in the tree before generating.
 */
export function generate(ast: CssNode, options?: GenerateOptions): string {
  walk(ast, (node) => {
    // Values and the arguments of functions (`drop-shadow(0 0 #000)`) and parentheses.
    if (node.type !== 'Value' && node.type !== 'Function' && node.type !== 'Parentheses') return
    node.children.forEach((child, item, list) => {
      if (child.type === 'Hash' && item.prev && NUMERIC.has(item.prev.data.type)) list.insert(list.createItem({ type: 'WhiteSpace', value: ' ' }), item)
    })
  })
  return generateCss(ast, options)
}
