/** Liveness and readiness: answers from the event loop, which renders never block. */
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../db/database.js'
import type { RenderRunner } from '../../render/pool/render-pool.js'

export function healthRoutes(app: FastifyInstance, deps: { db: Db; pool: RenderRunner }): void {
  app.get('/health', async () => {
    deps.db.prepare('SELECT 1').get()
    return { status: 'ok', render: deps.pool.stats() }
  })
}
