/**
 * Loads the render worker's CommonJS bundle with V8's code cache: the bytecode of every function
 * a worker compiled during its warm-up and first render, kept on disk, so the next worker (a
 * restart, a replacement after a crash, the second worker of a pool) skips parsing and compiling
 * 5 MB of JavaScript. Spawn to ready went 285 → 220 ms on this VM (bench/tmp/wboot3.mjs), and the
 * worker's boot is what a cold start waits for.
 *
 * Node 20 has no module compile cache (`module.enableCompileCache` is Node 22), and ES modules
 * take no cached data without --experimental-vm-modules; a CommonJS script through `vm.Script`
 * does, which is why the worker's bundle is CommonJS. `v8-compile-cache` does the same for every
 * `require` but writes its cache at process exit, which a worker that is killed and replaced
 * rarely reaches; here it is the one bundle, written once after its first render.
 *
 * V8 checks the cache against its own version and flags (a worker's heap flags change with the
 * memory plan) and only the source's length, so the file name carries what V8 does not check:
 * the bundle's size and modification time, with Node's version and the worker's flags so two plans
 * on one machine do not overwrite each other's cache. Only Node builtins are imported here: this
 * module loads before the worker has raised its OOM score (render-worker.ts).
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import Module from 'node:module'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Script } from 'node:vm'

export type CodeCacheState = 'hit' | 'miss' | 'rejected'

/**
 * Caches kept per directory (~3 MB each): one per build, Node and flag set, and a server uses one
 * flag set, so a handful covers plan changes; the oldest go when a new one is written.
 */
export const MAX_CACHES = 8

export interface CodeCachedModule {
  exports: Record<string, unknown>
  /** Whether V8 took the cache on disk: a miss is a first boot (or a new build, Node, or plan). */
  state: CodeCacheState
  /** Writes the cache, with every function compiled so far, unless it was a hit. At most once. */
  save(): void
}

/** This process's user (0 where the platform has none: Windows). */
const currentUid = (): number => (typeof process.getuid === 'function' ? process.getuid() : 0)

/** Where caches go: beside the bundle (a rebuild removes them with dist/), else the temp dir (a read-only install). */
export function cacheDirs(bundle: string): string[] {
  return [join(dirname(bundle), '.v8-cache'), join(tmpdir(), `vellum-v8-cache-${currentUid()}`)]
}

export function cacheName(bundle: string, flags: readonly string[] = process.execArgv): string {
  const { size, mtimeMs } = statSync(bundle)
  const key = createHash('sha256').update(JSON.stringify([process.version, process.arch, flags, size, mtimeMs])).digest('hex').slice(0, 20)
  return `render-worker-${key}.bin`
}

/**
 * A cache is code the worker runs: only a directory this user owns, that no one else can write
 * to and that is not a link is read or written. Another local user could otherwise create the
 * temp directory's path first and leave bytecode in it.
 */
export function trustedDir(dir: string): boolean {
  try {
    const st = lstatSync(dir)
    return st.isDirectory() && st.uid === currentUid() && (st.mode & 0o022) === 0
  } catch {
    return false
  }
}

function readFirst(dirs: string[], name: string): Buffer | undefined {
  for (const dir of dirs) {
    if (!trustedDir(dir)) continue
    try {
      return readFileSync(join(dir, name))
    } catch {
      // not there, try the next
    }
  }
  return undefined
}

/** Removes all but the MAX_CACHES most recently written caches in `dir`. */
function prune(dir: string): void {
  try {
    const caches = readdirSync(dir)
      .filter((f) => /^render-worker-[0-9a-f]+\.bin$/.test(f))
      .map((f) => ({ path: join(dir, f), mtime: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime)
    for (const old of caches.slice(MAX_CACHES)) rmSync(old.path, { force: true })
  } catch {
    // another worker pruned the same file first: the next write prunes again
  }
}

/**
 * Runs `bundle` as `require` would, with its code cache when one matches. The bundle is a
 * CommonJS module already wrapped in its module function (`(function (exports, require, module,
 * __filename, __dirname) { … })`, as the build writes it): compiled as read, with no second copy
 * of the source. Its text is Latin-1 (the build strips comments, which held a few typographic
 * quotes): one character past it makes V8 keep the whole 4 MB source two bytes a character.
 */
export function loadCodeCached(bundle: string, dirs = cacheDirs(bundle)): CodeCachedModule {
  const name = cacheName(bundle)
  const cachedData = readFirst(dirs, name)
  const script = new Script(readFileSync(bundle, 'utf8'), {
    filename: bundle,
    cachedData,
    // No import() callback: Node 20 honours none without --experimental-vm-modules, so the bundle
    // is built without import() (esbuild's --supported:dynamic-import=false turns each into a
    // require, and the worker's lazy packages are CommonJS).
  })
  const state: CodeCacheState = cachedData === undefined ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit'
  const module = { exports: {} as Record<string, unknown> }
  const run = script.runInThisContext() as (...args: unknown[]) => void
  run.call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, dirname(bundle))
  let saved = state === 'hit'
  return {
    exports: module.exports,
    state,
    save() {
      if (saved) return
      saved = true
      const data = script.createCachedData()
      for (const dir of dirs) {
        try {
          mkdirSync(dir, { recursive: true, mode: 0o700 })
          if (!trustedDir(dir)) continue
          // Renamed into place: two workers booting together never read half a file.
          const tmp = join(dir, `${name}.${process.pid}.tmp`)
          writeFileSync(tmp, data)
          renameSync(tmp, join(dir, name))
          prune(dir)
          return
        } catch {
          // not writable: the next place, or none (every boot then compiles, as without a cache)
        }
      }
    },
  }
}
