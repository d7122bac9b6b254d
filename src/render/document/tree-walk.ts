/**
 * Visits an element tree depth first in document order, without recursion (a page may nest as
 * deep as MAX_DEPTH allows, and more before it is refused). `visit` returns false to skip a
 * node's children.
 */
import type { SatoriChild } from './html-to-tree.js'

export function walkTree(root: SatoriChild, visit: (node: SatoriChild) => boolean | void): void {
  const stack: SatoriChild[] = [root]
  while (stack.length) {
    const node = stack.pop()!
    if (visit(node) === false || typeof node === 'string') continue
    const children = node.props.children
    if (Array.isArray(children)) for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as SatoriChild)
    else if (children !== undefined) stack.push(children as SatoriChild)
  }
}
