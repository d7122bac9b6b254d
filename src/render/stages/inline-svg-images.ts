/**
 * Stage 3c: SVG images (Twemoji, `<img src="icon.svg">`, inline `<svg>`, which satori passes on
 * as `data:image/svg+xml` images) drawn as `<use>` of a `<symbol>` holding the image's own
 * drawing, instead of as nested documents.
 *
 * resvg-js reads each nested SVG image as a new document with the system's fonts loaded (4 ms
 * with this machine's 38 fonts, more where more are installed) and draws it into a pixmap the
 * size of the whole canvas, whatever the image's size: a 20 px emoji cost as much as a photo,
 * 3.5–4 ms on a 1200×630 card, so a tweet with ten emoji spent 40 ms on them. The same drawing
 * as a symbol costs what its paths cost (200 emoji: 815 → 24 ms).
 *
 * It must stay the same picture. A nested image is a document of its own: nothing inherits into
 * it, its ids and style sheets are its own, and resvg draws no image inside it. So the drawing
 * is wrapped in a group that sets every inherited property to its initial value (the root's own
 * attributes then apply over it), its ids are renamed and every reference to them rewritten, and
 * an image is inlined only when nothing in it could reach outside or read the outer document:
 * no `<style>`, script, text (svg-image-text.ts has outlined what it could), `foreignObject` or
 * image of its own, no reference to an id it does not define. Anything else stays a nested image, drawn as before.
 */
import render from 'dom-serializer'
import { isTag, type AnyNode, type Element } from 'domhandler'
import { decodeDataUri, splitDataUri } from '../../net/data-uri.js'
import { readSatoriSvg, type SvgNode } from './svg-tree.js'
import { readSvgImage } from './svg-image-document.js'

/** Elements that make an image unsafe to inline (see above); animation is not drawn either way. */
const REFUSED = new Set(['style', 'script', 'text', 'tspan', 'textpath', 'foreignobject', 'image', 'feimage', 'iframe', 'video', 'audio', 'canvas', 'font', 'font-face', 'switch'])

/**
 * Inherited properties at their initial values: inside a nested image nothing inherits from the
 * page, where a `<use>` inherits from everything around it.
 */
const ISOLATED =
  'fill="#000" fill-opacity="1" fill-rule="nonzero" stroke="none" stroke-width="1" stroke-opacity="1" stroke-linecap="butt" ' +
  'stroke-linejoin="miter" stroke-miterlimit="4" stroke-dasharray="none" stroke-dashoffset="0" clip-rule="nonzero" color="#000" ' +
  'visibility="visible" marker-start="none" marker-mid="none" marker-end="none" paint-order="normal" shape-rendering="auto" ' +
  'color-interpolation-filters="linearRGB" color-interpolation="sRGB"'

/** Root attributes that size or name the document rather than style its drawing. */
const ROOT_ONLY = new Set(['width', 'height', 'viewbox', 'preserveaspectratio', 'x', 'y', 'id', 'class', 'version', 'baseprofile', 'overflow', 'zoomandpan', 'contentscripttype', 'contentstyletype'])

/** A nested document's largest inlined size: larger ones are drawn nested, as before. */
const MAX_INLINED_BYTES = 256 * 1024

const URL_REF = /url\(\s*(['"]?)#([^'")\s]+)\1\s*\)/g

const escapeAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const NUMBER = /^\s*(\d+(?:\.\d+)?|\.\d+)(?:px)?\s*$/

interface Symbol {
  id: string
  viewBox: string
  /** The drawing: a group of initial properties and the root's own, holding the root's children. */
  body: string
}

/** The symbol for one SVG image, or null when it must stay a nested document. */
function symbolFor(text: string, id: string): Symbol | null {
  const read = readSvgImage(text)
  if (!read) return null
  const { root } = read
  const ids = new Set<string>()
  const all: Element[] = []
  const stack: AnyNode[] = [...root.children]
  while (stack.length) {
    const n = stack.pop()!
    if (n.type === 'cdata') return null
    if (!isTag(n)) continue
    if (REFUSED.has(n.name.toLowerCase())) return null
    all.push(n)
    if (n.attribs.id !== undefined) ids.add(n.attribs.id)
    stack.push(...n.children)
  }
  // Every reference must land inside the image: renamed with it, it can never reach the page.
  for (const el of [root, ...all]) {
    for (const [name, value] of Object.entries(el.attribs)) {
      if (/^on/i.test(name)) return null
      for (const m of value.matchAll(URL_REF)) if (!ids.has(m[2]!)) return null
      if (/^(xlink:)?href$/i.test(name) && el !== root && !(value.startsWith('#') && ids.has(value.slice(1)))) return null
    }
  }
  const a = root.attribs
  if (a.transform !== undefined) return null
  let viewBox = a.viewBox ?? a.viewbox
  if (viewBox === undefined) {
    const w = NUMBER.exec(a.width ?? '')
    const h = NUMBER.exec(a.height ?? '')
    if (!w || !h) return null
    viewBox = `0 0 ${w[1]} ${h[1]}`
  }
  const box = viewBox.trim().split(/[\s,]+/).map(Number)
  if (box.length !== 4 || !box.every(Number.isFinite) || box[2]! <= 0 || box[3]! <= 0) return null

  const rename = (v: string) => `${id}-${v}`
  for (const el of all) {
    if (el.attribs.id !== undefined) el.attribs.id = rename(el.attribs.id)
    for (const [name, value] of Object.entries(el.attribs)) {
      if (name === 'id') continue
      if (/^(xlink:)?href$/i.test(name)) el.attribs[name] = `#${rename(value.slice(1))}`
      else if (value.includes('url(')) el.attribs[name] = value.replace(URL_REF, (_, _q, ref: string) => `url(#${rename(ref)})`)
    }
  }
  const own = Object.entries(a)
    .filter(([name]) => !ROOT_ONLY.has(name.toLowerCase()) && !/^xmlns/i.test(name) && !/^xml:/i.test(name))
    .map(([name, value]) => ` ${name}="${escapeAttr(value)}"`)
    .join('')
  // The root's own attributes come after the initial values: the later duplicate wins in resvg's
  // parser, as the root's own style does over initial values in a browser. Duplicates are not
  // valid XML, so each initial value the root sets is left out instead.
  const initial = ISOLATED.split(/(?<=") /)
    .filter((pair) => !(pair.slice(0, pair.indexOf('=')) in a))
    .join(' ')
  const children = render(root.children, { xmlMode: true, decodeEntities: true })
  return { id, viewBox: box.join(' '), body: `<g ${initial}${own}>${children}</g>` }
}

const PLACEMENT = new Set(['x', 'y', 'width', 'height'])

/**
 * The `<use>` drawing the symbol in the image's box, cut to that box as an image is (a browser
 * never paints an image outside it; resvg drew a nested image's overflow). What else satori set
 * on the image (transform, clip path, mask, opacity) goes on a group around it, in whose
 * coordinates the box and its clip are given, as they were the image's.
 */
function useTags(node: SvgNode, symbolId: string, clipId: string): { use: string; clip: string } {
  const a = node.attrs
  const box = ['x', 'y', 'width', 'height'].map((name) => ` ${name}="${escapeAttr(a[name] ?? '0')}"`).join('')
  const around = Object.entries(a)
    .filter(([name]) => !/^(xlink:)?href$/.test(name) && !PLACEMENT.has(name) && name !== 'preserveAspectRatio' && name !== 'image-rendering')
    .map(([name, value]) => ` ${name}="${escapeAttr(value)}"`)
    .join('')
  const use = `<use href="#${symbolId}"${box} clip-path="url(#${clipId})"/>`
  return { use: around ? `<g${around}>${use}</g>` : use, clip: `<clipPath id="${clipId}"><rect${box}/></clipPath>` }
}

export interface InlinedSvgImages {
  svg: string
  /** How many `<image>` elements became `<use>`. */
  inlined: number
}

export function inlineSvgImages(svg: string): InlinedSvgImages {
  if (!svg.includes('data:image/svg+xml')) return { svg, inlined: 0 }
  const doc = readSatoriSvg(svg)
  const root = doc.root
  if (!root) return { svg, inlined: 0 }
  // One symbol per image and aspect rule: the same emoji drawn twenty times is one symbol.
  const symbols = new Map<string, Symbol | null>()
  const defs: string[] = []
  const edits: Array<{ start: number; end: number; text: string }> = []
  const stack = [...root.children]
  while (stack.length) {
    const node = stack.pop()!
    stack.push(...node.children)
    if (node.name !== 'image' || node.children.length || svg[node.openEnd - 2] !== '/') continue
    const href = node.attrs.href ?? node.attrs['xlink:href'] ?? ''
    if (!/^data:image\/svg\+xml[;,]/i.test(href)) continue
    if (node.attrs.width === undefined || node.attrs.height === undefined) continue
    const aspect = node.attrs.preserveAspectRatio ?? 'xMidYMid meet'
    const key = `${aspect}\n${href}`
    let symbol = symbols.get(key)
    if (symbol === undefined) {
      const data = splitDataUri(href)
      const bytes = data && decodeDataUri(data)
      symbol = bytes && bytes.length <= MAX_INLINED_BYTES ? symbolFor(bytes.toString('utf8'), `vellum-svg-image-${symbols.size}`) : null
      symbols.set(key, symbol)
      if (symbol) defs.push(`<symbol id="${symbol.id}" viewBox="${symbol.viewBox}" preserveAspectRatio="${escapeAttr(aspect)}" overflow="visible">${symbol.body}</symbol>`)
    }
    if (!symbol) continue
    const { use, clip } = useTags(node, symbol.id, `vellum-svg-image-clip-${edits.length}`)
    defs.push(clip)
    edits.push({ start: node.start, end: node.openEnd, text: use })
  }
  if (!edits.length) return { svg, inlined: 0 }
  edits.sort((x, y) => x.start - y.start)
  const parts = [svg.slice(0, root.openEnd), `<defs>${defs.join('')}</defs>`]
  let at = root.openEnd
  for (const e of edits) {
    parts.push(svg.slice(at, e.start), e.text)
    at = e.end
  }
  parts.push(svg.slice(at))
  return { svg: parts.join(''), inlined: edits.length }
}
