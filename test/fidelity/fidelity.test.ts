/**
 * The fidelity ratchet: every case is rendered in-process through the real pipeline and
 * compared with Chromium's committed reference. A case may not throw, and neither of its
 * figures (whole picture, ink: compare.ts) may get worse than recorded in recorded.json beyond
 * a tolerance relative to the record (limits.ts), so fidelity only moves one way. After an
 * improvement, `npm run fidelity -- <case> --record` (which refuses to record a worse figure).
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { PNG } from 'pngjs'
import { createRenderer } from '../../src/render/pipeline.js'
import { loadCases, loadRecorded, renderParams, pageFaces } from './cases.js'
import { compare } from './compare.js'
import { FIDELITY_LIMITS, INK_WITHIN_PCT, ratchetLimit, WITHIN_PCT } from './limits.js'

const cases = loadCases()
const recorded = loadRecorded()
const renderer = createRenderer()

t.ok(cases.length >= 30, `at least 30 fidelity cases (${cases.length})`)

let within = 0
let inkWithin = 0
for (const c of cases) {
  t.test(c.name, async (t) => {
    const out = await renderer.render({ params: renderParams(c), limits: FIDELITY_LIMITS, fonts: [], pageFaces: await pageFaces(c), images: {} })
    const { mismatchPct, inkMismatchPct } = compare(PNG.sync.read(readFileSync(c.referencePath)), PNG.sync.read(Buffer.from(out.png)))
    if (mismatchPct <= WITHIN_PCT) within++
    if (inkMismatchPct <= INK_WITHIN_PCT) inkWithin++
    const limit = recorded[c.name]
    t.ok(limit !== undefined, 'has recorded mismatches (npm run fidelity -- <case> --record)')
    if (!limit) return
    t.ok(
      mismatchPct <= ratchetLimit(limit.pixels, 'pixels'),
      `mismatch ${mismatchPct.toFixed(2)} % is not worse than the recorded ${limit.pixels.toFixed(2)} % (limit ${ratchetLimit(limit.pixels, 'pixels').toFixed(2)})`,
    )
    t.ok(
      inkMismatchPct <= ratchetLimit(limit.ink, 'ink'),
      `ink mismatch ${inkMismatchPct.toFixed(2)} % is not worse than the recorded ${limit.ink.toFixed(2)} % (limit ${ratchetLimit(limit.ink, 'ink').toFixed(2)})`,
    )
  })
}

t.test('at least 90 % of the cases are within 5 % of Chromium', async (t) => {
  t.ok(within / cases.length >= 0.9, `${within} of ${cases.length} within ${WITHIN_PCT} %`)
  // Reported, held by each case's own ratchet: the cases above it are the fidelity work left.
  t.comment(`${inkWithin} of ${cases.length} within ${INK_WITHIN_PCT} % of their ink`)
})
