/**
 * Stage 3: decides which rectangle of the laid-out page becomes the image, like the hosted
 * API: a snippet is cropped to its outermost elements (margins included), `selector` to the
 * first matching element, a viewport or whole page to the viewport. The SVG's own viewBox is
 * rewritten, so the rasterizer draws only the kept rectangle.
 */
import { AppError, validationError } from '../../errors/catalogue.js'
import { TARGET_KEY } from '../document/html-to-tree.js'
import { BODY_KEY, TOP_KEY, type DocumentStageResult } from './build-document.js'
import type { Box, LayoutResult } from './layout.js'

export interface CropRect {
  x: number
  y: number
  width: number
  height: number
}

export function cropRect(doc: DocumentStageResult, laid: LayoutResult): CropRect {
  const full = { x: 0, y: 0, width: laid.width, height: laid.height }
  if (doc.mode === 'viewport') return full
  if (doc.mode === 'selector') {
    const target = laid.boxes.get(TARGET_KEY)?.[0]
    return target ? snap(target) : full
  }
  const body = laid.boxes.get(BODY_KEY)?.[0]
  if (!body) return full
  const tops = laid.boxes.get(TOP_KEY) ?? []
  if (doc.bodyHasText || tops.length === 0) return snap(body)
  let left = Infinity
  let right = -Infinity
  // Margins are measured from the body's content box: its padding is not the cards' margin.
  const contentLeft = body.left + (doc.bodyInsets?.left ?? 0)
  const contentRight = body.left + body.width - (doc.bodyInsets?.right ?? 0)
  for (const box of tops) {
    // The left margin is where the box starts inside the body; the right one is not observable
    // once a block is narrower than the body, so it is taken as equal to the left.
    const marginLeft = Math.max(0, box.left - contentLeft)
    const marginRight = Math.max(0, Math.min(contentRight - (box.left + box.width), marginLeft))
    left = Math.min(left, box.left - marginLeft)
    right = Math.max(right, box.left + box.width + marginRight)
  }
  return snap({ left, top: body.top, width: right - left, height: body.height })
}

function snap(box: Box): CropRect {
  const x = Math.floor(box.left)
  const y = Math.floor(box.top)
  return {
    x,
    y,
    width: Math.max(1, Math.ceil(box.left + box.width) - x),
    height: Math.max(1, Math.ceil(box.top + box.height) - y),
  }
}

export function assertPixelBudget(rect: CropRect, scale: number, maxPixels: number): { width: number; height: number } {
  // resvg rounds the scaled size and refuses a zero one ("Target size is zero"): a 1 px viewport
  // at device_scale 0.1 is each value within its range, and still no image.
  if (Math.round(rect.width * scale) < 1 || Math.round(rect.height * scale) < 1) {
    throw validationError([
      {
        path: 'device_scale',
        message: `device_scale ${scale} makes the ${rect.width}×${rect.height} CSS px image less than one pixel wide or high; raise device_scale or the viewport size`,
      },
    ])
  }
  const width = Math.round(rect.width * scale)
  const height = Math.round(rect.height * scale)
  if (width * height > maxPixels) {
    throw new AppError(
      'RENDER_TOO_LARGE',
      `The image would be ${width}×${height} pixels (${rect.width}×${rect.height} CSS px at device_scale ${scale}); ` +
        `the limit is ${maxPixels} pixels (MAX_OUTPUT_PIXELS). Lower device_scale or the viewport size.`,
    )
  }
  return { width, height }
}

/** Points the SVG at the crop rectangle. */
export function applyCrop(svg: string, rect: CropRect): string {
  return svg.replace(
    /^<svg width="[\d.]+" height="[\d.]+" viewBox="[^"]*"/,
    `<svg width="${rect.width}" height="${rect.height}" viewBox="${rect.x} ${rect.y} ${rect.width} ${rect.height}"`,
  )
}
