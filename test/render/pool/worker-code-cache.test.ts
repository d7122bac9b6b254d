/**
 * The render worker's bundle loads with V8's code cache: written once after a first render, taken
 * by every later worker with the same bundle, Node and flags, refused (and rewritten) when V8
 * refuses it, never taken for another build. The last test boots the built worker itself twice:
 * it fails loudly should a Node upgrade stop V8 from accepting the cache the worker writes.
 */
import t, { type Test } from 'tap'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import workerpool from 'workerpool'
import { MAX_CACHES, cacheDirs, cacheName } from '../../../src/render/pool/worker-code-cache.js'
import { renderWorkerEntry } from '../../../src/render/pool/worker-entry.js'

function scratch(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'vellum-code-cache-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

// Enough functions that the cache is more than a header; a lazy require, as the worker's bundle
// has; wrapped in the module function, as the build writes the worker's bundle.
const BUNDLE = `(function (exports, require, module, __filename, __dirname) { 'use strict';
function square(x) { return x * x }
exports.sum = (n) => { let s = 0; for (let i = 0; i < n; i++) s += square(i); return s }
exports.load = () => Promise.resolve().then(() => typeof require('node:path').join)
exports.file = __filename
})`

const MODULE = fileURLToPath(new URL('../../../src/render/pool/worker-code-cache.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Each load in a process of its own, as each worker is: within one process V8 reuses what it
 * compiled already and never looks at the cached data. The script is the same for every load (it
 * is in execArgv, which names the cache).
 */
function load(bundle: string, dirs: string[], save: boolean): { state: string; sum: number; file: string; imported: string; written: boolean; name: string } {
  const script = `
    import { existsSync } from 'node:fs'
    import { join } from 'node:path'
    import { cacheName, loadCodeCached } from ${JSON.stringify(MODULE)}
    const dirs = ${JSON.stringify(dirs)}
    const m = loadCodeCached(${JSON.stringify(bundle)}, dirs)
    const imported = await m.exports.load()
    const before = dirs.some((d) => existsSync(join(d, cacheName(${JSON.stringify(bundle)}))))
    if (process.env.SAVE === '1') m.save()
    console.log(JSON.stringify({ state: m.state, sum: m.exports.sum(4), file: m.exports.file, imported, written: before, name: cacheName(${JSON.stringify(bundle)}) }))`
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SAVE: save ? '1' : '0' } })
  return JSON.parse(out) as ReturnType<typeof load>
}

t.test('a first load misses, writes the cache when asked, and the next load takes it', async (t) => {
  const dir = scratch(t)
  const bundle = join(dir, 'bundle.cjs')
  writeFileSync(bundle, BUNDLE)
  const dirs = [join(dir, 'cache')]

  const first = load(bundle, dirs, true)
  t.equal(first.state, 'miss')
  t.equal(first.sum, 14, 'the bundle runs')
  t.equal(first.file, bundle, 'with its own __filename, as require gives it')
  t.equal(first.imported, 'function', 'require inside the bundle resolves as in a module')
  t.equal(first.written, false, 'nothing written before save()')
  t.same(readdirSync(join(dir, 'cache')), [first.name], 'written by save(), no temporary file left')

  const second = load(bundle, dirs, true)
  t.equal(second.state, 'hit')
  t.equal(second.sum, 14)
})

t.test('another build of the bundle never takes the old cache', async (t) => {
  const dir = scratch(t)
  const bundle = join(dir, 'bundle.cjs')
  writeFileSync(bundle, BUNDLE)
  const dirs = [join(dir, 'cache')]
  load(bundle, dirs, true)
  // Same length, other code: V8 itself checks only the length, so the name must differ.
  writeFileSync(bundle, BUNDLE.replace('x * x', 'x + x'))
  const later = Date.now() / 1000 + 5
  utimesSync(bundle, later, later)
  const rebuilt = load(bundle, dirs, false)
  t.equal(rebuilt.state, 'miss')
  t.equal(rebuilt.sum, 12, 'the new code runs')
})

t.test('a cache V8 refuses is reported, the bundle still runs, and save() replaces it', async (t) => {
  const dir = scratch(t)
  const bundle = join(dir, 'bundle.cjs')
  writeFileSync(bundle, BUNDLE)
  const dirs = [join(dir, 'cache')]
  const { name } = load(bundle, dirs, false)
  mkdirSync(dirs[0]!, { recursive: true })
  writeFileSync(join(dirs[0]!, name), Buffer.alloc(4096, 7))
  const refused = load(bundle, dirs, true)
  t.equal(refused.state, 'rejected')
  t.equal(refused.sum, 14)
  t.equal(load(bundle, dirs, false).state, 'hit')
})

t.test('where the first place is not writable, the cache goes to the next', async (t) => {
  const dir = scratch(t)
  const bundle = join(dir, 'bundle.cjs')
  writeFileSync(bundle, BUNDLE)
  // A file where the first directory would be: mkdir fails there, as on a read-only install.
  writeFileSync(join(dir, 'blocked'), '')
  const dirs = [join(dir, 'blocked', 'cache'), join(dir, 'fallback')]
  const { name } = load(bundle, dirs, true)
  t.ok(existsSync(join(dir, 'fallback', name)))
  t.equal(load(bundle, dirs, false).state, 'hit')
})

t.test('a cache directory others can write to, or that another user owns, is neither read nor written', async (t) => {
  const dir = scratch(t)
  const bundle = join(dir, 'bundle.cjs')
  writeFileSync(bundle, BUNDLE)
  const dirs = [join(dir, 'cache')]
  const { name } = load(bundle, dirs, true)
  t.equal(statSync(dirs[0]!).mode & 0o777, 0o700, 'created for this user alone')
  t.equal(load(bundle, dirs, false).state, 'hit')
  const written = statSync(join(dirs[0]!, name)).mtimeMs
  // As if another local user had made the (temp) directory first and left bytecode in it.
  chmodSync(dirs[0]!, 0o777)
  t.equal(load(bundle, dirs, true).state, 'miss', 'world-writable: not read')
  chmodSync(dirs[0]!, 0o700)
  chownSync(dirs[0]!, 65534, 65534)
  t.equal(load(bundle, dirs, true).state, 'miss', "another user's: not read")
  t.same(readdirSync(dirs[0]!), [name], 'nor written')
  t.equal(statSync(join(dirs[0]!, name)).mtimeMs, written, 'the file there is the one written before')
})

t.test('a directory keeps the MAX_CACHES newest caches', async (t) => {
  const dir = scratch(t)
  const bundle = join(dir, 'bundle.cjs')
  writeFileSync(bundle, BUNDLE)
  const cache = join(dir, 'cache')
  mkdirSync(cache, { mode: 0o700 })
  // Caches of other builds or flag sets, oldest first.
  const old = Array.from({ length: MAX_CACHES }, (_, i) => `render-worker-${String(i).padStart(20, '0')}.bin`)
  old.forEach((name, i) => {
    writeFileSync(join(cache, name), 'x')
    const when = Date.now() / 1000 - 1000 + i
    utimesSync(join(cache, name), when, when)
  })
  const { name } = load(bundle, [cache], true)
  const kept = readdirSync(cache).sort()
  t.equal(kept.length, MAX_CACHES)
  t.ok(kept.includes(name), 'the new one')
  t.notOk(kept.includes(old[0]!), 'the oldest went')
})

t.test('the cache beside the bundle comes first, the temp directory after it', async (t) => {
  const dirs = cacheDirs('/opt/vellum/dist/render-worker-main.cjs')
  t.equal(dirs[0], '/opt/vellum/dist/.v8-cache')
  t.equal(dirs[1], join(tmpdir(), `vellum-v8-cache-${process.getuid!()}`))
})

t.test('the built worker writes its cache after its first render and the next worker takes it', async (t) => {
  const entry = renderWorkerEntry()
  t.ok(entry.bundled, 'dist/ is built from these sources (`npm test` builds it first)')
  if (!entry.bundled) return
  // Flags of their own, so this test's cache is its own and starts absent.
  const execArgv = ['--expose-gc', `--stack-size=${900 + (process.pid % 97)}`]
  const job = {
    // SVG text loads fontkit and wawoff2 lazily: the bundle's import() of a package works.
    params: { html: '<p style="display:flex">code cache <svg width="40" height="20"><text x="0" y="15">SVG</text></svg></p>', css: '', googleFonts: [], deviceScale: 1, viewportWidth: 200, viewportHeight: 60, transparentBackground: false, disableTwemoji: false },
    limits: { elements: 100, depth: 20, outputPixels: 1e6, imagePixels: 1, imagesPerRender: 0, shadowBlurPx: 0, shadowSpreadPx: 0, shadows: 0, memoryBudgetBytes: 1e8 },
    fonts: [],
    images: {},
  }
  const boot = async () => {
    const pool = workerpool.pool(entry.file, { workerType: 'process', maxWorkers: 1, forkOpts: { serialization: 'advanced', execArgv } })
    try {
      const info = (await pool.exec('bootInfo')) as { codeCache: string }
      const result = (await pool.exec('render', [job])) as { png: Uint8Array }
      // The cache is written just after the answer is sent.
      await new Promise((r) => setTimeout(r, 300))
      return { state: info.codeCache, png: Buffer.from(result.png) }
    } finally {
      await pool.terminate()
    }
  }
  const first = await boot()
  t.equal(first.state, 'miss', 'no cache for these flags yet')
  const second = await boot()
  t.equal(second.state, 'hit', 'V8 took the cache the first worker wrote')
  t.ok(second.png.equals(first.png), 'and the worker draws the same picture')
  const main = entry.file.replace(/render-worker\.cjs$/, 'render-worker-main.cjs')
  const source = readFileSync(main, 'utf8')
  t.notOk(/[^\x00-\xff]/.test(source), 'the bundle is Latin-1 text: V8 keeps it one byte a character')
  const written = join(cacheDirs(main)[0]!, cacheName(main, execArgv))
  t.ok(existsSync(written), 'beside the bundle')
  rmSync(written, { force: true })
})
