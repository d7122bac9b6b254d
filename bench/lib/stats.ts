/** Small statistics for benchmark samples (milliseconds unless said otherwise). */
export function quantile(samples: number[], q: number): number {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

export const median = (s: number[]) => quantile(s, 0.5)
export const p95 = (s: number[]) => quantile(s, 0.95)

export function geomean(values: number[]): number {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0)
  if (finite.length === 0) return NaN
  return Math.exp(finite.reduce((a, v) => a + Math.log(v), 0) / finite.length)
}

export const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–')

export async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now()
  const out = await fn()
  return [performance.now() - t, out]
}
