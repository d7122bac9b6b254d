/** DELETE /v1/image/:id and DELETE /v1/image/batch: a deleted image answers 410 from then on. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import * as z from 'zod'
import { AppError } from '../../../errors/catalogue.js'
import type { ImageService } from '../../../images/image-service.js'
import { userOf } from '../../authenticate.js'
import { IMAGE_ID } from '../../image-urls.js'

export interface DeleteImageRoutesOptions {
  images: ImageService
  batchSize: number
}

export const deleteImageRoutes: FastifyPluginAsyncZod<DeleteImageRoutesOptions> = async (app, { images, batchSize }) => {
  app.delete(
    '/image/batch',
    {
      schema: {
        summary: 'Delete several images',
        tags: ['images'],
        body: z.preprocess(
          (v) => v ?? {},
          z.object({
            ids: z
              .array(z.string({ error: 'ids must be image id strings' }), { error: 'ids must be an array of image ids' })
              .min(1, { error: 'ids must hold at least one id' })
              .max(batchSize, { error: `ids holds more than ${batchSize} ids (MAX_BATCH_SIZE)` }),
          }),
        ),
      },
    },
    async (request, reply) => {
      const user = userOf(request)
      for (const raw of request.body.ids) {
        const id = raw.toLowerCase()
        if (IMAGE_ID.test(id)) await images.delete(user, id)
      }
      return reply.code(202).send()
    },
  )

  app.delete(
    '/image/:id',
    { schema: { summary: 'Delete an image', tags: ['images'], params: z.object({ id: z.string() }) } },
    async (request, reply) => {
      const user = userOf(request)
      const id = request.params.id.toLowerCase()
      if (!IMAGE_ID.test(id)) throw new AppError('IMAGE_NOT_FOUND')
      if (!(await images.delete(user, id))) {
        const existing = await images.find(id)
        if (existing && existing.userId === user.id && existing.deletedAt !== null) throw new AppError('IMAGE_DELETED')
        throw new AppError('IMAGE_NOT_FOUND')
      }
      return reply.code(202).send()
    },
  )
}
