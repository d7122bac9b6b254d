/**
 * How deeply a CSS text nests blocks, functions and brackets, read from css-tree's tokenizer
 * (linear, no recursion). css-tree's parser and every walk over its tree recurse once per
 * level: `@media screen {` 5,000 deep overflowed the stack, and the render failed with
 * "Maximum call stack size exceeded" instead of a message about the page.
 */
import { tokenize, tokenTypes } from 'css-tree/tokenizer'

const OPENS = new Set<number>([tokenTypes.LeftCurlyBracket, tokenTypes.LeftSquareBracket, tokenTypes.LeftParenthesis, tokenTypes.Function])
const CLOSES = new Set<number>([tokenTypes.RightCurlyBracket, tokenTypes.RightSquareBracket, tokenTypes.RightParenthesis])

/** The deepest nesting of blocks, brackets and functions in `css`. */
export function cssNestingDepth(css: string): number {
  let depth = 0
  let deepest = 0
  tokenize(css, (type) => {
    if (OPENS.has(type)) deepest = Math.max(deepest, ++depth)
    else if (CLOSES.has(type) && depth > 0) depth--
  })
  return deepest
}
