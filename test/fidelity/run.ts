/**
 * `npm run fidelity [name…] [--record [--allow-worse]]`: renders every fidelity case through the real pipeline
 * (in-process, as a render worker would), compares each with Chromium's reference, prints the
 * mismatch table and writes a side-by-side report page (reference, Vellum, diff) under
 * test/fidelity/report/ (git-ignored). `--record` stores the current figures (whole picture and
 * ink) as the ratchet that test/fidelity/fidelity.test.ts holds every case to; it refuses a
 * figure worse than the one recorded unless `--allow-worse` is given.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { createRenderer } from '../../src/render/pipeline.js'
import { FIDELITY_DIR, RECORDED_FILE, loadCases, loadRecorded, renderParams, pageFaces } from './cases.js'
import { compare } from './compare.js'
import { FIDELITY_LIMITS, WITHIN_PCT } from './limits.js'

const args = process.argv.slice(2)
const record = args.includes('--record')
const allowWorse = args.includes('--allow-worse')
const only = args.filter((a) => !a.startsWith('--'))
const cases = loadCases(only)
const reportDir = join(FIDELITY_DIR, 'report')
mkdirSync(reportDir, { recursive: true })

const renderer = createRenderer()
const recorded = loadRecorded()
const rows: Array<{ name: string; pct: number | null; ink: number | null; note: string }> = []
for (const c of cases) {
  let note = ''
  let pct: number | null = null
  let ink: number | null = null
  try {
    const out = await renderer.render({ params: renderParams(c), limits: FIDELITY_LIMITS, fonts: [], pageFaces: await pageFaces(c), images: {} })
    const actual = PNG.sync.read(Buffer.from(out.png))
    const reference = PNG.sync.read(readFileSync(c.referencePath))
    const cmp = compare(reference, actual)
    pct = cmp.mismatchPct
    ink = cmp.inkMismatchPct
    if (cmp.referenceSize.join() !== cmp.actualSize.join()) note = `size ${cmp.actualSize.join('×')} vs ${cmp.referenceSize.join('×')}`
    writeFileSync(join(reportDir, `${c.name}.vellum.png`), PNG.sync.write(actual))
    writeFileSync(join(reportDir, `${c.name}.reference.png`), readFileSync(c.referencePath))
    writeFileSync(join(reportDir, `${c.name}.diff.png`), PNG.sync.write(cmp.diff))
    if (out.warnings.length) note += `${note ? '; ' : ''}dropped: ${out.warnings.length}`
  } catch (err) {
    note = `THROWS: ${(err as Error).message}`
  }
  rows.push({ name: c.name, pct, ink, note })
}

const within = rows.filter((r) => r.pct !== null && r.pct <= WITHIN_PCT).length
const width = Math.max(...rows.map((r) => r.name.length), 4)
console.log(`| ${'case'.padEnd(width)} | mismatch % | recorded | ink mismatch % | recorded | note`)
console.log(`|${'-'.repeat(width + 2)}|-----------:|---------:|---------------:|---------:|-----`)
for (const r of rows) {
  const pct = r.pct === null ? 'error' : r.pct.toFixed(2)
  const ink = r.ink === null ? 'error' : r.ink.toFixed(2)
  const rec = recorded[r.name]
  console.log(`| ${r.name.padEnd(width)} | ${pct.padStart(10)} | ${(rec ? rec.pixels.toFixed(2) : '-').padStart(8)} | ${ink.padStart(14)} | ${(rec ? rec.ink.toFixed(2) : '-').padStart(8)} | ${r.note}`)
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
  // The ratchet only tightens: a figure worse than its record is kept at the record (and the run
  // fails) unless --allow-worse says the change is meant (a new reference, a deliberate trade).
  const next = { ...recorded }
  const refused: string[] = []
  const round = (n: number) => Math.round(n * 100) / 100
  for (const r of rows) {
    if (r.pct === null || r.ink === null) continue
    const old = recorded[r.name]
    const pixels = round(r.pct)
    const ink = round(r.ink)
    if (old && !allowWorse && (pixels > old.pixels || ink > old.ink)) {
      refused.push(`${r.name}: ${pixels} % / ink ${ink} % is worse than the recorded ${old.pixels} % / ${old.ink} %`)
      next[r.name] = { pixels: Math.min(pixels, old.pixels), ink: Math.min(ink, Number.isFinite(old.ink) ? old.ink : ink) }
      continue
    }
    next[r.name] = { pixels, ink }
  }
  const sorted = Object.fromEntries(Object.entries(next).sort(([a], [b]) => a.localeCompare(b)))
  writeFileSync(RECORDED_FILE, JSON.stringify(sorted, null, 2) + '\n')
  console.log(`recorded ${rows.length - refused.length} cases in ${RECORDED_FILE}`)
  if (refused.length) {
    console.log(`not recorded (worse; --allow-worse records them):\n  ${refused.join('\n  ')}`)
    process.exitCode = 1
  }
}
if (rows.some((r) => r.pct === null)) process.exitCode = 1
