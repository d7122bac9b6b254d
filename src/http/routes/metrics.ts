/**
 * GET /metrics in Prometheus' text format. Open by default (scraped from inside the network);
 * with METRICS_TOKEN set it asks for `Authorization: Bearer <token>`, compared in constant time;
 * METRICS=off leaves the route out.
 */
import { timingSafeEqual, createHash } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import type { Metrics } from '../../observability/metrics.js'

const digest = (s: string) => createHash('sha256').update(s).digest()

export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics; token: string | undefined }> = async (app, { metrics, token }) => {
  const expected = token ? digest(`Bearer ${token}`) : undefined
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['health'] } }, async (request, reply) => {
    if (expected && !timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .send({ statusCode: 401, error: 'Unauthorized', message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' })
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
}
