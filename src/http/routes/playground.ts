/** GET /playground: try a card in the browser against this server's real API. */
import type { FastifyPluginAsync } from 'fastify'
import { PLAYGROUND_HTML } from '../playground/page.js'

export const playgroundRoutes: FastifyPluginAsync = async (app) => {
  app.get('/playground', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      // The page only talks to this origin; nothing else may run in it or frame it.
      .header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'none'")
      .send(PLAYGROUND_HTML),
  )
}
