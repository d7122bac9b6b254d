/**
 * From source, a render worker runs the built bundle only when it is newer than every source
 * file and patch: an edit since the build must run through tsx, never as stale bundled code.
 */
import t, { type Test } from 'tap'
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundleIsCurrent, renderWorkerEntry } from '../../../src/render/pool/worker-entry.js'

function tree(t: Test) {
  const root = mkdtempSync(join(tmpdir(), 'vellum-entry-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const file = (path: string, secondsAgo: number) => {
    const full = join(root, path)
    mkdirSync(join(full, '..'), { recursive: true })
    writeFileSync(full, '')
    const when = Date.now() / 1000 - secondsAgo
    utimesSync(full, when, when)
    return full
  }
  return { root, file }
}

t.test('the bundle built after the last source change is current', async (t) => {
  const { root, file } = tree(t)
  file('src/a.ts', 300)
  file('src/deep/er/b.ts', 200)
  file('patches/satori+1.patch', 250)
  const bundle = file('dist/render-worker.cjs', 100)
  t.equal(bundleIsCurrent(bundle, [join(root, 'src'), join(root, 'patches')]), true)
})

t.test('a source or a patch changed after the build makes it stale, at any depth', async (t) => {
  const { root, file } = tree(t)
  file('src/a.ts', 300)
  const bundle = file('dist/render-worker.cjs', 100)
  file('src/deep/er/b.ts', 10)
  t.equal(bundleIsCurrent(bundle, [join(root, 'src'), join(root, 'patches')]), false, 'an edited source')
  const other = tree(t)
  other.file('src/a.ts', 300)
  const built = other.file('dist/render-worker.cjs', 100)
  other.file('patches/satori+1.patch', 5)
  t.equal(bundleIsCurrent(built, [join(other.root, 'src'), join(other.root, 'patches')]), false, 'a newer patch')
})

t.test('no bundle: the sources run', async (t) => {
  const { root, file } = tree(t)
  file('src/a.ts', 300)
  t.equal(bundleIsCurrent(join(root, 'dist/render-worker.cjs'), [join(root, 'src')]), false)
})

t.test("this checkout's choice matches its own build state", async (t) => {
  const entry = renderWorkerEntry()
  t.equal(entry.bundled, bundleIsCurrent(), 'the bundle exactly when it is current')
  t.match(entry.file, entry.bundled ? /dist\/render-worker\.cjs$/ : /src\/render\/pool\/render-worker\.ts$/)
})
