/**
 * The hosted API's fetch-time options besides width/height (§3.4 of the reference): `dpi`
 * (density metadata only) and cropping (`aspect_ratio`, `x_origin`/`y_origin`, `x_1`/`x_2`,
 * `y_1`/`y_2`, `crop_width`/`crop_height` and the legacy `crop_w`/`crop_h`). Values are whole
 * numbers in px (the default unit) or % of the image; crop happens before any resize. They are
 * parsed once here, on the URL's text, and resolved against the image's size when it is known.
 */
import { validationError } from '../errors/catalogue.js'
import type { Size } from './variants.js'

type Origin = 'start' | 'center' | 'end'
interface Length {
  n: number
  percent: boolean
}
interface Axis {
  start?: Length
  end?: Length
  size?: Length
  origin?: Origin
}

export interface CropSpec {
  x: Axis
  y: Axis
  /** width / height */
  ratio?: number
  /** Canonical text, for cache keys. */
  key: string
}

export interface Crop {
  left: number
  top: number
  width: number
  height: number
}

export const FETCH_OPTION_NAMES = [
  'dpi', 'aspect_ratio', 'x_origin', 'y_origin', 'x_1', 'x_2', 'y_1', 'y_2', 'crop_width', 'crop_height', 'crop_w', 'crop_h',
] as const

export type FetchOptionText = Partial<Record<(typeof FETCH_OPTION_NAMES)[number], string>>

const bad = (path: string, message: string) => validationError([{ path, message }])

function length(name: string, text: string | undefined, isSize: boolean): Length | undefined {
  if (text === undefined || text === '') return undefined
  const m = /^(\d{1,6})(px|%)?$/.exec(text.trim())
  if (!m) throw bad(name, `${name} must be a whole number of px or % (like 120, 120px or 33%) (got ${JSON.stringify(text)})`)
  const n = Number(m[1])
  const percent = m[2] === '%'
  if (percent && (n > 100 || (isSize && n < 1))) throw bad(name, `${name} in % must be between ${isSize ? 1 : 0} and 100 (got ${text})`)
  if (isSize && n < 1) throw bad(name, `${name} must be greater than 0 (got ${text})`)
  return { n, percent }
}

function origin(name: string, text: string | undefined): Origin | undefined {
  if (text === undefined || text === '') return undefined
  if (text === 'start' || text === 'center' || text === 'end') return text
  throw bad(name, `${name} must be start, center or end (got ${JSON.stringify(text)})`)
}

function axis(a: 'x' | 'y', q: FetchOptionText): Axis {
  const sizeName = a === 'x' ? 'crop_width' : 'crop_height'
  const start = length(`${a}_1`, q[`${a}_1`], false)
  const end = length(`${a}_2`, q[`${a}_2`], false)
  const size = length(sizeName, q[sizeName] ?? q[a === 'x' ? 'crop_w' : 'crop_h'], true)
  const o = origin(`${a}_origin`, q[`${a}_origin`])
  if (end && !start) throw bad(`${a}_2`, `${a}_2 needs ${a}_1`)
  if (end && size) throw bad(sizeName, `${sizeName} cannot be combined with ${a}_2`)
  if (o && start) throw bad(`${a}_origin`, `${a}_origin cannot be combined with ${a}_1/${a}_2`)
  if (start && end && start.percent === end.percent && end.n <= start.n) throw bad(`${a}_2`, `${a}_2 must be greater than ${a}_1`)
  return { start, end, size, origin: o }
}

/** The dpi and crop a query asks for; undefined fields when it asks for none. */
export function parseFetchOptions(q: FetchOptionText): { dpi?: number; crop?: CropSpec } {
  let dpi: number | undefined
  if (q.dpi !== undefined && q.dpi !== '') {
    dpi = Number(q.dpi)
    if (!Number.isInteger(dpi) || dpi < 30 || dpi > 600) throw bad('dpi', `dpi must be an integer between 30 and 600 (got ${JSON.stringify(q.dpi)})`)
  }
  let ratio: number | undefined
  if (q.aspect_ratio !== undefined && q.aspect_ratio !== '') {
    const m = /^(\d{1,5})_(\d{1,5})$/.exec(q.aspect_ratio)
    if (!m || Number(m[1]) === 0 || Number(m[2]) === 0) throw bad('aspect_ratio', `aspect_ratio must be W_H, like 16_9 or 1_1 (got ${JSON.stringify(q.aspect_ratio)})`)
    ratio = Number(m[1]) / Number(m[2])
  }
  const x = axis('x', q)
  const y = axis('y', q)
  const any = ratio !== undefined || [x, y].some((a) => a.start || a.size || a.origin)
  if (!any) return { dpi }
  const key = JSON.stringify([x, y, ratio ?? null])
  return { dpi, crop: { x, y, ratio, key } }
}

const px = (l: Length, total: number) => (l.percent ? Math.round((total * l.n) / 100) : l.n)

/** Start and size on one axis; `size` when another rule (the aspect ratio) decided it. */
function span(a: Axis, total: number, name: 'x' | 'y', computedSize?: number): { start: number; size: number } {
  const start = a.start ? px(a.start, total) : undefined
  let size = a.end && start !== undefined ? px(a.end, total) - start : a.size ? px(a.size, total) : computedSize
  if (size === undefined) size = total - (start ?? 0)
  const at = start ?? (a.origin === 'center' ? Math.floor((total - size) / 2) : a.origin === 'end' ? total - size : 0)
  if (size < 1 || at < 0 || at + size > total) {
    throw bad(`${name}_1`, `the crop on ${name} (${at}…${at + size} px) falls outside the image (${total} px)`)
  }
  return { start: at, size }
}

/** The crop rectangle in the image's pixels; the aspect ratio sizes whichever axis was left open. */
export function resolveCrop(spec: CropSpec, source: Size): Crop {
  const { x, y, ratio } = spec
  const explicit = (a: Axis) => a.size !== undefined || a.end !== undefined
  let w: number | undefined
  let h: number | undefined
  if (ratio !== undefined) {
    const fixedW = explicit(x) ? span(x, source.width, 'x').size : undefined
    const fixedH = explicit(y) ? span(y, source.height, 'y').size : undefined
    if (fixedW !== undefined && fixedH === undefined) h = Math.max(1, Math.round(fixedW / ratio))
    else if (fixedH !== undefined && fixedW === undefined) w = Math.max(1, Math.round(fixedH * ratio))
    else if (fixedW === undefined && fixedH === undefined) {
      // The largest rectangle of that ratio the (remaining) image holds.
      const availW = source.width - (x.start ? px(x.start, source.width) : 0)
      const availH = source.height - (y.start ? px(y.start, source.height) : 0)
      w = Math.min(availW, Math.round(availH * ratio))
      h = Math.min(availH, Math.round(w / ratio))
    }
  }
  const sx = span(x, source.width, 'x', w)
  const sy = span(y, source.height, 'y', h)
  return { left: sx.start, top: sy.start, width: sx.size, height: sy.size }
}
