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
  readonly #worker: Worker
  readonly #pending = new Map<number, Pending>()
  #next = 0
  #failed: Error | undefined
  #closed: Promise<void> | undefined

  constructor(
    file: string,
    private readonly fallback: (req: CommitRequest) => CommitResult,
  ) {
    const start = threadStart(file)
    this.#worker = new Worker(start.entry, { workerData: start.workerData })
    // An idle thread is no reason to keep the process alive; a commit in flight or a close is.
    this.#worker.unref()
    this.#worker.on('message', (m: { id: number; result?: CommitResult; error?: { message: string; code?: string; name: string } }) => {
      const p = this.#pending.get(m.id)
      if (!p) return
      this.#pending.delete(m.id)
      if (this.#pending.size === 0 && !this.#closed) this.#worker.unref()
      if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code, name: m.error.name }))
      else p.resolve(m.result!)
    })
    const fail = (err: Error) => {
      this.#failed ??= err
      for (const p of this.#pending.values()) p.reject(err)
      this.#pending.clear()
    }
    this.#worker.on('error', fail)
    this.#worker.on('exit', (code) => fail(new Error(`the SQLite commit thread exited (${code})`)))
  }

  commit(req: CommitRequest): Promise<CommitResult> {
    if (this.#failed || this.#closed) return Promise.resolve().then(() => this.fallback(req))
    return new Promise((resolve, reject) => {
      const id = this.#next++
      if (this.#pending.size === 0) this.#worker.ref()
      this.#pending.set(id, { resolve, reject })
      this.#worker.postMessage({ id, req })
    })
  }

  /** Waits for the commits in flight, then ends the thread (which closes its connection). */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#worker.ref()
      while (this.#pending.size && !this.#failed) await new Promise((r) => setTimeout(r, 5))
      if (this.#failed) return
      const exited = new Promise<void>((r) => this.#worker.once('exit', () => r()))
      this.#worker.postMessage('close')
      await exited
    })()
    return this.#closed
  }
}
