/**
 * SVG text → a light element tree for the raster-cost stage, keeping where each opening tag
 * sits in the text so the stage can rewrite single tags without re-serialising the document.
 *
 * Two readers. satori's own output is read by a linear scanner: satori escapes every attribute
 * value and validates every name (its `N()` writer), writes no comments, CDATA or text, so a
 * tag scanner reads exactly what an XML parser reads, and it is 20× cheaper than htmlparser2
 * (measured on the dense bench card: 0.35 vs 6.7 ms a render). Documents written by users
 * (`<svg>` in the HTML, `data:image/svg+xml` images, which satori passes through as nested
 * images) are parsed by htmlparser2 in XML mode, with their `<style>` rules and `style`
 * attributes folded into attributes (css-select on the same DOM), so a filter set from CSS is
 * seen too.
 */
import { parseDocument } from 'htmlparser2'
import type { AnyNode, Element, ChildNode } from 'domhandler'
import { selectAll } from 'css-select'
import * as csstree from '../../css/css-tree.js'
import { decodeXML } from 'entities'
import { STRUCTURAL_PSEUDOS } from '../document/selector-match.js'

export interface SvgNode {
  name: string
  attrs: Record<string, string>
  children: SvgNode[]
  /** Index of the opening tag's `<` and just past its `>` in the document text. */
  start: number
  openEnd: number
}

export interface SvgDocument {
  text: string
  root: SvgNode | null
  ids: Map<string, SvgNode>
}

function finish(text: string, root: SvgNode | null): SvgDocument {
  const ids = new Map<string, SvgNode>()
  const stack = root ? [root] : []
  while (stack.length) {
    const n = stack.pop()!
    const id = n.attrs.id
    if (id !== undefined && !ids.has(id)) ids.set(id, n)
    for (const c of n.children) stack.push(c)
  }
  return { text, root, ids }
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13

/** satori's output: well-formed, double-quoted, escaped. Anything unexpected ends the scan. */
export function readSatoriSvg(text: string): SvgDocument {
  const stack: SvgNode[] = []
  let root: SvgNode | null = null
  const n = text.length
  let i = text.indexOf('<')
  while (i !== -1 && i < n) {
    const next = text.charCodeAt(i + 1)
    if (next === 47 /* / */) {
      stack.pop()
      i = text.indexOf('<', i + 1)
      continue
    }
    if (next === 33 /* ! */ || next === 63 /* ? */) {
      const end = text.startsWith('<!--', i) ? text.indexOf('-->', i) : text.indexOf('>', i)
      i = end === -1 ? -1 : text.indexOf('<', end)
      continue
    }
    let j = i + 1
    while (j < n && !isSpace(text.charCodeAt(j)) && text[j] !== '>' && text[j] !== '/') j++
    const node: SvgNode = { name: text.slice(i + 1, j), attrs: {}, children: [], start: i, openEnd: n }
    let selfClosing = false
    for (;;) {
      while (j < n && isSpace(text.charCodeAt(j))) j++
      if (j >= n) break
      if (text[j] === '>') {
        node.openEnd = j + 1
        break
      }
      if (text[j] === '/') {
        selfClosing = true
        j++
        continue
      }
      const eq = text.indexOf('=', j)
      if (eq === -1) break
      const name = text.slice(j, eq).trim()
      const quote = text[eq + 1]
      if (quote !== '"' && quote !== "'") break
      const close = text.indexOf(quote, eq + 2)
      if (close === -1) break
      const value = text.slice(eq + 2, close)
      node.attrs[name] = value.includes('&') ? decodeXML(value) : value
      j = close + 1
    }
    const parent = stack[stack.length - 1]
    if (parent) parent.children.push(node)
    else root ??= node
    if (!selfClosing) stack.push(node)
    i = text.indexOf('<', node.openEnd)
  }
  return finish(text, root)
}

/** Properties whose value changes what resvg allocates; only these are folded in from CSS. */
const COST_PROPERTIES = new Set(['filter', 'mask', 'clip-path', 'opacity', 'mix-blend-mode', 'isolation', 'transform', 'fill', 'stroke', 'stroke-width', 'marker-start', 'marker-mid', 'marker-end'])

function declarations(block: string): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const part of block.split(';')) {
    const colon = part.indexOf(':')
    if (colon < 0) continue
    const prop = part.slice(0, colon).trim().toLowerCase()
    if (COST_PROPERTIES.has(prop)) out.push([prop, part.slice(colon + 1).replace(/!important/i, '').trim()])
  }
  return out
}

/** A document a user wrote: parsed leniently, CSS that sets costly properties folded into attributes. */
export function readUserSvg(text: string): SvgDocument {
  const dom = parseDocument(text, { xmlMode: true, withStartIndices: true, withEndIndices: true })
  const styles: string[] = []
  const all: Element[] = []
  const collect = (nodes: ChildNode[]) => {
    for (const c of nodes) {
      if (c.type !== 'tag' && c.type !== 'script' && c.type !== 'style') continue
      const el = c as Element
      all.push(el)
      if (el.name === 'style') styles.push(el.children.map((t) => ('data' in t ? t.data : '')).join(''))
      collect(el.children)
    }
  }
  collect(dom.children)
  for (const sheet of styles) {
    if (!/filter|mask|clip|opacity|blend|isolation|transform|fill|stroke|marker/i.test(sheet)) continue
    const ast = csstree.parse(sheet, { parseValue: false, parseAtrulePrelude: false, onParseError: () => {} })
    csstree.walk(ast, {
      visit: 'Rule',
      enter(rule) {
        const decls = declarations(csstree.generate(rule.block).slice(1, -1))
        if (!decls.length) return
        let matched: Element[]
        try {
          matched = selectAll<AnyNode, Element>(csstree.generate(rule.prelude), dom, { xmlMode: true, pseudos: STRUCTURAL_PSEUDOS })
        } catch {
          return
        }
        for (const el of matched) for (const [p, v] of decls) el.attribs[p] = v
      },
    })
  }
  for (const el of all) if (el.attribs.style) for (const [p, v] of declarations(el.attribs.style)) el.attribs[p] = v
  // A pattern fill set on a group paints every shape in it (a tile drawn per shape): written
  // down on each child, so the cost stage sees it where the tile is drawn.
  const stack = all.filter((el) => el.parent?.type !== 'tag')
  while (stack.length) {
    const el = stack.pop()!
    for (const c of el.children) {
      if (c.type !== 'tag') continue
      for (const p of ['fill', 'stroke']) if (c.attribs[p] === undefined && el.attribs[p]?.includes('url(')) c.attribs[p] = el.attribs[p]!
      stack.push(c)
    }
  }

  const convert = (el: Element): SvgNode => ({
    name: el.name,
    attrs: el.attribs,
    children: el.children.filter((c): c is Element => c.type === 'tag').map(convert),
    start: el.startIndex ?? 0,
    openEnd: openTagEnd(text, el.startIndex ?? 0),
  })
  const rootEl = all.find((el) => el.name === 'svg')
  return finish(text, rootEl ? convert(rootEl) : null)
}

/** Just past the `>` that closes the opening tag starting at `start`, quotes respected. */
function openTagEnd(text: string, start: number): number {
  let quote = ''
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!
    if (quote) {
      if (ch === quote) quote = ''
    } else if (ch === '"' || ch === "'") quote = ch
    else if (ch === '>') return i + 1
  }
  return text.length
}

const escapeAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** A document and the opening tags rewritten so far: the rest of the text is kept as it was. */
export class EditableSvg {
  readonly #edits = new Map<SvgNode, Record<string, string>>()

  constructor(readonly doc: SvgDocument) {}

  /** The element's attributes, with any rewrite applied. */
  attrs(node: SvgNode): Record<string, string> {
    return this.#edits.get(node) ?? node.attrs
  }

  set(node: SvgNode, changes: Record<string, string>): void {
    this.#edits.set(node, { ...this.attrs(node), ...changes })
  }

  get changed(): boolean {
    return this.#edits.size > 0
  }

  /** The document with every rewritten opening tag in place. */
  text(): string {
    const { text } = this.doc
    const parts: string[] = []
    let at = 0
    for (const [node, attrs] of [...this.#edits].sort((x, y) => x[0].start - y[0].start)) {
      const selfClosing = text[node.openEnd - 2] === '/'
      const body = Object.entries(attrs)
        .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
        .join('')
      parts.push(text.slice(at, node.start), `<${node.name}${body}${selfClosing ? '/>' : '>'}`)
      at = node.openEnd
    }
    parts.push(text.slice(at))
    return parts.join('')
  }
}
