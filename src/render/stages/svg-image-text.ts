/**
 * Stage 1c: text inside SVG images (`<img src="badge.svg">`, data: URIs and fetched images alike,
 * which the document stage has made data URIs), drawn as glyph outlines of the bundled fonts.
 *
 * resvg draws an SVG image as a document of its own, without fonts (system fonts are off), so a
 * shields.io badge lost its labels. A browser draws such text with its system fonts, never the
 * page's web fonts: here the stand-ins of the bundled families (font-aliases.ts), which the
 * fidelity references install as Chromium's system fonts. Each `<text>` is read as inline-SVG
 * text is (document/svg-text.ts: attributes, `style`, inheritance within the image) and outlined
 * by the svg-text stage's shaping (stages/svg-text.ts); the image's data URI is rewritten with
 * `<g>`s of paths in their place. Without text the image can then be drawn as a symbol
 * (inline-svg-images.ts), or stays nested with paths where something else keeps it nested.
 *
 * Two steps, as for inline SVG: `readSvgImageText` runs with the document stage, before the font
 * selection and the layout estimate, and marks each such `<img>` with its runs (font-usage.ts
 * picks the weights and scripts the text needs, layout-cost.ts prices the outlines);
 * `drawSvgImageText` outlines them once the faces are known and removes the mark.
 *
 * An image is left as it was when its text could depend on what is not read here: a style sheet
 * of its own, entities, XML resvg cannot read (it draws nothing of those, where the serialized
 * rewrite would draw something).
 */
import render from 'dom-serializer'
import { Element, isTag, type AnyNode, type Document } from 'domhandler'
import { decodeDataUri, splitDataUri } from '../../net/data-uri.js'
import type { FontFace } from '../../fonts/bundled-fonts.js'
import type { SatoriChild, SatoriElement } from '../document/html-to-tree.js'
import { parseStyleAttribute } from '../document/inline-styles.js'
import { SVG_TEXT_RUNS, SvgTextReader, type SvgTextRun } from '../document/svg-text.js'
import { missingCharWarnings, outlineRuns } from './svg-text.js'
import { readSvgImage } from './svg-image-document.js'

/** Larger images are left as they are (the same bound as inlining: inline-svg-images.ts). */
const MAX_IMAGE_BYTES = 256 * 1024

/** Attributes of `<text>` that its outlines' positions and shapes already hold. */
const LAID_OUT = new Set(['x', 'y', 'dx', 'dy', 'rotate', 'textLength', 'lengthAdjust', 'text-anchor', 'dominant-baseline', 'font-family', 'font-size', 'font-weight', 'font-style', 'font'])

/** Parents where a `<g>` may not stand in for a `<text>` (a clip path takes shapes and text only). */
const NO_GROUP = new Set(['clipPath'])

interface TextElement {
  el: Element
  runs: SvgTextRun[]
}

/** One SVG image with text, parsed once however many `<img>` show it. */
interface ImageText {
  dom: Document
  texts: TextElement[]
  nodes: SatoriElement[]
}

export type SvgImageTexts = ImageText[]

/** The image's `<text>` elements and their runs, or null when it is left as it is. */
function readImage(src: string): Omit<ImageText, 'nodes'> | null {
  const data = splitDataUri(src)
  const bytes = data && data.body.length <= MAX_IMAGE_BYTES * 2 ? decodeDataUri(data) : null
  if (!bytes || bytes.length > MAX_IMAGE_BYTES) return null
  const svg = bytes.toString('utf8')
  // Cheap before parsing: an image that never writes "text" has no text element.
  if (!svg.includes('text')) return null
  const read = readSvgImage(svg)
  if (!read) return null
  const { dom, root } = read
  const texts: Element[] = []
  const stack: AnyNode[] = [root]
  while (stack.length) {
    const n = stack.pop()!
    if (!isTag(n)) continue
    // A style sheet may set the text's fonts, fill or visibility: nothing here reads it.
    if (n.name === 'style') return null
    if (n.name === 'text') {
      // Text on a path is not laid out here; it stays text (not drawn, as before).
      if (!hasDescendant(n, 'textPath') && !NO_GROUP.has((n.parent as Element | null)?.name ?? '')) texts.push(n)
      continue
    }
    stack.push(...n.children)
  }
  if (!texts.length) return null
  // Inside an image nothing of the page applies: no page rules, no page-loaded families.
  const reader = new SvgTextReader([], (el) => (el.attribs.style ? parseStyleAttribute(el.attribs.style) : undefined), new Set())
  return { dom, texts: texts.reverse().map((el) => ({ el, runs: reader.runs(el) })) }
}

function hasDescendant(el: Element, name: string): boolean {
  return el.children.some((c) => isTag(c) && (c.name === name || hasDescendant(c, name)))
}

/**
 * Marks every `<img>` whose SVG has text with its runs (see above); returns the images to draw,
 * or null when there are none.
 */
export function readSvgImageText(root: SatoriElement): SvgImageTexts | null {
  const bySrc = new Map<string, ImageText | null>()
  const stack: SatoriChild[] = [root]
  while (stack.length) {
    const node = stack.pop()!
    if (typeof node !== 'object' || node === null) continue
    const { src, children } = node.props
    if (node.type === 'img' && typeof src === 'string' && /^data:image\/svg\+xml[;,]/i.test(src)) {
      let image = bySrc.get(src)
      if (image === undefined) {
        const read = readImage(src)
        image = read && { ...read, nodes: [] }
        bySrc.set(src, image)
      }
      if (image) {
        image.nodes.push(node)
        node.props[SVG_TEXT_RUNS] = image.texts.flatMap((t) => t.runs)
      }
    }
    if (Array.isArray(children)) stack.push(...(children as SatoriChild[]))
    else if (children !== undefined) stack.push(children as SatoriChild)
  }
  const images = [...bySrc.values()].filter((i): i is ImageText => i !== null)
  return images.length ? images : null
}

/** Outlines the text of every image `readSvgImageText` found; returns warnings for what no face could draw. */
export async function drawSvgImageText(images: SvgImageTexts, faces: FontFace[]): Promise<string[]> {
  const missing = new Set<string>()
  for (const image of images) {
    for (const { el, runs } of image.texts) {
      const outlined = await outlineRuns(runs, faces, missing, { textLength: el.attribs.textLength, lengthAdjust: el.attribs.lengthAdjust })
      const paths = outlined.map((r) => new Element('path', { d: r.d, ...(r.fill ? { fill: r.fill } : {}), transform: r.transform }))
      // The text's own presentation (fill, opacity, stroke, transform, clip…) stays on a group.
      const attribs = Object.fromEntries(Object.entries(el.attribs).filter(([name]) => !LAID_OUT.has(name)))
      replace(el, new Element('g', attribs, paths))
    }
    const src = `data:image/svg+xml;base64,${Buffer.from(render(image.dom, { xmlMode: true, decodeEntities: true })).toString('base64')}`
    for (const node of image.nodes) {
      node.props.src = src
      delete node.props[SVG_TEXT_RUNS]
    }
  }
  return missingCharWarnings(missing, 'svg image <text>')
}

function replace(old: Element, next: Element): void {
  const parent = old.parent!
  const at = parent.children.indexOf(old)
  parent.children[at] = next
  next.parent = parent
  next.prev = old.prev
  next.next = old.next
  if (next.prev) next.prev.next = next
  if (next.next) next.next.prev = next
  for (const child of next.children) child.parent = next
}
