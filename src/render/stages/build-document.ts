/**
 * Stage 1: the HTML and CSS of a request → the element tree satori lays out, with the
 * user-agent sheet, guarded styles and checked images. Decides how the page will be sized.
 */
import { htmlToTree, type SatoriElement } from '../document/html-to-tree.js'
import { userAgentCssFor } from '../document/user-agent-css.js'
import { StyleGuard } from '../document/style-guard.js'
import { ImageResolver } from '../document/images.js'
import { AppError } from '../../errors/catalogue.js'
import type { RenderJob } from '../job.js'
import type { BodyInsets } from '../document/body-insets.js'

export const DEFAULT_VIEWPORT = { width: 1920, height: 1080 } as const
export const BODY_KEY = 'vellum-body'
export const TOP_KEY = 'vellum-top'

/**
 * - `crop`: a snippet without viewport: laid out at the default width, cropped to its content.
 * - `viewport`: a fixed canvas (viewport given, or a whole page), cropped to nothing.
 * - `selector`: cropped to the first element matching `selector`.
 */
export type SizingMode = 'crop' | 'viewport' | 'selector'

export interface DocumentStageResult {
  root: SatoriElement
  mode: SizingMode
  layoutWidth: number
  layoutHeight: number | undefined
  bodyHasText: boolean
  /** Inline-SVG `<text>` waits for the svg-text stage. */
  hasSvgText: boolean
  /** The body's left and right padding, when known: the crop measures margins from its content box. */
  bodyInsets: BodyInsets | undefined
  warnings: string[]
}

// In crop mode the body becomes a block formatting context so the first and last children's
// margins stay inside it (the crop includes them); relative layout inside is unchanged.
const CROP_CSS = 'body { display: flow-root; }'

/** `familySlots`: the names the page's own `@font-face` families are registered under (page-faces.ts). */
export function buildDocument(job: RenderJob, familySlots?: ReadonlyMap<string, readonly string[]>): DocumentStageResult {
  const { params, limits } = job
  const hasViewport = params.viewportWidth !== undefined || params.viewportHeight !== undefined
  const built = htmlToTree(params.html, {
    userAgentCss: userAgentCssFor,
    // CSS Syntax §3.3: the input stream's U+0000 becomes U+FFFD before tokenizing (an HTML
    // <style> gets that from the HTML parser). Kept, a NUL reached the SVG, which XML refuses.
    authorCss: params.css.replaceAll('\0', '\uFFFD'),
    selector: params.selector,
    limits,
    // Families the page loaded (Google Fonts, @font-face) or the operator installed (FONTS_DIR)
    // keep their names; others get bundled stand-ins.
    loadedFamilies: new Set([...job.fonts.map((f) => f.name.toLowerCase()), ...(familySlots?.keys() ?? [])]),
    familySlots,
    layoutWidth: params.viewportWidth ?? DEFAULT_VIEWPORT.width,
  })
  if (params.selector && !built.selectorMatched) {
    throw new AppError('VALIDATION', `selector ${JSON.stringify(params.selector)} matched no element in the HTML`, {
      issues: [{ path: 'selector', message: 'matched no element in the HTML' }],
    })
  }
  const mode: SizingMode = params.selector ? 'selector' : hasViewport || built.isFullDocument ? 'viewport' : 'crop'

  const children = built.root.props.children as SatoriElement[]
  const body = children.find((c) => typeof c !== 'string' && c.type === 'body')
  let bodyHasText = false
  if (body) {
    body.key = BODY_KEY
    const bodyChildren = Array.isArray(body.props.children) ? body.props.children : []
    for (const child of bodyChildren) {
      if (typeof child === 'string') bodyHasText ||= child.trim() !== ''
      else child.key ??= TOP_KEY
    }
  }
  if (mode === 'crop') children.splice(1, 0, { type: 'style', props: { children: CROP_CSS } })

  const guard = new StyleGuard(limits)
  guard.guardTree(built.root)
  const images = new ImageResolver(job.images, limits)
  images.rewriteTree(built.root)

  const layoutWidth = params.viewportWidth ?? DEFAULT_VIEWPORT.width
  const layoutHeight =
    params.viewportHeight ?? (mode === 'viewport' && params.viewportWidth === undefined ? DEFAULT_VIEWPORT.height : undefined)
  return { root: built.root, mode, layoutWidth, layoutHeight, bodyHasText, hasSvgText: built.hasSvgText, bodyInsets: built.bodyInsets, warnings: [...built.warnings, ...guard.warnings, ...images.warnings] }
}
