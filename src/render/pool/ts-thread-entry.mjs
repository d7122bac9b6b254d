// Running from TypeScript sources (tests, `tsx`): a worker thread does not inherit the tsx
// loader of its parent, so it registers tsx itself before loading the worker. The compiled
// build (dist/) starts render-worker.js directly and never loads this file.
import { register } from 'tsx/esm/api'

register()
await import('./render-worker.ts')
