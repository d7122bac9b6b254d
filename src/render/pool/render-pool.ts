/**
 * The pool of render worker processes: one per core by default, a bounded queue (full → fast
 * 503), a per-render deadline enforced by killing the worker, and a data-size rlimit on each
 * worker so a render bomb ends in that worker, never in the API process.
 */
import workerpool from 'workerpool'
import { withoutForeignHooks } from './worker-flags.js'
import { availableParallelism } from 'node:os'
import { renderWorkerEntry, type WorkerEntry } from './worker-entry.js'
import { AppError, catalogue, type ErrorCode, type ValidationIssue } from '../../errors/catalogue.js'
import type { RenderJob, RenderResult } from '../job.js'
import type { Metrics } from '../../observability/metrics.js'

export interface RenderPoolOptions {
  workers: number
  queueSize: number
  timeoutMs: number
  memoryMb: number
  /** Stop all workers after this long without work (0 = keep them warm). */
  idleTimeoutMs: number
  /** V8 old-space cap of each worker in MB (0 = Node's default); trades CPU for memory. */
  heapMb: number
  /** How long resvg's allocator keeps freed memory for reuse before returning it to the OS. */
  freedMemoryKeepMs: number
  /** V8's heap growth past the live data between full collections, in % (0 = V8's own, from the memory it sees). */
  heapGrowthPercent: number
}

export interface RenderRunner {
  /** `signal`: the caller no longer wants the result; a job still queued is then dropped (a running one finishes). */
  run(job: RenderJob, signal?: AbortSignal): Promise<RenderResult>
  stats(): { busy: number; idle: number; pending: number; total: number }
  /** A worker has finished its warm-up since the pool started (or workers start on demand). */
  ready(): boolean
  /**
   * Resolves once the first worker is warm and no render is in flight, or `maxWaitMs` after it is
   * warm: the moment the API's own start-up work (loading sharp, the commit thread) no longer
   * takes a core from the first renders. At once when workers start on demand.
   */
  whenQuiet(maxWaitMs: number): Promise<void>
  /**
   * Where the pool reports queue waits and worker starts and ends. Set after creation: the server
   * forks the first worker before it loads anything else, metrics included.
   */
  observe(sink: PoolObserver): void
  close(): Promise<void>
}

export type PoolObserver = Pick<Metrics, 'queueWaitSeconds' | 'workerStarted' | 'workerEnded'>

const IS_TS = import.meta.url.endsWith('.ts')
/** Without a first render, the workers after the first start this long after the pool. */
const REST_START_MS = 2000
/** How long after the last render ended the pool counts as quiet (whenQuiet). */
const QUIET_SETTLE_MS = 100

/**
 * Node flags for the worker: `--expose-gc` (the worker collects resvg's pixel buffers right
 * after each render, see render-worker.ts) and, from source, the parent's flags but for other
 * module hooks (worker-flags.ts), with the TypeScript loader when the worker runs the sources.
 */
function nodeArgs(entry: WorkerEntry): string[] {
  if (!IS_TS) return ['--expose-gc']
  const inherited = withoutForeignHooks(process.execArgv, { keepTsx: !entry.bundled })
  if (entry.bundled) return ['--expose-gc', ...inherited]
  return ['--expose-gc', ...(inherited.some((a) => a.includes('tsx')) ? inherited : [...inherited, '--import=tsx'])]
}

/** From source, NODE_OPTIONS without other module hooks too; the built server passes it on as it is. */
function workerNodeOptions(entry: WorkerEntry): string {
  const options = process.env.NODE_OPTIONS ?? ''
  return IS_TS ? withoutForeignHooks(options.split(/\s+/).filter(Boolean), { keepTsx: !entry.bundled }).join(' ') : options
}

interface QueuedTasks {
  taskQueue?: { tasks?: Array<{ resolver?: { promise?: unknown } }> }
}

/**
 * Whether workerpool still holds `promise`'s task in its queue (not yet sent to a worker). It
 * keeps that queue as `taskQueue.tasks` (test/render/pool/render-pool.test.ts fails if an upgrade
 * changes that); without it, a task counts as queued until its 'started' event, as before.
 */
export function stillQueued(pool: unknown, promise: unknown): boolean {
  const tasks = (pool as QueuedTasks).taskQueue?.tasks
  return !Array.isArray(tasks) || tasks.some((t) => t.resolver?.promise === promise)
}

export function createRenderPool(options: RenderPoolOptions): RenderRunner {
  const workers = options.workers > 0 ? options.workers : availableParallelism()
  const entry = renderWorkerEntry()
  const args = [
    ...nodeArgs(entry),
    ...(options.heapMb > 0 ? [`--max-old-space-size=${options.heapMb}`, '--max-semi-space-size=2'] : []),
    // Set, not left to V8: under a cgroup V8 picks the growth from the container's limit, far too
    // low for a renderer (memory-plan.ts measures it).
    ...(options.heapGrowthPercent > 0 ? [`--heap-growing-percent=${options.heapGrowthPercent}`] : []),
  ]
  // A render worker opens no connection (the API fetches what a page needs), and Node parses
  // NODE_EXTRA_CA_CERTS' bundle at every start whether or not TLS is used: 80 ms of each worker's
  // boot on this VM, where it names the system's 140 certificates.
  const { NODE_EXTRA_CA_CERTS: _certs, ...parentEnv } = process.env
  const env = {
    ...parentEnv,
    NODE_OPTIONS: workerNodeOptions(entry),
    // Two malloc arenas instead of one per thread: libvips allocates from several threads, and
    // per-thread arenas keep freed pixel buffers resident (measured ~10 % of RSS).
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
    // resvg-js allocates with its own mimalloc, which hands freed memory back to the OS after
    // 10 ms. A pixmap freed at the end of one render is gone before the next render's raster,
    // so every device-scale-2 card (12 MB pixmaps) faulted ~24 MB of fresh pages: 6,000 page
    // faults and 80 ms of a 100 ms render on this VM. Kept for a second, the memory is reused
    // under load (title@2x 104 → 25 ms; mixed cards, one worker: 17 → 29 renders/s, peak RSS
    // +60 MiB) and still returned once a worker idles.
    MIMALLOC_PURGE_DELAY: String(options.freedMemoryKeepMs),
    // mimalloc reserves address space 1 GiB at a time by default, which RENDER_MEMORY_MB (a
    // data-segment rlimit) counts as if used: a render that grew RSS by 290 MB mapped 1 GB and
    // was killed. 64 MiB steps keep mapped close to resident (see DATA_PER_RESIDENT).
    MIMALLOC_ARENA_RESERVE: process.env.MIMALLOC_ARENA_RESERVE ?? '64MiB',
  }
  // Each worker leads its own process group (`detached`): a signal sent to the server's group
  // (Ctrl-C in a terminal, systemd's default KillMode) reaches the API process, which drains,
  // and not the workers, which finish the renders in flight and are stopped by the pool. A
  // worker still exits when the API process dies, on its IPC channel closing.
  const common = { serialization: 'advanced' as const, env, detached: true }
  // `ulimit -d` through the POSIX shell: Node has no setrlimit, and fork() lets the exec path
  // be any program that ends up exec'ing node with the IPC descriptor inherited. The shell also
  // puts the worker first in the OOM killer's order before node starts (exec keeps the value):
  // a replacement booting right after an OOM kill, while the killed worker's memory was still
  // being released, allocated at the API's score, and the second kill took the API process
  // (dmesg, test/e2e/container.test.ts). The worker raises it again itself (render-worker.ts)
  // for the path without the shell.
  const forkOpts =
    options.memoryMb > 0
      ? {
          ...common,
          execPath: '/bin/sh',
          execArgv: ['-c', `echo 1000 2>/dev/null >/proc/self/oom_score_adj; ulimit -d ${options.memoryMb * 1024} 2>/dev/null; exec "$0" "$@"`, process.execPath, ...args],
        }
      : { ...common, execArgv: args }

  const start = () => {
    const pool = workerpool.pool(entry.file, {
      workerType: 'process',
      maxWorkers: workers,
      minWorkers: 1,
      maxQueueSize: options.queueSize,
      workerTerminateTimeout: 500,
      forkOpts,
      onCreateWorker: () => {
        observer?.workerStarted()
        return undefined
      },
    })
    // Cold start: the first worker boots alone, and the others start after the first render
    // (or after REST_START_MS without one), so neither the first worker's start nor the first
    // render shares the cores with them (2 cores, spawn → first PNG: 1.6 s with one worker
    // booting, 2.1 s with two). A burst before that starts them on demand anyway, as it does a
    // replacement for a worker that was killed (only the first is kept up by workerpool itself).
    if (workers > 1) setTimeout(() => startRest(pool), REST_START_MS).unref()
    // A worker answers only once its warm-up render is done: the first answer makes the pool ready.
    const boot = Promise.resolve(pool.exec('methods')).then(
      () => {
        warm = true
        // After the renders that waited for this boot are sent (their awaits resume first).
        setImmediate(checkQuiet)
      },
      () => undefined,
    )
    booting.set(pool, boot)
    void boot.finally(() => booting.delete(pool))
    return pool
  }
  /**
   * Renders that arrive while a pool's first worker is still booting wait for it. Sent to the
   * pool, each would find no idle worker and fork another, which then boots on the core the
   * first one needs: the first render (spawn → first PNG) waited for a second cold worker,
   * 1.1 s after listening instead of the first worker's remaining ~0.3 s. Bounded like the
   * pool's queue. A failed boot releases the waiters too: workerpool then forks as usual.
   */
  const booting = new Map<object, Promise<unknown>>()
  let waitingForBoot = 0
  const restStarted = new WeakSet<object>()
  /** One no-op per worker slot: workerpool starts a worker for each that finds none idle. */
  const startRest = (pool: ReturnType<typeof start>): void => {
    if (workers <= 1 || current !== pool || active > 0 || restStarted.has(pool)) return
    restStarted.add(pool)
    void Promise.all(Array.from({ length: workers }, () => pool.exec('methods'))).catch(() => undefined)
  }
  let warm = false
  let quietWaiters: Array<() => void> = []
  let lastEnded = 0
  let quietCheck: NodeJS.Timeout | undefined
  /**
   * Releases whenQuiet() waiters once warm with nothing in flight for QUIET_SETTLE_MS (called as
   * renders end and as the pool warms): the request a render answers still has its store commit
   * and response to send, and a client its image to fetch, which waiting work would delay.
   */
  const checkQuiet = () => {
    if (!warm || active > 0 || quietWaiters.length === 0) return
    const wait = lastEnded + QUIET_SETTLE_MS - Date.now()
    if (wait > 0) {
      clearTimeout(quietCheck)
      quietCheck = setTimeout(checkQuiet, wait).unref()
      return
    }
    const waiters = quietWaiters
    quietWaiters = []
    for (const release of waiters) release()
  }
  let observer: PoolObserver | undefined
  let current: ReturnType<typeof start> | undefined = options.idleTimeoutMs > 0 ? undefined : start()
  let lastUsed = Date.now()
  let active = 0

  // The low-memory profile: workers (the bulk of the RSS) exist only while there is work.
  const reaper =
    options.idleTimeoutMs > 0
      ? setInterval(() => {
          if (current && active === 0 && Date.now() - lastUsed >= options.idleTimeoutMs) {
            const idle = current
            for (let i = 0; i < idle.stats().totalWorkers; i++) observer?.workerEnded('idle')
            current = undefined
            idle.terminate().catch(() => undefined)
          }
        }, Math.max(50, Math.floor(options.idleTimeoutMs / 4))).unref()
      : undefined

  return {
    async run(job, signal) {
      const pool = (current ??= start())
      const queuedAt = performance.now()
      const boot = booting.get(pool)
      if (boot && waitingForBoot >= options.queueSize) throw new AppError('QUEUE_FULL', undefined, { headers: { 'retry-after': '1' } })
      // Counted as active from here: the idle reaper must not stop a pool that renders wait for.
      active++
      lastUsed = Date.now()
      if (boot) {
        waitingForBoot++
        let backstop: NodeJS.Timeout | undefined
        try {
          // A worker that never answers is workerpool's to replace: stop waiting after a render's time.
          await Promise.race([boot, new Promise((r) => (backstop = setTimeout(r, options.timeoutMs)))])
        } finally {
          clearTimeout(backstop)
          waitingForBoot--
        }
        if (signal?.aborted) {
          active--
          throw new AppError('RENDER_FAILED', 'The request ended before its render started')
        }
      }
      let timer: NodeJS.Timeout | undefined
      let timedOut = false
      let started = false
      let promise: ReturnType<typeof pool.exec>
      try {
        promise = pool.exec('render', [job], {
          on: (event: unknown) => {
            if (event !== 'started') return
            started = true
            observer?.queueWaitSeconds((performance.now() - queuedAt) / 1000)
            timer = setTimeout(() => {
              timedOut = true
              promise.cancel()
            }, options.timeoutMs)
          },
        })
      } catch (err) {
        active--
        throw new AppError('QUEUE_FULL', undefined, { headers: { 'retry-after': '1' }, cause: err })
      }
      // Cancelling a queued task only removes it from the queue; a started one would cost its
      // worker. A task already sent to a worker whose 'started' has not arrived yet (a
      // millisecond, but a client that leaves as its render begins lands there) is started too:
      // only one still in workerpool's queue is cancelled.
      const drop = () => {
        if (!started && stillQueued(pool, promise)) promise.cancel()
      }
      signal?.addEventListener('abort', drop, { once: true })
      try {
        // Backstop for a worker that never starts: boot plus queue wait plus the render itself.
        return (await promise.timeout(options.timeoutMs * 4 + 30_000)) as RenderResult
      } catch (err) {
        const appError = toAppError(timedOut ? new workerpool.Promise.TimeoutError('deadline') : err, options)
        if (appError.code === 'RENDER_TIMEOUT') observer?.workerEnded('deadline')
        if (appError.code === 'RENDER_CRASHED') observer?.workerEnded('crash')
        throw appError
      } finally {
        signal?.removeEventListener('abort', drop)
        clearTimeout(timer)
        active--
        lastUsed = lastEnded = Date.now()
        startRest(pool)
        checkQuiet()
      }
    },
    // With RENDER_IDLE_TIMEOUT_MS, no worker runs while idle by design: ready to start one.
    ready: () => options.idleTimeoutMs > 0 || warm,
    whenQuiet(maxWaitMs) {
      if (options.idleTimeoutMs > 0 || (warm && active === 0)) return Promise.resolve()
      return new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined
        const release = () => {
          clearTimeout(timer)
          quietWaiters = quietWaiters.filter((w) => w !== release)
          resolve()
        }
        quietWaiters.push(release)
        // Counted from the end of the first boot (a failed one too), not from now.
        const armBackstop = () => (timer = setTimeout(release, maxWaitMs).unref())
        const boot = current ? booting.get(current) : undefined
        if (warm || !boot) armBackstop()
        else void boot.then(armBackstop)
      })
    },
    observe: (sink) => {
      observer = sink
      // The workers started before anyone was listening (the server forks the first one early).
      for (let i = 0; i < (current?.stats().totalWorkers ?? 0); i++) sink.workerStarted()
    },
    stats: () => {
      if (!current) return { busy: 0, idle: 0, pending: 0, total: 0 }
      const s = current.stats()
      return { busy: s.busyWorkers, idle: s.idleWorkers, pending: s.pendingTasks, total: s.totalWorkers }
    },
    close: async () => {
      clearInterval(reaper)
      for (let i = 0; i < (current?.stats().totalWorkers ?? 0); i++) observer?.workerEnded('shutdown')
      await current?.terminate(true)
      current = undefined
    },
  }
}

function toAppError(err: unknown, options: RenderPoolOptions): AppError {
  const e = err as Error & { vellumCode?: string; vellumIssues?: string }
  if (e?.name === 'AppError' && e.vellumCode && e.vellumCode in catalogue) {
    const issues = e.vellumIssues ? (JSON.parse(e.vellumIssues) as ValidationIssue[]) : []
    return new AppError(e.vellumCode as ErrorCode, e.message, issues.length ? { issues } : {})
  }
  if (err instanceof workerpool.Promise.TimeoutError) {
    return new AppError(
      'RENDER_TIMEOUT',
      `The render took longer than ${options.timeoutMs} ms (RENDER_TIMEOUT_MS) and was stopped`,
      { cause: err },
    )
  }
  if (/terminated|exited|killed|\bSIG[A-Z]+\b/.test(e?.message ?? '')) {
    return new AppError(
      'RENDER_CRASHED',
      `The renderer ran out of memory or crashed on this input (worker memory limit ${options.memoryMb} MB, RENDER_MEMORY_MB)`,
      { cause: err },
    )
  }
  return new AppError('RENDER_FAILED', `The render failed: ${e?.message ?? String(err)}`, { cause: err })
}
