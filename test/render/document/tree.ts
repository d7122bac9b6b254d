/** The built tree as the document tests read it: htmlToTree with the user-agent sheet, and its element children. */
import { htmlToTree, type SatoriChild, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'

const limits = { elements: 5000, depth: 200 }

/** The tree's root (`<html>`), built as the render builds it. */
export const buildTree = (html: string, css = '') => htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits }).root

/** An element's children, text included. */
export const childrenOf = (el: SatoriElement): SatoriChild[] => {
  const c = el.props.children
  return Array.isArray(c) ? c : c === undefined ? [] : [c as SatoriChild]
}

/** An element's element children. */
export const kids = (el: SatoriElement) => childrenOf(el).filter((x): x is SatoriElement => typeof x === 'object' && x !== null)

/** The converted `<body>`. */
export const body = (html: string, css = '') => kids(buildTree(html, css)).find((c) => c.type === 'body')!
