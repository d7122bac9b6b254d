/**
 * GET /v1/image/:id[.png|.jpg|.jpeg|.webp]: the public fetch of a stored image, resized and
 * converted on demand, with a strong ETag and immutable caching (no authentication, as the
 * hosted API's image URLs are public).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import * as z from 'zod'
import { AppError } from '../../../errors/catalogue.js'
import type { ImageService } from '../../../images/image-service.js'
import type { OutputFormat } from '../../../images/variants.js'
import { IMAGE_ID } from '../../image-urls.js'
import { sendImage } from '../../send-image.js'
import { FETCH_OPTION_NAMES, parseFetchOptions } from '../../../images/fetch-options.js'

const FETCH_OPTION_HELP: Record<(typeof FETCH_OPTION_NAMES)[number], string> = {
  dpi: 'density metadata, 30-600 (pixels unchanged)',
  aspect_ratio: 'crop to W_H (16_9, 1_1); the open axis is computed',
  x_origin: 'start (default), center or end: where a crop_width without x_1 sits',
  y_origin: 'start (default), center or end: where a crop_height without y_1 sits',
  x_1: 'left edge of the crop (px or %)',
  x_2: 'right edge of the crop (px or %), needs x_1',
  y_1: 'top edge of the crop (px or %)',
  y_2: 'bottom edge of the crop (px or %), needs y_1',
  crop_width: 'crop width (px or %)',
  crop_height: 'crop height (px or %)',
  crop_w: 'legacy alias of crop_width',
  crop_h: 'legacy alias of crop_height',
}

/** Crop and dpi as query strings; parsed by fetch-options.ts, which names the field in every error. */
const fetchOptionsQuery = Object.fromEntries(
  FETCH_OPTION_NAMES.map((name) => [name, z.string().optional().meta({ description: FETCH_OPTION_HELP[name] })]),
) as Record<(typeof FETCH_OPTION_NAMES)[number], z.ZodOptional<z.ZodString>>

export interface ServeImageRoutesOptions {
  images: ImageService
  resizeSide: number
}

const FILE = /^([0-9a-fA-F-]{36})(?:\.([A-Za-z]+))?$/

const side = (name: string, max: number) => {
  const error = `${name} must be an integer between 1 and ${max}`
  return z.coerce
    .number({ error })
    .int({ error })
    .min(1, { error })
    .max(max, { error: `${error} (MAX_RESIZE_SIDE)` })
    .optional()
}

export const serveImageRoutes: FastifyPluginAsyncZod<ServeImageRoutesOptions> = async (app, { images, resizeSide }) => {
  app.get(
    '/image/:file',
    {
      schema: {
        summary: 'Fetch an image as PNG, JPEG or WebP, optionally resized',
        tags: ['images'],
        params: z.object({ file: z.string().meta({ description: 'the image id, optionally with .png, .jpg, .jpeg or .webp' }) }),
        querystring: z.object({
          width: side('width', resizeSide),
          height: side('height', resizeSide),
          dl: z.string().optional().meta({ description: '1 or true: download as an attachment' }),
          ...fetchOptionsQuery,
        }),
      },
    },
    async (request, reply) => {
      const m = FILE.exec(request.params.file)
      if (!m || !IMAGE_ID.test(m[1]!.toLowerCase())) throw new AppError('IMAGE_NOT_FOUND')
      const ext = (m[2] ?? 'png').toLowerCase()
      if (ext === 'pdf') throw new AppError('VALIDATION', 'PDF output is not supported by this server; use .png, .jpg or .webp')
      if (!['png', 'jpg', 'jpeg', 'webp'].includes(ext)) throw new AppError('IMAGE_NOT_FOUND')
      const { width, height, dl, ...options } = request.query
      const id = m[1]!.toLowerCase()
      const image = await images.fetch(id, { format: ext as OutputFormat, width, height, ...parseFetchOptions(options) })
      return sendImage(request, reply, image, dl === '1' || dl === 'true' ? id : undefined)
    },
  )
}
