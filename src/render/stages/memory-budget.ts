/**
 * The memory one render may use on top of what a render worker holds anyway, and the refusal
 * both cost stages answer with when a page would need more. The budget is a single number in
 * `RenderLimits` (derived from RENDER_MEMORY_MB or RENDER_BUDGET_MB in `renderLimits()`), so
 * whoever sizes the workers (a later container-aware pool) only has to set it.
 */
import { AppError } from '../../errors/catalogue.js'
import type { RenderLimits } from '../job.js'

export const MB = 1024 * 1024

/**
 * A render worker's data segment after start-up (fonts parsed, satori's WebAssembly and sharp
 * loaded), measured: about 200 MB. What RENDER_MEMORY_MB allows above it is a render's budget.
 */
export const WORKER_BASELINE_MB = 200

/** The budget when nothing sets one: RENDER_MEMORY_MB's default (2048) minus the baseline. */
export const DEFAULT_BUDGET_MB = 2048 - WORKER_BASELINE_MB

export function memoryBudget(limits: Pick<RenderLimits, 'memoryBudgetBytes'>): number {
  return limits.memoryBudgetBytes ?? DEFAULT_BUDGET_MB * MB
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * MB ? `${(bytes / (1024 * MB)).toFixed(1)} GB` : `${Math.ceil(bytes / MB)} MB`
}

/** A 422 naming the estimate, what drives it, the budget and the variable that sets it. */
export function overBudget(what: string, estimate: number, budget: number, drivers: string, advice: string): AppError {
  return new AppError(
    'RENDER_OVER_BUDGET',
    `This page would need about ${formatBytes(estimate)} to ${what} (${drivers}); a render may use ${formatBytes(budget)} ` +
      `(RENDER_BUDGET_MB, by default RENDER_MEMORY_MB minus a worker's ${WORKER_BASELINE_MB} MB baseline). ${advice}`,
  )
}
