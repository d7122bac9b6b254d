/**
 * An SVG image's own document, read the way resvg will draw it. Two stages rewrite SVG images
 * (svg-image-text.ts outlines their text, inline-svg-images.ts inlines them as symbols) and both
 * must only touch a document resvg reads the same way htmlparser2 does:
 * - what resvg cannot read it draws nothing of, where htmlparser2 reads anything: resvg parses
 *   it first (~0.02 ms without the system fonts; with them 4 ms, the very cost of a nested
 *   image). Its parser also bounds the nesting the stages' walks go through;
 * - resvg expands a DTD's entities, which htmlparser2 leaves as they are;
 * - one `<svg>` root, nothing else at the top.
 */
import { parseDocument } from 'htmlparser2'
import { Resvg } from '@resvg/resvg-js'
import { isTag, type Document, type Element } from 'domhandler'

export function readSvgImage(text: string): { dom: Document; root: Element } | null {
  try {
    new Resvg(text, { font: { loadSystemFonts: false } })
  } catch {
    return null
  }
  const dom = parseDocument(text, { xmlMode: true })
  if (dom.children.some((n) => n.type === 'directive' && /\[|ENTITY/i.test(n.data))) return null
  const roots = dom.children.filter(isTag)
  const root = roots[0]
  if (roots.length !== 1 || !root || root.name !== 'svg') return null
  return { dom, root }
}
