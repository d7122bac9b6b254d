/**
 * A render's memory budget follows the worker's memory: what RENDER_MEMORY_MB leaves above a
 * worker's baseline, RENDER_BUDGET_MB when set (never more than the limit leaves), and the
 * default worker's budget when nothing limits the worker.
 */
import t from 'tap'
import { loadConfig } from '../../../src/config/load-config.js'
import { renderLimits } from '../../../src/container.js'

const budgetMb = (env: Record<string, string>) => renderLimits(loadConfig(env)).memoryBudgetBytes! / (1024 * 1024)

t.test('the budget is what the data limit leaves above a worker baseline, as resident bytes', async (t) => {
  // (limit − 200 MB baseline) / 1.5: the address space a render maps per resident byte.
  t.equal(budgetMb({}), 1232, 'RENDER_MEMORY_MB=2048 (default)')
  t.equal(budgetMb({ RENDER_MEMORY_MB: '384' }), 122, 'the low-memory profile')
  t.equal(budgetMb({ RENDER_MEMORY_MB: '0' }), 1232, 'no limit: the default worker budget')
})

t.test('RENDER_BUDGET_MB sets it, within what the limit leaves', async (t) => {
  t.equal(budgetMb({ RENDER_MEMORY_MB: '0', RENDER_BUDGET_MB: '300' }), 300)
  t.equal(budgetMb({ RENDER_MEMORY_MB: '1024', RENDER_BUDGET_MB: '300' }), 300)
  t.equal(budgetMb({ RENDER_MEMORY_MB: '512', RENDER_BUDGET_MB: '4000' }), 208, 'capped: the worker would die first')
  t.throws(() => loadConfig({ RENDER_BUDGET_MB: '-1' }), /RENDER_BUDGET_MB/)
})
