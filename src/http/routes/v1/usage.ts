/** GET /v1/usage in the hosted API's shape: counts per hour (72), day (60) and month (12). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import * as z from 'zod'
import type { UsageStore } from '../../../store/port.js'
import { userOf } from '../../authenticate.js'

export const usageRoutes: FastifyPluginAsyncZod<{ usage: UsageStore }> = async (app, { usage }) => {
  const counts = z.record(z.string(), z.number())
  const schema = {
    summary: 'Your render counts per hour, day and month',
    tags: ['account'],
    response: {
      200: z.object({
        data: z.object({ hour: counts, day: counts, month: counts }),
        per_billing_period: z.array(z.object({ total_images: z.number(), start: z.string(), end: z.string() })),
      }),
    },
  }
  app.get('/usage', { schema }, async (request) => {
    const userId = userOf(request).id
    const series = async (period: 'hour' | 'day' | 'month', max: number) =>
      Object.fromEntries((await usage.history(userId, period, max)).map((r) => [r.start, r.count]))
    const months = await usage.history(userId, 'month', 12)
    const [hour, day, month] = await Promise.all([series('hour', 72), series('day', 60), series('month', 12)])
    return {
      data: { hour, day, month },
      per_billing_period: months.map((m) => {
        const start = new Date(m.start)
        const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1))
        return { total_images: m.count, start: m.start, end: end.toISOString().replace('.000Z', 'Z') }
      }),
    }
  })
}
