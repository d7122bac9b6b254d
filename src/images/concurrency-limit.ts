/**
 * Runs at most `n` tasks at once; the rest wait their turn in arrival order. Variant builds need
 * it: sharp runs each on libuv's thread pool (4 threads by default), which the API process's
 * file, DNS and crypto work share, and each build holds a decoded image, so a burst of distinct
 * `?width=` URLs would otherwise take every thread and a lot of memory at once.
 */
export type Limited = <T>(task: () => Promise<T>) => Promise<T>

export function concurrencyLimit(n: number): Limited {
  let active = 0
  const waiting: Array<() => void> = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so `active` never passes n.
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve))
    else active++
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else active--
    }
  }
}
