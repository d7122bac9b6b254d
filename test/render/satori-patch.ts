/**
 * The guard every satori patch test starts with: both builds satori ships (index.js for ESM,
 * index.cjs for CommonJS) carry each patched fragment exactly once. It fails loudly, naming
 * the fragment, when an upgrade of satori no longer matches patches/satori+0.63.2.patch.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const DIST = join(dirname(require.resolve('satori/package.json')), 'dist')
const HINT = '(npm ci applies patches/satori+0.63.2.patch; regenerate it if satori was upgraded)'

/** `fragments`: what each part of the patch does → a string that only the patched code contains. */
export function satoriBuildsCarry(fragments: Record<string, string>): void {
  t.test('both satori builds carry the patch once', async (t) => {
    for (const file of ['index.js', 'index.cjs']) {
      const text = readFileSync(join(DIST, file), 'utf8')
      for (const [what, fragment] of Object.entries(fragments)) t.equal(text.split(fragment).length - 1, 1, `${file}: ${what} ${HINT}`)
    }
  })
}
