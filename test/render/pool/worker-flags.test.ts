/**
 * Which of the parent's Node flags a render worker started from source keeps: tsx's hook in
 * either spelling, everything that is not a module hook; not a test runner's hooks, not --inspect.
 */
import t from 'tap'
import { withoutForeignHooks } from '../../../src/render/pool/worker-flags.js'

t.test('tsx is kept in both spellings; other hooks go with their values', async (t) => {
  // `node --import tsx bench/run.ts` gives two arguments: keeping `tsx` alone made the worker
  // run a module named tsx (the bench could not start a worker).
  t.same(withoutForeignHooks(['--import', 'tsx']), ['--import', 'tsx'])
  t.same(withoutForeignHooks(['--import=tsx']), ['--import=tsx'])
  t.same(
    withoutForeignHooks([
      '--import=file:///x/node_modules/@tapjs/mock/dist/esm/import.mjs', '--enable-source-maps',
      '--import', 'file:///x/node_modules/@tapjs/processinfo/dist/esm/import.mjs', '--import=tsx',
    ]),
    ['--enable-source-maps', '--import=tsx'],
    "tap's hooks are dropped, its other flags kept",
  )
  t.same(withoutForeignHooks(['-r', './agent.cjs', '--require=./other.cjs', '--max-old-space-size=96']), ['--max-old-space-size=96'])
  t.same(withoutForeignHooks(['--loader', 'tsx', '--experimental-loader=./x.mjs']), ['--loader', 'tsx'])
  t.same(withoutForeignHooks(['--inspect=9229', '--inspect-brk', '--expose-gc']), ['--expose-gc'])
})

t.test('a worker running the bundle keeps no loader at all, tsx included', async (t) => {
  t.same(withoutForeignHooks(['--import', 'tsx', '--enable-source-maps', '--import=tsx'], { keepTsx: false }), ['--enable-source-maps'])
})
