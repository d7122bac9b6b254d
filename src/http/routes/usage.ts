/** GET /v1/usage in the hosted API's shape: counts per hour (72), day (60) and month (12). */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { UsageRepository } from '../../db/usage-repository.js'

export function usageRoutes(
  app: FastifyInstance,
  deps: { usage: UsageRepository; authenticate: (r: FastifyRequest) => Promise<void> },
): void {
  app.get('/v1/usage', { onRequest: deps.authenticate }, async (request) => {
    const userId = request.user!.id
    const series = (period: 'hour' | 'day' | 'month', max: number) =>
      Object.fromEntries(deps.usage.history(userId, period, max).map((r) => [r.start, r.count]))
    const months = deps.usage.history(userId, 'month', 12)
    return {
      data: { hour: series('hour', 72), day: series('day', 60), month: series('month', 12) },
      per_billing_period: months.map((m) => {
        const start = new Date(m.start)
        const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1))
        return { total_images: m.count, start: m.start, end: end.toISOString().replace('.000Z', 'Z') }
      }),
    }
  })
}
