/**
 * The hosted API under /v1: one public scope (image URLs are public) and one authenticated
 * scope whose onRequest hook answers 401 before any body is read.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { Container } from '../../../container.js'
import { createImageRoutes } from './create-image.js'
import { deleteImageRoutes } from './delete-image.js'
import { serveImageRoutes } from './serve-image.js'
import { imageListRoutes } from './image-list.js'
import { usageRoutes } from './usage.js'
import { templateRoutes } from './templates.js'
import { signedUrlRoutes } from './signed-urls.js'

export interface V1Options {
  container: Container
  authenticate: (request: FastifyRequest) => Promise<void>
}

export const v1Routes: FastifyPluginAsync<V1Options> = async (app, { container, authenticate }) => {
  const { config, images, usage, templates, signed } = container
  await app.register(serveImageRoutes, { images, resizeSide: config.limits.resizeSide })
  await app.register(signedUrlRoutes, { signed })
  await app.register(async (authenticated) => {
    authenticated.addHook('onRequest', authenticate)
    await authenticated.register(createImageRoutes, { config, images, templates })
    await authenticated.register(templateRoutes, { templates })
    await authenticated.register(deleteImageRoutes, { images, batchSize: config.limits.batchSize })
    await authenticated.register(imageListRoutes, { images, publicUrl: config.publicUrl })
    await authenticated.register(usageRoutes, { usage })
  })
}
