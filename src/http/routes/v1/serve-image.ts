/**
 * GET /v1/image/:id[.png|.jpg|.jpeg|.webp]: the public fetch of a stored image, resized and
 * converted on demand, with a strong ETag and immutable caching (no authentication, as the
 * hosted API's image URLs are public).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError } from '../../../errors/catalogue.js'
import type { ImageService } from '../../../images/image-service.js'
import type { OutputFormat } from '../../../images/variants.js'
import { IMAGE_ID } from '../../image-urls.js'

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
        }),
      },
    },
    async (request, reply) => {
      const m = FILE.exec(request.params.file)
      if (!m || !IMAGE_ID.test(m[1]!.toLowerCase())) throw new AppError('IMAGE_NOT_FOUND')
      const ext = (m[2] ?? 'png').toLowerCase()
      if (ext === 'pdf') throw new AppError('VALIDATION', 'PDF output is not supported by this server; use .png, .jpg or .webp')
      if (!['png', 'jpg', 'jpeg', 'webp'].includes(ext)) throw new AppError('IMAGE_NOT_FOUND')
      const { width, height, dl } = request.query
      const id = m[1]!.toLowerCase()
      const image = await images.fetch(id, { format: ext as OutputFormat, width, height })
      const etag = `"${image.etag}"`
      reply.headers({
        etag,
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        'content-type': image.mime,
      })
      if (dl === '1' || dl === 'true') reply.header('content-disposition', `attachment; filename="${id}.${image.ext}"`)
      const inm = request.headers['if-none-match']
      if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.code(304).send()
      return reply.send(image.bytes)
    },
  )
}
