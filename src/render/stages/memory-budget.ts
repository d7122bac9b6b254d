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

/**
 * Address space a render maps per byte it makes resident. RENDER_MEMORY_MB is a data-segment
 * rlimit, which counts what allocators reserve, not what they touch: resvg's mimalloc reserved a
 * 1 GiB arena for a render that grew RSS by 290 MB (so the rlimit killed renders the budget
 * allowed). With its arenas reserved 64 MiB at a time (MIMALLOC_ARENA_RESERVE, set by the pool)
 * the same render mapped 475 MB for 325 MB resident: 1.46, measured on the worst of the bombs.
 */
export const DATA_PER_RESIDENT = 1.5

/** The budget RENDER_MEMORY_MB leaves a render: its data segment above the baseline, as resident bytes. */
export function budgetUnderDataLimit(memoryMb: number): number {
  return Math.floor((memoryMb - WORKER_BASELINE_MB) / DATA_PER_RESIDENT)
}

/** The budget when nothing sets one: what RENDER_MEMORY_MB's default (2048) leaves. */
export const DEFAULT_BUDGET_MB = budgetUnderDataLimit(2048)

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
      `(RENDER_BUDGET_MB, by default derived from RENDER_MEMORY_MB). ${advice}`,
  )
}
