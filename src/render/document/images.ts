/**
 * Makes sure satori only ever sees image data we have checked. satori would fetch `http(s)`
 * sources itself (no timeout, no byte cap, a guard that fails the whole render), and resvg
 * decodes an embedded image at its declared size however small the box: a 389 KB PNG that
 * declares 20000×20000 pixels cost 2 GB. So every source is resolved here: data URIs are
 * probed from their header bytes, remote URLs are replaced by the bytes the API process
 * fetched through its guarded fetcher, and anything else is treated as a broken image (an
 * empty box, as a browser shows it). Inside inline SVG, where satori would fetch an `<image>`'s
 * href itself, hrefs are dropped (nothing would draw them).
 */
import { imageSize } from 'image-size'
import { AppError } from '../../errors/catalogue.js'
import { decodeDataUri, isCanonicalBase64, splitDataUri } from '../../net/data-uri.js'
import { replaceCssUrls } from '../../css/css-urls.js'
import type { SatoriChild, SatoriElement } from './html-to-tree.js'

/** What satori and resvg draw from the bytes as written; other formats arrive converted to PNG. */
const DRAWN = new Set(['png', 'jpg', 'gif'])

export interface ImageLimits {
  imagePixels: number
  imagesPerRender: number
}

export class ImageResolver {
  /** Images inside inline SVG that were dropped: reported with the render's other warnings. */
  readonly warnings: string[] = []
  #count = 0
  readonly #probed = new Map<string, string | null>()

  constructor(
    private readonly fetched: Record<string, string>,
    private readonly limits: ImageLimits,
  ) {}

  /** A checked data URI for `src`, or null when the image is broken or unavailable. */
  resolve(src: string): string | null {
    const cached = this.#probed.get(src)
    if (cached !== undefined) return cached
    let uri: string | null = null
    const trimmed = src.trim()
    // A data: image resvg cannot decode (WebP…) arrives converted, keyed by its original URI.
    const converted = this.fetched[trimmed]
    if (/^data:/i.test(trimmed)) uri = converted ?? trimmed
    else if (/^https?:\/\//i.test(trimmed)) uri = converted ?? null
    if (uri) uri = this.#check(uri, converted === undefined)
    this.#probed.set(src, uri)
    return uri
  }

  /** `raw`: a data URI as the page wrote it, not one the API process fetched or converted. */
  #check(uri: string, raw: boolean): string | null {
    if (++this.#count > this.limits.imagesPerRender) {
      throw new AppError(
        'IMAGE_TOO_LARGE',
        `The page uses more than ${this.limits.imagesPerRender} images (MAX_IMAGES_PER_RENDER)`,
      )
    }
    const data = splitDataUri(uri)
    if (!data) return null
    let head: Buffer
    if (data.base64 && isCanonicalBase64(data.body)) {
      // Headers live in the first bytes; 64 KiB covers JPEGs with large EXIF blocks.
      head = Buffer.from(data.body.slice(0, 87384), 'base64')
    } else {
      // Percent-encoded or loosely written: decoded here as a browser would (a malformed one is
      // a broken image) and handed on as plain base64, because satori decodes such URIs with
      // decodeURIComponent and atob, which throw and would fail the whole render.
      const bytes = decodeDataUri(data)
      if (!bytes) return null
      head = bytes
      uri = `data:${data.mime};base64,${bytes.toString('base64')}`
    }
    if (data.mime.includes('svg')) return svgHasSize(head) ? uri : null // vector: drawn at box size, no decode bomb
    let size: { width?: number; height?: number; type?: string }
    try {
      size = imageSize(head)
    } catch {
      return null // not an image format we know: broken image
    }
    // Any other format left as written is one the API could not decode (garbage after a WebP
    // header): a broken image, where satori failed the whole render ("Invalid WebP") or its
    // header's made-up size refused it.
    if (raw && !DRAWN.has(size.type ?? '')) return null
    const pixels = (size.width ?? 0) * (size.height ?? 0)
    if (pixels > this.limits.imagePixels) {
      throw new AppError(
        'IMAGE_TOO_LARGE',
        `An embedded image is ${size.width}×${size.height} (${(pixels / 1e6).toFixed(1)} MP); the limit is ${(this.limits.imagePixels / 1e6).toFixed(1)} MP per image (MAX_IMAGE_PIXELS)`,
      )
    }
    return uri
  }

  /** Rewrites every url() in a CSS text; unresolvable images (and bad urls) become `none`. */
  rewriteCss(css: string): string {
    return replaceCssUrls(css, (url) => {
      const uri = url.value === undefined ? null : this.resolve(url.value)
      return uri ? `url("${uri}")` : 'none'
    })
  }

  /** Walks the tree: img sources, `<style>` sheets and inline styles. */
  rewriteTree(node: SatoriChild): SatoriChild {
    if (typeof node === 'string') return node
    const el: SatoriElement = node
    if (el.type === 'style' && typeof el.props.children === 'string') {
      el.props.children = this.rewriteCss(el.props.children)
      return el
    }
    const style = el.props.style as Record<string, unknown> | undefined
    if (style) {
      for (const [k, v] of Object.entries(style)) if (typeof v === 'string') style[k] = this.rewriteCss(v)
    }
    if (el.type === 'img') {
      const uri = typeof el.props.src === 'string' ? this.resolve(el.props.src) : null
      if (!uri) return brokenImage(el)
      el.props.src = uri
    }
    if (el.type === 'image' || el.type === 'feImage') this.#dropSvgHrefs(el)
    const children = el.props.children
    if (Array.isArray(children)) el.props.children = children.map((c) => this.rewriteTree(c))
    return el
  }

  /**
   * `<image>` and `<feImage>` (inline SVG or MathML; the tree names xlink:href plain `href`).
   * satori fetches an image's href itself, past every guard of the API process, and then draws
   * the inline SVG as a nested SVG image, inside which resvg draws no image at all (usvg loads
   * none in a sub-SVG, data: URIs included). So there is nothing to fetch an href for: each one
   * is dropped and reported before satori sees it, and the element draws nothing. An feImage
   * pointing at an element of the same SVG (`#id`) is kept.
   */
  #dropSvgHrefs(el: SatoriElement): void {
    for (const key of Object.keys(el.props)) {
      if (!/href$/i.test(key)) continue
      const href = String(el.props[key])
      if (el.type === 'feImage' && href.trim().startsWith('#')) continue
      delete el.props[key]
      this.warnings.push(`svg ${el.type} ${href.slice(0, 100)} not drawn: images inside inline SVG are not drawn`)
    }
  }
}

/**
 * satori fails the whole render on an SVG whose root tag has neither a viewBox nor numeric
 * width and height (it reads them with these same patterns); such an image, or text that is no
 * SVG at all, is a broken image here instead.
 */
function svgHasSize(head: Buffer): boolean {
  const text = head.toString('utf8')
  const start = text.search(/<svg/i)
  const end = start < 0 ? -1 : text.indexOf('>', start)
  if (end < 0) return false
  const root = text.slice(start, end + 1)
  const length = (attr: string) => new RegExp(`\\s${attr}=['"](?:\\d+(?:\\.\\d+)?|\\.\\d+)(?:px)?['"]`).test(root)
  return /viewBox=['"][^'"]+['"]/.test(root) || (length('width') && length('height'))
}

/** What a browser shows for an image that failed: an empty box of the declared size. */
function brokenImage(img: SatoriElement): SatoriElement {
  const style: Record<string, unknown> = { display: 'inline-block', ...(img.props.style as object | undefined) }
  const dim = (v: unknown) => (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined)
  const width = dim(img.props.width)
  const height = dim(img.props.height)
  if (width !== undefined && style.width === undefined) style.width = width
  if (height !== undefined && style.height === undefined) style.height = height
  const props: Record<string, unknown> = { style }
  if (img.props.className) props.className = img.props.className
  if (img.props.id) props.id = img.props.id
  return { type: 'span', key: img.key, props }
}
