/**
 * GET /v1/images (the user's images, newest first, ≤ 50 a page) and GET /v1/images/:id (the
 * stored definition of one image, without rendering), in the hosted API's shapes.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import * as z from 'zod'
import { AppError } from '../../../errors/catalogue.js'
import type { ImageService } from '../../../images/image-service.js'
import type { RenderParams } from '../../schemas/create-image.js'
import { userOf } from '../../authenticate.js'
import { IMAGE_ID, imageUrl } from '../../image-urls.js'

export interface ImageListRoutesOptions {
  images: ImageService
  publicUrl: string | undefined
}

const countError = 'count must be an integer between 1 and 50'
const listQuery = z.object({
  count: z.coerce.number({ error: countError }).int({ error: countError }).min(1, { error: countError }).max(50, { error: countError }).default(50),
  page_token: z.string().max(200, { error: 'page_token is too long' }).optional(),
})

const iso = (ms: number) => new Date(ms).toISOString()

export const imageListRoutes: FastifyPluginAsyncZod<ImageListRoutesOptions> = async (app, { images, publicUrl }) => {
  app.get(
    '/images',
    {
      schema: {
        summary: 'List your images, newest first',
        tags: ['images'],
        querystring: listQuery,
        response: {
          200: z.object({
            images: z.array(z.object({ id: z.string(), url: z.string(), created_at: z.string() })),
            next_page_token: z.string().nullable(),
            has_next_page: z.boolean(),
          }),
        },
      },
    },
    async (request) => {
      const page = await images.list(userOf(request), request.query.count, request.query.page_token)
      return {
        images: page.images.map((i) => ({ id: i.id, url: imageUrl(publicUrl, request, i.id), created_at: iso(i.createdAt) })),
        next_page_token: page.next ?? null,
        has_next_page: page.next !== undefined,
      }
    },
  )

  app.get(
    '/images/:id',
    {
      schema: {
        summary: 'The stored definition of one of your images',
        tags: ['images'],
        params: z.object({ id: z.string() }),
        response: {
          200: z.object({
            id: z.string(),
            url: z.string(),
            image_type: z.literal('html_css'),
            created_at: z.string(),
            width: z.number(),
            height: z.number(),
            html: z.string(),
            css: z.string().nullable(),
            google_fonts: z.string().nullable(),
            selector: z.string().nullable(),
            device_scale: z.number(),
            viewport_width: z.number().nullable(),
            viewport_height: z.number().nullable(),
            transparent_background: z.boolean(),
            disable_twemoji: z.boolean(),
          }),
        },
      },
    },
    async (request) => {
      const user = userOf(request)
      const id = request.params.id.toLowerCase()
      const image = IMAGE_ID.test(id) ? await images.find(id) : undefined
      if (!image || image.userId !== user.id) throw new AppError('IMAGE_NOT_FOUND')
      if (image.deletedAt !== null) throw new AppError('IMAGE_DELETED')
      const p = JSON.parse(image.params) as RenderParams
      return {
        id: image.id,
        url: imageUrl(publicUrl, request, image.id),
        image_type: 'html_css' as const,
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
    },
  )
}
