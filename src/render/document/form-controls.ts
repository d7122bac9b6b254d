/**
 * Form controls drawn as headless Chromium draws them (its non-native, light "refresh" look):
 * satori lays out `<input>`, `<progress>` and `<meter>` as empty boxes, so a task list's
 * checkboxes, a radio group or a progress bar came out blank. The document layer draws them:
 *
 * - checkbox and radio: a background image on the input itself (satori replaces an input's
 *   children with its value text, so the drawing cannot be a child), inline so that the page's
 *   `background` cannot hide it, as Chromium paints a themed checkbox whatever the page says;
 * - range: the track and the thumb as two background layers, the thumb placed by
 *   `background-position: v%`, which is exactly Chromium's thumb centre `r + v × (width − 2r)`;
 * - progress and meter: their fallback content (never shown by a browser) replaced by an
 *   absolutely placed track and value bar, so the bar follows any width or height the page gives.
 *
 * Geometry and colours were measured on Chromium's references (test/fidelity/cases/101, 102):
 * 13×13 boxes with a 2px radius and a 1px #767676 edge, #0075ff (the default accent colour)
 * when checked, a 16px thumb on an 8px track, bars 0.48 of the box high.
 *
 * `accent-color` colours the checked state and the bars; `appearance: none` leaves only the
 * page's own box. A themed checkbox or radio sits with its border-box bottom on the baseline
 * (Blink's baseline for a themed control that holds no text), where an empty inline-block in
 * satori sits on its bottom margin edge: the margin below is made up with `vertical-align`, in a
 * zero-specificity rule per element (like presentational-hints.ts) that any page rule overrides.
 */
import type { Element } from 'domhandler'
import { winningDeclaration, declaredValue } from './selector-match.js'
import type { StyleRule } from './css-rewrite.js'
import type { SatoriChild } from './html-to-tree.js'

export const CONTROL_ATTRIBUTE = 'data-vellum-control'

/** Chromium's default accent colour (light scheme). */
const ACCENT = '#0075ff'
const EDGE = '#767676'
const TRACK = '#efefef'
/** Chromium's track outline: #767676 at about 40 % (measured over the track and the value). */
const TRACK_EDGE = 'rgba(118,118,118,0.4)'
/** Disabled controls: the edge and fill fade to about a third (measured: #d1d1d1 on white). */
const DISABLED_EDGE = 'rgba(118,118,118,0.34)'
const DISABLED_FILL = 'rgba(239,239,239,0.45)'
/** Meter colours by region (Chromium's refresh theme): optimum, suboptimum, even less good. */
const METER = { optimum: '#107c10', suboptimum: '#ffb900', worse: '#d83b01' }
/** Chromium's default margin-bottom of a checkbox (3px 3px 3px 4px) and of a radio (3px 3px 0 5px). */
const DEFAULT_MARGIN_BOTTOM: Record<string, number> = { checkbox: 3, radio: 0 }
const RANGE = { thumb: 16, track: 8, width: 129 }

const MARGIN_PROPERTIES = ['margin', 'margin-bottom', 'margin-block', 'margin-block-end']

function svgUrl(width: number, height: number, body: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none">${body}</svg>`
  return `url("data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}")`
}

function number(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number.parseFloat(value)
  return Number.isFinite(n) ? n : fallback
}

/** The checkbox drawing (Chromium's NativeThemeBase::PaintCheckbox, refresh look). */
export function checkboxImage(checked: boolean, disabled: boolean, accent: string): string {
  if (!checked) {
    return svgUrl(13, 13, `<rect x="0.5" y="0.5" width="12" height="12" rx="1.5" fill="${disabled ? DISABLED_FILL : 'white'}" stroke="${disabled ? DISABLED_EDGE : EDGE}"/>`)
  }
  const fill = disabled ? DISABLED_EDGE : accent
  const mark = disabled ? 'rgba(255,255,255,0.6)' : 'white'
  // The check: from (0.2, 0.5) down by (0.2, 0.2) then up to (0.8, 0.2) of the box, 0.16 of it wide.
  return svgUrl(13, 13, `<rect width="13" height="13" rx="2" fill="${fill}"/><path d="M2.6 6.5l2.6 2.6L10.4 2.6" fill="none" stroke="${mark}" stroke-width="2.08"/>`)
}

/** The radio drawing: a ring, and when checked an accent ring around a white gap and a dot. */
export function radioImage(checked: boolean, disabled: boolean, accent: string): string {
  if (!checked) {
    return svgUrl(13, 13, `<circle cx="6.5" cy="6.5" r="6" fill="${disabled ? DISABLED_FILL : 'white'}" stroke="${disabled ? DISABLED_EDGE : EDGE}"/>`)
  }
  const colour = disabled ? DISABLED_EDGE : accent
  return svgUrl(13, 13, `<circle cx="6.5" cy="6.5" r="6" fill="white" stroke="${colour}"/><circle cx="6.5" cy="6.5" r="3.9" fill="${colour}"/>`)
}

/** `value` of a range between `min` and `max`, as Chromium clamps and defaults it (the midpoint). */
function rangeFraction(el: Element): number {
  const min = number(el.attribs.min, 0)
  const max = Math.max(min, number(el.attribs.max, 100))
  if (max === min) return 0
  const value = Math.min(max, Math.max(min, number(el.attribs.value, min + (max - min) / 2)))
  return (value - min) / (max - min)
}

/** The meter's value fraction and colour (HTML's optimum-region rules). */
function meterState(el: Element): { fraction: number; colour: keyof typeof METER } {
  const min = number(el.attribs.min, 0)
  const max = Math.max(min, number(el.attribs.max, 1))
  const clamp = (v: number) => Math.min(max, Math.max(min, v))
  const value = clamp(number(el.attribs.value, 0))
  const low = clamp(number(el.attribs.low, min))
  const high = Math.max(low, clamp(number(el.attribs.high, max)))
  const optimum = clamp(number(el.attribs.optimum, (min + max) / 2))
  const region = (v: number) => (v < low ? -1 : v > high ? 1 : 0)
  // Same region as the optimum: optimum; a region away: suboptimum; across the middle: worse.
  const distance = Math.abs(region(value) - region(optimum))
  const colour = distance === 0 ? 'optimum' : distance === 1 ? 'suboptimum' : 'worse'
  return { fraction: max === min ? 0 : (value - min) / (max - min), colour }
}

/** The progress bar's fraction, or undefined when indeterminate (no `value`). */
function progressFraction(el: Element): number | undefined {
  if (el.attribs.value === undefined) return undefined
  const max = number(el.attribs.max, 1) > 0 ? number(el.attribs.max, 1) : 1
  return Math.min(1, Math.max(0, number(el.attribs.value, 0) / max))
}

/** A track with a value bar over it: the children that stand for a progress or meter's drawing. */
function barChildren(fraction: number, colour: string): SatoriChild[] {
  const track: Record<string, unknown> = {
    position: 'absolute', left: 0, right: 0, top: '26%', bottom: '26%', borderRadius: 9999, overflow: 'hidden',
    backgroundColor: TRACK, display: 'flex',
  }
  const value = { width: `${(fraction * 100).toFixed(3)}%`, height: '100%', backgroundColor: colour }
  const edge = { position: 'absolute', left: 0, right: 0, top: '26%', bottom: '26%', borderRadius: 9999, border: `1px solid ${TRACK_EDGE}` }
  return [
    { type: 'span', props: { style: track, children: [{ type: 'span', props: { style: value } }] } },
    { type: 'span', props: { style: edge } },
  ]
}

/** Px of a margin length (px, em of the control's font, 0); undefined for what is not read here. */
function lengthPx(value: string, fontPx: number | undefined): number | undefined {
  const m = /^(-?\d*\.?\d+)(px|em)?$/i.exec(value.trim())
  if (!m) return undefined
  const n = Number(m[1])
  if (!m[2]) return n === 0 ? 0 : undefined
  return m[2].toLowerCase() === 'px' ? n : fontPx === undefined ? undefined : n * fontPx
}

/** The bottom margin a `margin` shorthand or longhand gives. */
function marginBottom(property: string, value: string, fontPx: number | undefined): number | undefined {
  const parts = declaredValue(value).split(/\s+/)
  if (property === 'margin') return lengthPx(parts[parts.length >= 3 ? 2 : 0]!, fontPx)
  if (property === 'margin-block') return lengthPx(parts[parts.length >= 2 ? 1 : 0]!, fontPx)
  return lengthPx(parts[0]!, fontPx)
}

/** Input types drawn as a text field (satori writes their value or placeholder). */
const TEXT_TYPES = new Set(['', 'text', 'email', 'search', 'url', 'tel', 'password', 'number'])
/**
 * Metrics of the bundled sans-serif (Roboto), the face a field's default font (Arial in Chromium,
 * a stand-in name here) draws with: OS/2 xAvgCharWidth and the head table's xMax − xMin, per em.
 */
const FIELD_FONT = { avgCharWidth: 1073 / 2048, xRange: 2893 / 2048 }

/**
 * The bundled monospace (Roboto Mono), a textarea's default face: its average character width
 * and hhea ascent and descent, per em.
 */
const AREA_FONT = { avgCharWidth: 1229 / 2048, ascent: 2146 / 2048, descent: 555 / 2048 }

function positive(v: string | undefined, d: number): number {
  const n = Number.parseInt(v ?? '', 10)
  return n > 0 ? Math.min(n, 1000) : d
}

/**
 * A textarea's `cols` and `rows` (20 and 2 by default): Chromium sizes its content box as cols
 * average characters plus the scroll bar's 15px, and rows lines of the font's rounded line
 * spacing (round(ascent) + round(descent)). With the default face the sizes are computed here
 * (satori's `ch` and `lh` are read from another face); with the page's own, `ch` and `lh` stand in.
 */
function textareaSize(el: Element, px: number | undefined): string {
  const cols = positive(el.attribs.cols, 20)
  const rows = positive(el.attribs.rows, 2)
  if (px === undefined) return `width: calc(${cols}ch + 15px); height: calc(${rows} * 1lh)`
  const line = Math.round(AREA_FONT.ascent * px) + Math.round(AREA_FONT.descent * px)
  return `width: ${Math.round((cols * AREA_FONT.avgCharWidth * px + 15) * 100) / 100}px; height: ${rows * line}px`
}

export class FormControls {
  readonly #rules: StyleRule[]
  readonly #fontRules: StyleRule[]
  readonly #accents = new WeakMap<Element, string>()
  readonly #ids = new Map<string, number>()

  constructor(
    rules: StyleRule[],
    private readonly inlineStyle: (el: Element) => Record<string, unknown> | undefined,
    /** The control's computed font size in px (font-size.ts), for margins in em. */
    private readonly fontPx: (el: Element) => number | undefined,
  ) {
    const read = ['accent-color', 'appearance', '-webkit-appearance', ...MARGIN_PROPERTIES]
    this.#rules = rules.filter((r) => r.declarations.some((d) => read.includes(d.property)))
    this.#fontRules = rules.filter((r) => r.declarations.some((d) => ['font', 'font-family', 'line-height'].includes(d.property)))
  }

  /**
   * Draws `el` when it is a control satori leaves blank: `props` (the element's converted
   * attributes) get the drawing; the returned children replace the element's own (progress and
   * meter fallback content), undefined keeps them.
   */
  apply(el: Element, props: Record<string, unknown>): SatoriChild[] | undefined {
    const type = el.name === 'input' ? (el.attribs.type ?? '').trim().toLowerCase() : el.name
    if (type === 'textarea') {
      const own = winningDeclaration(el, this.#fontRules, this.inlineStyle(el), ['font', 'font-family', 'line-height'])
      this.#mark(props, textareaSize(el, own ? undefined : this.fontPx(el)))
      return undefined
    }
    if (TEXT_TYPES.has(type)) {
      const width = this.#textInputWidth(el)
      if (width !== undefined) this.#mark(props, `width: ${width}px`)
      return undefined
    }
    if (!['checkbox', 'radio', 'range', 'progress', 'meter'].includes(type)) return undefined
    if (this.#appearanceNone(el)) return type === 'progress' || type === 'meter' ? [] : undefined
    const accent = this.#accent(el)
    const disabled = el.attribs.disabled !== undefined
    const style = (props.style as Record<string, unknown> | undefined) ?? {}
    switch (type) {
      case 'checkbox':
      case 'radio': {
        const checked = el.attribs.checked !== undefined
        const image = type === 'checkbox' ? checkboxImage(checked, disabled, accent) : radioImage(checked, disabled, accent)
        props.style = { ...style, backgroundImage: image, backgroundSize: '100% 100%', backgroundRepeat: 'no-repeat' }
        const below = this.#marginBottom(el, DEFAULT_MARGIN_BOTTOM[type]!)
        if (below) this.#mark(props, `vertical-align: ${-below}px`)
        return undefined
      }
      case 'range': {
        const fraction = rangeFraction(el)
        const { thumb, track, width } = RANGE
        // The value part of the track ends under the thumb's centre, placed for the default width.
        const split = ((thumb / 2 + fraction * (width - thumb)) / width) * 100
        const trackSvg = svgUrl(100, track, `<rect x="0" y="0" width="100" height="${track}" rx="4" fill="${TRACK}"/><rect x="0" y="0" width="${split.toFixed(2)}" height="${track}" rx="4" fill="${accent}"/><rect x="0.5" y="0.5" width="99" height="${track - 1}" rx="3.5" fill="none" stroke="${TRACK_EDGE}"/>`)
        const thumbSvg = svgUrl(thumb, thumb, `<circle cx="${thumb / 2}" cy="${thumb / 2}" r="${thumb / 2}" fill="${accent}"/>`)
        props.style = {
          ...style,
          backgroundImage: `${thumbSvg}, ${trackSvg}`,
          backgroundSize: `${thumb}px ${thumb}px, 100% ${track}px`,
          backgroundPosition: `${(fraction * 100).toFixed(3)}% 50%, 0 50%`,
          backgroundRepeat: 'no-repeat',
        }
        return undefined
      }
      case 'progress': {
        const fraction = progressFraction(el)
        // An indeterminate bar is animated in a browser; its first frame is an empty track.
        return barChildren(fraction ?? 0, accent)
      }
      default: {
        const { fraction, colour } = meterState(el)
        return barChildren(fraction, METER[colour])
      }
    }
  }

  /** Zero-specificity rules for the marked controls, placed before the page's sheets. */
  get css(): string {
    return [...this.#ids].map(([block, id]) => `:where([${CONTROL_ATTRIBUTE}="${id}"]) { ${block} }`).join('\n')
  }

  #mark(props: Record<string, unknown>, block: string): void {
    let id = this.#ids.get(block)
    if (id === undefined) {
      id = this.#ids.size + 1
      this.#ids.set(block, id)
    }
    props[CONTROL_ATTRIBUTE] = String(id)
  }

  /**
   * A text field's content width as Chromium computes it for the field's default font:
   * ceil(size × average character width) + round(max character width) − average character width
   * (LayoutTextControlSingleLine), size 20 by default. satori's own estimate leaves out the
   * second term, 12px at 13.33px. Undefined when the page sets the field's font family.
   */
  #textInputWidth(el: Element): number | undefined {
    if (winningDeclaration(el, this.#fontRules, this.inlineStyle(el), ['font', 'font-family'])) return undefined
    const px = this.fontPx(el)
    if (px === undefined) return undefined
    const size = Number.parseInt(el.attribs.size ?? '', 10)
    const avg = FIELD_FONT.avgCharWidth * px
    const width = Math.ceil(avg * (size > 0 ? Math.min(size, 1000) : 20)) + Math.round(FIELD_FONT.xRange * px) - avg
    return Math.round(width * 100) / 100
  }

  #appearanceNone(el: Element): boolean {
    const winner = winningDeclaration(el, this.#rules, this.inlineStyle(el), ['appearance', '-webkit-appearance'])
    return winner !== undefined && declaredValue(winner.value).toLowerCase() === 'none'
  }

  /** `accent-color`, inherited; `auto` is Chromium's blue. */
  #accent(el: Element): string {
    const known = this.#accents.get(el)
    if (known !== undefined) return known
    const parent = el.parent?.type === 'tag' ? this.#accent(el.parent as Element) : ACCENT
    const winner = winningDeclaration(el, this.#rules, this.inlineStyle(el), ['accent-color'])
    const value = winner && declaredValue(winner.value)
    const lower = value?.toLowerCase()
    // Written into the drawing's SVG: only what reads as a plain colour (a name, #hex, rgb()/hsl()).
    const plain = value !== undefined && /^(#[0-9a-f]{3,8}|[a-z]+|(rgb|rgba|hsl|hsla)\([\d\s.,%/-]+\))$/i.test(value)
    const accent = !value || lower === 'inherit' || lower === 'unset' ? parent : plain && lower !== 'auto' && lower !== 'initial' ? value : ACCENT
    this.#accents.set(el, accent)
    return accent
  }

  /** The control's bottom margin in px: the page's when it sets one that is read here, else Chromium's. */
  #marginBottom(el: Element, fallback: number): number | undefined {
    const winner = winningDeclaration(el, this.#rules, this.inlineStyle(el), MARGIN_PROPERTIES)
    if (!winner) return fallback
    return marginBottom(winner.property, winner.value, this.fontPx(el))
  }
}
