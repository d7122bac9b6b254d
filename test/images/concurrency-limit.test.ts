import t from 'tap'
import { concurrencyLimit } from '../../src/images/concurrency-limit.js'

t.test('runs at most n tasks at once, in arrival order, and frees the slot of a failed task', async (t) => {
  const limit = concurrencyLimit(2)
  let active = 0
  let peak = 0
  const started: number[] = []
  const task = (i: number) => async () => {
    started.push(i)
    peak = Math.max(peak, ++active)
    await new Promise((r) => setTimeout(r, 5))
    active--
    if (i === 1) throw new Error('boom')
    return i
  }
  const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => limit(task(i))))
  t.equal(peak, 2)
  t.same(started, [0, 1, 2, 3, 4, 5])
  t.same(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)), [0, 'boom', 2, 3, 4, 5])
  t.equal(await limit(async () => 'free again'), 'free again', 'every slot came back')
})
