/**
 * css-tree's parser, generator and walker, each from its own entry point. Vellum never uses the
 * lexer (property grammar matching), and the package's main entry builds it at import from the
 * whole CSS grammar data: 58 ms of a render worker's boot (cpuprofile), in every worker and on
 * every cold start. These three are what `csstree.parse/generate/walk` are, without it.
 * Import as a namespace (`import * as csstree from '../css/css-tree.js'`); the node types come
 * from css-tree's own typings.
 */
import parse from 'css-tree/parser'
import generate from 'css-tree/generator'
import walk from 'css-tree/walker'

export { parse, generate, walk }
export type * from 'css-tree'
