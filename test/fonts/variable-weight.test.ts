/**
 * Variable fonts at a weight (src/fonts/variable-weight.ts): the `wght` axis is read from `fvar`,
 * and HarfBuzz's instancer writes a static font at the asked weight. Fidelity case
 * 81-variable-font holds a page's variable face at 300, 500, 800 and 900 against Chromium's.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as fontkit from 'fontkit'
import { toSfnt } from '../../src/fonts/sfnt.js'
import { instanceAtWeight, instancerLoaded, weightAxis } from '../../src/fonts/variable-weight.js'

const require = createRequire(import.meta.url)
const file = (pkg: string, name: string) => readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), 'files', name))
const INTER_VAR = file('@fontsource-variable/inter', 'inter-latin-wght-normal.woff2')
const ROBOTO = file('@fontsource/roboto', 'roboto-latin-400-normal.woff2')

const advance = (sfnt: Buffer, ch: string) => {
  const font = fontkit.create(sfnt) as fontkit.Font
  return font.glyphForCodePoint(ch.codePointAt(0)!).advanceWidth
}

t.test('the wght axis of a variable font; none in a static one', async (t) => {
  t.same(weightAxis(await toSfnt(INTER_VAR)), { min: 100, default: 400, max: 900 })
  t.equal(weightAxis(await toSfnt(ROBOTO)), undefined)
})

t.test('an instance is a static font with the outlines and widths of its weight', async (t) => {
  const sfnt = await toSfnt(INTER_VAR)
  const light = await instanceAtWeight(sfnt, 300)
  const black = await instanceAtWeight(sfnt, 900)
  t.equal(weightAxis(light), undefined, 'no wght axis left')
  t.equal(weightAxis(black), undefined)
  t.ok(advance(light, 'H') < advance(sfnt, 'H'), `H is narrower at 300 (${advance(light, 'H')}) than at the default 400 (${advance(sfnt, 'H')})`)
  t.ok(advance(black, 'H') > advance(sfnt, 'H'), `and wider at 900 (${advance(black, 'H')})`)
  t.equal(advance(await instanceAtWeight(sfnt, 900), 'H'), advance(black, 'H'), 'the same instance every time')
})

t.test('a file that is no font is refused with an error, not a crash', async (t) => {
  await t.rejects(instanceAtWeight(Buffer.from('not a font at all, not even close'), 700))
})

t.test('after a large font the instancer is dropped, its memory with it; small ones keep it loaded', async (t) => {
  const sfnt = await toSfnt(INTER_VAR)
  const kept = await instanceAtWeight(sfnt, 700)
  t.equal(instancerLoaded(), true, `a ${sfnt.byteLength}-byte font leaves the instancer loaded`)
  // A bound below this font's size stands in for a multi-megabyte face.
  const dropped = await instanceAtWeight(sfnt, 700, 1024)
  t.equal(instancerLoaded(), false, 'a font over the bound: its memory is let go')
  t.ok(dropped.equals(kept), 'and its instance is the same')
  t.ok((await instanceAtWeight(sfnt, 700)).equals(kept), 'the next call loads a fresh instancer from the compiled module')
  t.equal(instancerLoaded(), true)
})
