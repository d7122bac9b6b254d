/**
 * The render worker itself, started by render-worker.ts once the process has marked itself as the
 * one to kill first. Each worker owns its fonts and renderer; the API process only sends plain jobs.
 * No top-level await: built, this is a CommonJS bundle (for V8's code cache, worker-code-cache.ts).
 */
import workerpool from 'workerpool'
import { createRenderer } from '../pipeline.js'
import { AppError } from '../../errors/catalogue.js'
import type { RenderJob } from '../job.js'
import type { CodeCacheState } from './worker-code-cache.js'

const collect = (globalThis as { gc?: (options: { type: 'minor' | 'major' }) => void }).gc

export interface WorkerBoot {
  /** How the bundle loaded (worker-code-cache.ts); absent from source. */
  codeCache?: CodeCacheState
  /** Called once, after the first render's result is on its way. */
  afterFirstRender?: () => void
}

export function startRenderWorker(boot: WorkerBoot = {}): void {
  const renderer = createRenderer()
  let rendered = false

  async function render(job: RenderJob) {
    // The parent's deadline starts here, so a worker's boot never counts against a render.
    workerpool.workerEmit('started')
    let failed = true
    try {
      const result = await renderer.render(job)
      failed = false
      return result
    } catch (err) {
      if (err instanceof AppError) {
        // workerpool copies own properties of thrown errors; keep only what the parent rebuilds
        // (the issues too: a selector that matches nothing is a validation error with a field).
        // Issues travel as JSON text: workerpool stringifies errors with their own property names
        // as the key list, which would strip `path` from every nested issue.
        throw Object.assign(new Error(err.message), { name: 'AppError', vellumCode: err.code, vellumIssues: JSON.stringify(err.issues ?? []) })
      }
      throw err
    } finally {
      // resvg's pixmaps live in native memory, freed only when their small JS wrappers are
      // collected, and V8 does not know their size (2.7.0-alpha.2 does not report it either). The
      // wrappers die young: a scavenge right after the render frees them at once. It runs once
      // the result is on its way (setImmediate comes after workerpool sends it), so its 1–2 ms
      // are not in the render's latency.
      //
      // A render that failed may have built a large tree first (a refused 95,000-deep document):
      // it is garbage in old space, which V8 collects late since it does not know the worker's
      // data rlimit. A full collection after a failure keeps it from adding up until a later render
      // dies of it (a failed batch's four deep documents, then 500 KB of text, did: bombs test).
      // It runs before the error is sent, so the next job never starts on top of that garbage.
      if (failed) collect?.({ type: 'major' })
      else setImmediate(() => collect?.({ type: 'minor' }))
      // After the first render, not the warm-up: the cache then holds what real pages compile
      // (flex, raster, PNG paths the warm-up's two paragraphs do not reach).
      if (!failed && !rendered) {
        rendered = true
        setImmediate(() => boot.afterFirstRender?.())
      }
    }
  }

  // Parse the fonts and start the layout engine before taking work: the first real render then
  // costs what every other one does, and its deadline measures the render, not the warm-up.
  void renderer.warmUp().then(() => workerpool.worker({ render, bootInfo: () => ({ codeCache: boot.codeCache ?? null }) }))
}

