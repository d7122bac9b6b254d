/**
 * buildApp(): the HTTP application over a container, without listening. The process entry
 * (server.ts) listens; tests drive it through inject() or a real socket.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import formbody from '@fastify/formbody'
import type { Container } from './container.js'
import { installErrorHandling } from './http/error-handler.js'
import { authenticator } from './http/authenticate.js'
import { imageRoutes } from './http/routes/images.js'
import { usageRoutes } from './http/routes/usage.js'
import { imageListRoutes } from './http/routes/image-list.js'
import { healthRoutes } from './http/routes/health.js'

export async function buildApp(
  container: Container,
  options: { loggerInstance?: FastifyBaseLogger } = {},
): Promise<FastifyInstance> {
  const { config } = container
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: false }),
    bodyLimit: config.limits.bodyBytes,
    requestTimeout: config.requestTimeoutMs,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  })
  await app.register(formbody, { bodyLimit: config.limits.bodyBytes })
  // JSON and form data only, like the hosted API: anything else is a clear 415.
  app.removeContentTypeParser('text/plain')
  // Some official clients (Ruby) send `Content-Type: application/json` on bodiless GET and
  // DELETE requests; an empty JSON body means "no body" rather than an error.
  const json = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, undefined)
    json(request, body as string, done)
  })

  // The hosted API answers every origin; browsers calling it directly expect the same.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('access-control-allow-origin', '*')
    if (request.method === 'OPTIONS') {
      reply
        .header('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '86400')
        .code(204)
        .send()
    }
  })

  app.addHook('onClose', async () => container.close())
  installErrorHandling(app, config.limits.bodyBytes)
  const authenticate = authenticator(container.users)
  imageRoutes(app, { config, images: container.images, authenticate })
  imageListRoutes(app, { config, images: container.images, authenticate })
  usageRoutes(app, { usage: container.usage, authenticate })
  healthRoutes(app, { db: container.db, pool: container.pool })
  return app
}
