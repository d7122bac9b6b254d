/**
 * Text inside inline SVG (chart labels, badges). satori 0.63 refuses `<text>` outright ("not
 * currently supported", the whole request failed with a 422), and resvg runs without system
 * fonts here. So the document stage reads what each `<text>` says and how it is styled — the
 * font and anchor properties resolved as a browser does (inline style, then the page's rules,
 * then SVG presentation attributes, inherited up through the SVG and the HTML around it) — and
 * leaves a `<text>` node carrying those runs; the svg-text stage (stages/svg-text.ts) turns it
 * into glyph outlines once the render's fonts are known.
 */
import type { Element, ChildNode } from 'domhandler'
import { declaredValue, winningDeclaration } from './selector-match.js'
import type { StyleRule } from './css-rewrite.js'
import { rewriteFontFamily } from '../../fonts/font-aliases.js'

/** The marker prop: the runs of a `<text>` still to be drawn as outlines. */
export const SVG_TEXT_RUNS = 'data-vellum-svg-text'

export interface SvgTextFont {
  /** CSS font-family list, bundled stand-ins applied. */
  family: string
  size: number
  weight: number
  italic: boolean
}

export interface SvgTextRun {
  text: string
  font: SvgTextFont
  /** Absolute position that starts a new chunk (`x`/`y` on the text or a tspan). */
  x?: number
  y?: number
  dx?: number
  dy?: number
  anchor: 'start' | 'middle' | 'end'
  baseline: string
  fill?: string
}

const PROPERTIES = ['font-family', 'font-size', 'font-weight', 'font-style', 'text-anchor', 'dominant-baseline', 'fill', 'font']
const WEIGHTS: Record<string, number> = { normal: 400, bold: 700, lighter: 300, bolder: 700 }
const SIZES: Record<string, number> = { 'xx-small': 9, 'x-small': 10, small: 13, medium: 16, large: 18, 'x-large': 24, 'xx-large': 32 }

const num = (v: string | undefined): number | undefined => {
  if (v === undefined) return undefined
  const n = Number.parseFloat(v)
  return Number.isFinite(n) ? n : undefined
}

export class SvgTextReader {
  readonly #rules: StyleRule[]

  constructor(
    rules: StyleRule[],
    private readonly inlineStyle: (el: Element) => Record<string, unknown> | undefined,
    private readonly loadedFamilies: ReadonlySet<string>,
  ) {
    this.#rules = rules.filter((r) => r.declarations.some((d) => PROPERTIES.includes(d.property)))
  }

  /** One property on one element: inline style, then rules, then the SVG attribute of that name. */
  #own(el: Element, property: string): string | undefined {
    const v = winningDeclaration(el, this.#rules, this.inlineStyle(el), [property])?.value ?? el.attribs[property]
    const clean = v === undefined ? undefined : declaredValue(v)
    return clean === undefined || clean === '' || clean === 'inherit' ? undefined : clean
  }

  /** The inherited value: the nearest element (this one first) that sets it. */
  #inherited(el: Element, property: string): string | undefined {
    for (let at: Element | null = el; at; at = at.parent?.type === 'tag' ? (at.parent as Element) : null) {
      const v = this.#own(at, property)
      if (v !== undefined) return v
    }
    return undefined
  }

  #font(el: Element, parentSize: number | undefined): SvgTextFont {
    const sizeText = this.#inherited(el, 'font-size')
    let size = parentSize ?? 16
    if (sizeText) {
      const n = num(sizeText)
      if (SIZES[sizeText] !== undefined) size = SIZES[sizeText]!
      else if (n !== undefined && /em$/.test(sizeText)) size = n * (parentSize ?? 16)
      else if (n !== undefined && /%$/.test(sizeText)) size = (n / 100) * (parentSize ?? 16)
      else if (n !== undefined && /pt$/.test(sizeText)) size = (n * 4) / 3
      else if (n !== undefined) size = n
    }
    const weightText = this.#inherited(el, 'font-weight') ?? 'normal'
    const weight = WEIGHTS[weightText] ?? num(weightText) ?? 400
    const italic = /italic|oblique/.test(this.#inherited(el, 'font-style') ?? '')
    const family = rewriteFontFamily(this.#inherited(el, 'font-family') ?? 'serif', this.loadedFamilies)
    return { family, size, weight, italic }
  }

  /** The runs of a `<text>` element and its `<tspan>`s, in order, whitespace collapsed as SVG does. */
  runs(text: Element): SvgTextRun[] {
    const runs: SvgTextRun[] = []
    type Position = Pick<SvgTextRun, 'x' | 'y' | 'dx' | 'dy'>
    // `pending`: a position set on an ancestor that no character has used yet.
    const visit = (el: Element, parentSize: number | undefined, pending: Position | undefined): void => {
      const font = this.#font(el, parentSize)
      const anchorText = this.#inherited(el, 'text-anchor')
      const anchor: SvgTextRun['anchor'] = anchorText === 'middle' || anchorText === 'end' ? anchorText : 'start'
      const baseline = this.#inherited(el, 'dominant-baseline') ?? 'auto'
      const fill = this.#own(el, 'fill')
      const own: Position = { x: num(el.attribs.x?.trim().split(/[\s,]+/)[0]), y: num(el.attribs.y?.trim().split(/[\s,]+/)[0]), dx: num(el.attribs.dx), dy: num(el.attribs.dy) }
      let pos: Position | undefined = Object.values(own).some((v) => v !== undefined)
        ? { x: own.x ?? pending?.x, y: own.y ?? pending?.y, dx: own.dx ?? pending?.dx, dy: own.dy ?? pending?.dy }
        : pending
      for (const child of el.children as ChildNode[]) {
        if (child.type === 'text') {
          const t = child.data.replace(/\s+/g, ' ')
          if (t === '') continue
          runs.push({ text: t, font, anchor, baseline, ...(fill ? { fill } : {}), ...pos })
          pos = undefined
        } else if (child.type === 'tag' && (child.name === 'tspan' || child.name === 'a')) {
          visit(child, font.size, pos)
          pos = undefined
        }
      }
    }
    visit(text, undefined, undefined)
    // Leading and trailing spaces of the whole text are not drawn.
    if (runs.length) {
      runs[0]!.text = runs[0]!.text.replace(/^ /, '')
      runs[runs.length - 1]!.text = runs[runs.length - 1]!.text.replace(/ $/, '')
    }
    return runs.filter((r) => r.text !== '')
  }
}

/** Whether `el` sits inside an `<svg>` (where `<text>` is SVG text, not an HTML element). */
export function insideSvg(el: Element): boolean {
  for (let at = el.parent; at && at.type === 'tag'; at = at.parent) if ((at as Element).name === 'svg') return true
  return false
}
