/**
 * What the built bundles (dist/, as `npm start` runs them: the API's and the render worker's)
 * leave out: code that no boot runs but that every process would still compile at start, on the
 * cold start's path. The build writes esbuild's metafile beside each bundle, naming every module
 * it took in, which is what is read here.
 */
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url))

function bundledModules(): string[] {
  const modules: string[] = []
  for (const file of readdirSync(DIST).filter((f) => f.endsWith('.meta.json'))) {
    const meta = JSON.parse(readFileSync(DIST + file, 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> }
    for (const output of Object.values(meta.outputs)) modules.push(...Object.keys(output.inputs).filter((m) => m.startsWith('node_modules/')))
  }
  return modules
}

t.test('both bundles are described', async (t) => {
  t.same(readdirSync(DIST).filter((f) => f.endsWith('.meta.json')).sort(), ['api.meta.json', 'render-worker.meta.json'])
  t.ok(bundledModules().some((m) => m.startsWith('node_modules/satori/')), "satori is in the render worker's")
})

t.test('the bundle is the one `npm test` just built', async (t) => {
  t.ok(bundledModules().some((m) => m.startsWith('node_modules/zod/')), 'zod is bundled (the API validates its config and requests with it)')
})

t.test("zod's translated error messages are left out: only English is used", async (t) => {
  // `import { z } from 'zod'` takes zod's whole namespace object, `z.locales` included: 64
  // translations, 755 KB of the API's first chunk and ~40 ms of every start on this VM (an A/B of
  // spawn → first PNG: median 727 → 623 ms). `import * as z` lets esbuild keep what is used.
  const locales = [...new Set(bundledModules().filter((m) => m.startsWith('node_modules/zod/v4/locales/')))]
  t.same(locales, ['node_modules/zod/v4/locales/en.js'])
})

t.test("css-tree's lexer (CSS grammar matching, never used) is left out", async (t) => {
  // src/css/css-tree.ts imports the parser, generator and walker alone: the package's main entry
  // builds the lexer from the whole grammar at import, 58 ms of each render worker's boot.
  t.same(bundledModules().filter((m) => m.startsWith('node_modules/css-tree/lib/lexer/')), [])
})
