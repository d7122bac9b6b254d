/**
 * Hits and misses of the caches a render worker keeps for itself (rewritten stylesheets, font
 * sets), counted where they are looked up and handed back with each render result, so the API
 * process can export them with its own caches' figures.
 */
export type WorkerCacheName = 'sheets' | 'font_sets'
export type WorkerCacheStats = Record<WorkerCacheName, { hits: number; misses: number }>

let counts: WorkerCacheStats = { sheets: { hits: 0, misses: 0 }, font_sets: { hits: 0, misses: 0 } }

export function countLookup(cache: WorkerCacheName, hit: boolean): void {
  if (hit) counts[cache].hits++
  else counts[cache].misses++
}

/** The counts since the last call (one render's lookups: a worker renders one page at a time). */
export function takeCacheStats(): WorkerCacheStats {
  const taken = counts
  counts = { sheets: { hits: 0, misses: 0 }, font_sets: { hits: 0, misses: 0 } }
  return taken
}
