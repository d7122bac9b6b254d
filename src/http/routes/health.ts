/**
 * Health for people and orchestrators, answered from the event loop (renders never block it):
 * `/health` with the pool's figures, `/healthz` (the process is alive) and `/readyz` (a render
 * worker has warmed up, the API process has loaded what requests use, and the store answers;
 * 503 otherwise, so a load balancer waits).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { Store } from '../../store/port.js'
import type { RenderRunner } from '../../render/pool/render-pool.js'

export const healthRoutes: FastifyPluginAsyncZod<{ store: Pick<Store, 'ping'>; pool: RenderRunner; loaded: () => boolean }> = async (app, { store, pool, loaded }) => {
  const storeAnswers = async (): Promise<boolean> => {
    try {
      await store.ping()
      return true
    } catch {
      return false
    }
  }

  app.get('/health', { schema: { summary: 'Status and render pool figures', tags: ['health'] } }, async () => {
    await store.ping()
    return { status: 'ok', render: pool.stats() }
  })

  app.get('/healthz', { schema: { summary: 'Liveness: the process answers', tags: ['health'] } }, async () => ({ status: 'ok' }))

  app.get('/readyz', { schema: { summary: 'Readiness: a render worker is warm, the API has loaded its libraries and the store answers', tags: ['health'] } }, async (_request, reply) => {
    const checks = { render: pool.ready(), loaded: loaded(), store: await storeAnswers() }
    const ready = checks.render && checks.loaded && checks.store
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks })
  })
}
