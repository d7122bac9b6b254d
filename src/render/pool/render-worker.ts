/**
 * Entry of a render worker process. Running renders in child processes (not threads) is what
 * lets the API kill a runaway native resvg render and cap its memory with an rlimit: measured on
 * this stack, a thread cannot stop native code, and an allocation failure in a thread aborts the
 * process.
 *
 * Built, this file is `dist/render-worker.cjs` and the worker itself `dist/render-worker-main.cjs`,
 * loaded with V8's code cache (worker-code-cache.ts); from source both run through tsx.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadCodeCached } from './worker-code-cache.js'
import type { startRenderWorker } from './render-worker-main.js'

// When a container's memory runs out anyway, the kernel kills the process with the highest OOM
// score. That must be a render worker (the pool replaces it; its render fails with a 422), never
// the API process holding every other request. Raising one's own score needs no privilege. It is
// written before the worker's code loads: with the worker's modules imported statically, a worker
// spent its boot (satori, fonts: ~95 MB) at the API's score, and an OOM in a 256 MiB container
// during a replacement's boot killed the API process (dmesg: oom_score_adj 0, the API's size).
try {
  writeFileSync('/proc/self/oom_score_adj', '1000')
} catch {
  // not Linux, or /proc is read-only: nothing to prefer
}

type Main = { startRenderWorker: typeof startRenderWorker }

if (import.meta.url.endsWith('.ts')) {
  // A variable, so the bundler leaves the worker out of this small entry.
  const main = './render-worker-main.js'
  void (import(main) as Promise<Main>).then((m) => m.startRenderWorker())
} else {
  const main = loadCodeCached(fileURLToPath(new URL('./render-worker-main.cjs', import.meta.url)))
  ;(main.exports as Main).startRenderWorker({ codeCache: main.state, afterFirstRender: () => main.save() })
}
