// A thread started from the TypeScript sources (tests, `tsx src/cli/main.ts`): on Node 20 the tsx
// loader of the main thread does not reach worker threads, so this entry loads the .ts module
// through tsx's API. The built bundle starts dist/commit-thread.js directly and never uses it.
import { workerData } from 'node:worker_threads'
import { tsImport } from 'tsx/esm/api'

await tsImport(workerData.script, import.meta.url)
