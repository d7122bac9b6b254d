/**
 * GET /v1/images (the user's images, newest first, ≤ 50 a page) and GET /v1/images/:id (the
 * stored definition of one image, without rendering), in the hosted API's shapes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { AppError, validationError } from '../../errors/catalogue.js'
import type { ImageService } from '../../images/image-service.js'
import type { ImageRecord } from '../../db/images-repository.js'
import type { RenderParams } from '../schemas/create-image.js'
import { zodIssues } from '../schemas/create-image.js'
import type { Config } from '../../config/schema.js'

const listQuery = z.object({
  count: z.coerce
    .number({ error: 'count must be an integer between 1 and 50' })
    .int({ error: 'count must be an integer between 1 and 50' })
    .min(1, { error: 'count must be an integer between 1 and 50' })
    .max(50, { error: 'count must be an integer between 1 and 50' })
    .default(50),
  page_token: z.string().max(200, { error: 'page_token is too long' }).optional(),
})

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const iso = (ms: number) => new Date(ms).toISOString()

export function imageListRoutes(
  app: FastifyInstance,
  deps: { config: Config; images: ImageService; authenticate: (r: FastifyRequest) => Promise<void> },
): void {
  const url = (request: FastifyRequest, id: string) =>
    `${deps.config.publicUrl ?? `${request.protocol}://${request.host}`}/v1/image/${id}`

  app.get('/v1/images', { onRequest: deps.authenticate }, async (request) => {
    const q = listQuery.safeParse(request.query ?? {})
    if (!q.success) throw validationError(zodIssues(q.error))
    const page = deps.images.list(request.user!, q.data.count, q.data.page_token)
    return {
      images: page.images.map((i) => ({ id: i.id, url: url(request, i.id), created_at: iso(i.createdAt) })),
      next_page_token: page.next ?? null,
      has_next_page: page.next !== undefined,
    }
  })

  app.get<{ Params: { id: string } }>('/v1/images/:id', { onRequest: deps.authenticate }, async (request) => {
    const id = request.params.id.toLowerCase()
    const image: ImageRecord | undefined = ID.test(id) ? deps.images.find(id) : undefined
    if (!image || image.userId !== request.user!.id) throw new AppError('IMAGE_NOT_FOUND')
    if (image.deletedAt !== null) throw new AppError('IMAGE_DELETED')
    const p = JSON.parse(image.params) as RenderParams
    return {
      id: image.id,
      url: url(request, image.id),
      image_type: 'html_css',
      created_at: iso(image.createdAt),
      width: image.width,
      height: image.height,
      html: p.html,
      css: p.css || null,
      google_fonts: p.googleFonts.length ? p.googleFonts.join('|') : null,
      selector: p.selector ?? null,
      device_scale: p.deviceScale,
      viewport_width: p.viewportWidth ?? null,
      viewport_height: p.viewportHeight ?? null,
      transparent_background: p.transparentBackground,
      disable_twemoji: p.disableTwemoji,
    }
  })
}
