/**
 * The file a render worker runs. The built server (bin/vellum, `npm start`) runs the bundle next
 * to it. From source (tsx: the test suite, `npx tsx src/cli/main.ts serve`) a worker runs the
 * bundle too when it was built from these very sources, that is, after the last change to any
 * file under src/ or patches/: it boots in about 1 s where the sources through tsx take 2.3 s,
 * and every test that starts a pool paid that (about a hundred boots a suite run). A source
 * edited since the build (or no build at all) runs through tsx as before, so a worker never runs
 * code older than the sources it was started from.
 */
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface WorkerEntry {
  file: string
  /** The esbuild bundle: needs no TypeScript loader. */
  bundled: boolean
}

const FROM_SOURCE = import.meta.url.endsWith('.ts')
const ROOT = fileURLToPath(new URL(FROM_SOURCE ? '../../../' : '../', import.meta.url))
const BUNDLE = join(ROOT, 'dist', 'render-worker.cjs')

let fromSourceChoice: WorkerEntry | undefined

export function renderWorkerEntry(): WorkerEntry {
  if (!FROM_SOURCE) return { file: fileURLToPath(new URL('./render-worker.cjs', import.meta.url)), bundled: true }
  return (fromSourceChoice ??= bundleIsCurrent()
    ? { file: BUNDLE, bundled: true }
    : { file: fileURLToPath(new URL('./render-worker.ts', import.meta.url)), bundled: false })
}

/** The bundle exists and is newer than every file it is built from (sources and dependency patches). */
export function bundleIsCurrent(bundle = BUNDLE, sources = [join(ROOT, 'src'), join(ROOT, 'patches')]): boolean {
  if (!existsSync(bundle)) return false
  const built = statSync(bundle).mtimeMs
  return sources.every((dir) => newestIn(dir) < built)
}

function newestIn(dir: string): number {
  if (!existsSync(dir)) return 0
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs)
  }
  return newest
}
