/**
 * The API side of the commit thread (commit-thread.ts): sends each image commit there and
 * resolves when it has committed. Should the thread fail (it never has), the commits in flight
 * reject and later ones run on the main connection as before, so a broken thread costs latency,
 * never data.
 */
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import type { CommitRequest, CommitResult } from '../port.js'

const IS_TS = import.meta.url.endsWith('.ts')

/** The bundle's dist/commit-thread.js; from the sources, the .ts module through ts-thread-entry.mjs. */
function threadStart(file: string): { entry: string; workerData: Record<string, string> } {
  if (!IS_TS) return { entry: fileURLToPath(new URL('./commit-thread.js', import.meta.url)), workerData: { file } }
  return {
    entry: fileURLToPath(new URL('./ts-thread-entry.mjs', import.meta.url)),
    workerData: { file, script: new URL('./commit-thread.ts', import.meta.url).href },
  }
}

type Pending = { resolve: (r: CommitResult) => void; reject: (e: Error) => void }

export class CommitWriter {
  #worker: Worker | undefined
  readonly #pending = new Map<number, Pending>()
  #next = 0
  #failed: Error | undefined
  #closed: Promise<void> | undefined

  /** `deferred`: the thread starts at start(); commits before that run inline, on the fallback. */
  constructor(
    private readonly file: string,
    private readonly fallback: (req: CommitRequest) => CommitResult,
    options: { deferred?: boolean } = {},
  ) {
    if (!options.deferred) this.start()
  }

  /** Starts the thread (once). A new isolate, its modules and a connection: ~150 ms of a core. */
  start(): void {
    if (this.#worker || this.#closed) return
    const start = threadStart(this.file)
    const worker = new Worker(start.entry, { workerData: start.workerData })
    this.#worker = worker
    // An idle thread is no reason to keep the process alive; a commit in flight or a close is.
    worker.unref()
    worker.on('message', (m: { id: number; result?: CommitResult; error?: { message: string; code?: string; name: string } }) => {
      const p = this.#pending.get(m.id)
      if (!p) return
      this.#pending.delete(m.id)
      if (this.#pending.size === 0 && !this.#closed) worker.unref()
      if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code, name: m.error.name }))
      else p.resolve(m.result!)
    })
    const fail = (err: Error) => {
      this.#failed ??= err
      for (const p of this.#pending.values()) p.reject(err)
      this.#pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => fail(new Error(`the SQLite commit thread exited (${code})`)))
  }

  commit(req: CommitRequest): Promise<CommitResult> {
    const worker = this.#worker
    if (!worker || this.#failed || this.#closed) return Promise.resolve().then(() => this.fallback(req))
    return new Promise((resolve, reject) => {
      const id = this.#next++
      if (this.#pending.size === 0) worker.ref()
      this.#pending.set(id, { resolve, reject })
      worker.postMessage({ id, req })
    })
  }

  /** Waits for the commits in flight, then ends the thread (which closes its connection). */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      const worker = this.#worker
      if (!worker) return
      worker.ref()
      while (this.#pending.size && !this.#failed) await new Promise((r) => setTimeout(r, 5))
      if (this.#failed) return
      const exited = new Promise<void>((r) => worker.once('exit', () => r()))
      worker.postMessage('close')
      await exited
    })()
    return this.#closed
  }
}
