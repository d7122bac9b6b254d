/**
 * `npm run fidelity [name…] [--record]`: renders every fidelity case through the real pipeline
 * (in-process, as a render worker would), compares each with Chromium's reference, prints the
 * mismatch table and writes a side-by-side report page (reference, Vellum, diff) under
 * test/fidelity/report/ (git-ignored). `--record` stores the current mismatches as the
 * ratchet that test/fidelity/fidelity.test.ts holds every case to.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { createRenderer } from '../../src/render/pipeline.js'
import { FIDELITY_DIR, RECORDED_FILE, loadCases, loadRecorded, renderParams } from './cases.js'
import { compare } from './compare.js'
import { FIDELITY_LIMITS, WITHIN_PCT } from './limits.js'

const args = process.argv.slice(2)
const record = args.includes('--record')
const only = args.filter((a) => !a.startsWith('--'))
const cases = loadCases(only)
const reportDir = join(FIDELITY_DIR, 'report')
mkdirSync(reportDir, { recursive: true })

const renderer = createRenderer()
const recorded = loadRecorded()
const rows: Array<{ name: string; pct: number | null; note: string }> = []
for (const c of cases) {
  let note = ''
  let pct: number | null = null
  try {
    const out = await renderer.render({ params: renderParams(c), limits: FIDELITY_LIMITS, fonts: [], images: {} })
    const actual = PNG.sync.read(Buffer.from(out.png))
    const reference = PNG.sync.read(readFileSync(c.referencePath))
    const cmp = compare(reference, actual)
    pct = cmp.mismatchPct
    if (cmp.referenceSize.join() !== cmp.actualSize.join()) note = `size ${cmp.actualSize.join('×')} vs ${cmp.referenceSize.join('×')}`
    writeFileSync(join(reportDir, `${c.name}.vellum.png`), PNG.sync.write(actual))
    writeFileSync(join(reportDir, `${c.name}.reference.png`), readFileSync(c.referencePath))
    writeFileSync(join(reportDir, `${c.name}.diff.png`), PNG.sync.write(cmp.diff))
    if (out.warnings.length) note += `${note ? '; ' : ''}dropped: ${out.warnings.length}`
  } catch (err) {
    note = `THROWS: ${(err as Error).message}`
  }
  rows.push({ name: c.name, pct, note })
}

const within = rows.filter((r) => r.pct !== null && r.pct <= WITHIN_PCT).length
const width = Math.max(...rows.map((r) => r.name.length), 4)
console.log(`| ${'case'.padEnd(width)} | mismatch % | recorded | note`)
console.log(`|${'-'.repeat(width + 2)}|-----------:|---------:|-----`)
for (const r of rows) {
  const pct = r.pct === null ? 'error' : r.pct.toFixed(2)
  const rec = recorded[r.name] === undefined ? '-' : recorded[r.name]!.toFixed(2)
  console.log(`| ${r.name.padEnd(width)} | ${pct.padStart(10)} | ${rec.padStart(8)} | ${r.note}`)
}
console.log(`\n${within} of ${rows.length} cases within ${WITHIN_PCT} % of Chromium (${((within / rows.length) * 100).toFixed(0)} %)`)

const cell = (src: string) => `<td><img src="${src}"></td>`
const html = `<!doctype html><meta charset="utf-8"><title>Vellum fidelity</title>
<style>body{font:14px sans-serif;margin:16px}td{vertical-align:top;padding:4px;border-bottom:1px solid #ccc}
img{max-width:600px;border:1px solid #ddd;background:repeating-conic-gradient(#eee 0 25%,#fff 0 50%) 0 0/16px 16px}
h2{font-size:15px;margin:24px 0 4px}.bad{color:#b00}</style>
<h1>Vellum vs Chromium</h1><p>${within} of ${rows.length} cases within ${WITHIN_PCT} %.</p>
<table><tr><th>case</th><th>Chromium</th><th>Vellum</th><th>diff</th></tr>
${rows
  .map(
    (r) =>
      `<tr><td><h2 class="${r.pct === null || r.pct > WITHIN_PCT ? 'bad' : ''}">${r.name}</h2>${r.pct === null ? 'error' : `${r.pct.toFixed(2)} %`}<br>${r.note.replace(/</g, '&lt;')}</td>` +
      cell(`${r.name}.reference.png`) + cell(`${r.name}.vellum.png`) + cell(`${r.name}.diff.png`) + '</tr>',
  )
  .join('\n')}</table>`
writeFileSync(join(reportDir, 'index.html'), html)
console.log(`report: ${join(reportDir, 'index.html')}`)

if (record) {
  const next = { ...(only.length ? recorded : {}) }
  for (const r of rows) if (r.pct !== null) next[r.name] = Math.round(r.pct * 100) / 100
  const sorted = Object.fromEntries(Object.entries(next).sort(([a], [b]) => a.localeCompare(b)))
  writeFileSync(RECORDED_FILE, JSON.stringify(sorted, null, 2) + '\n')
  console.log(`recorded ${rows.length} mismatches in ${RECORDED_FILE}`)
}
if (rows.some((r) => r.pct === null)) process.exitCode = 1
