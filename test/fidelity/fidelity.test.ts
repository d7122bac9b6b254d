/**
 * The fidelity ratchet: every case is rendered in-process through the real pipeline and
 * compared with Chromium's committed reference. A case may not throw, and may not get worse
 * than the mismatch recorded in recorded.json (plus a small tolerance for anti-aliasing
 * noise), so fidelity only moves one way. After an improvement, `npm run fidelity -- --record`.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { PNG } from 'pngjs'
import { createRenderer } from '../../src/render/pipeline.js'
import { loadCases, loadRecorded, renderParams } from './cases.js'
import { compare } from './compare.js'
import { FIDELITY_LIMITS, RATCHET_TOLERANCE_PCT, WITHIN_PCT } from './limits.js'

const cases = loadCases()
const recorded = loadRecorded()
const renderer = createRenderer()

t.ok(cases.length >= 30, `at least 30 fidelity cases (${cases.length})`)

let within = 0
for (const c of cases) {
  t.test(c.name, async (t) => {
    const out = await renderer.render({ params: renderParams(c), limits: FIDELITY_LIMITS, fonts: [], images: {} })
    const { mismatchPct } = compare(PNG.sync.read(readFileSync(c.referencePath)), PNG.sync.read(Buffer.from(out.png)))
    if (mismatchPct <= WITHIN_PCT) within++
    const limit = recorded[c.name]
    t.ok(limit !== undefined, 'has a recorded mismatch (npm run fidelity -- --record)')
    t.ok(
      mismatchPct <= (limit ?? 0) + RATCHET_TOLERANCE_PCT,
      `mismatch ${mismatchPct.toFixed(2)} % is not worse than the recorded ${limit?.toFixed(2)} %`,
    )
  })
}

t.test('at least 90 % of the cases are within 5 % of Chromium', async (t) => {
  t.ok(within / cases.length >= 0.9, `${within} of ${cases.length} within ${WITHIN_PCT} %`)
})
