/**
 * The pre-layout estimate: pages inside every documented limit that satori cannot lay out
 * within a worker's budget are refused before it starts, naming the budget's variable; the
 * fidelity cases and bench cards pass even the low-memory profile's budget.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRenderer } from '../../../src/render/pipeline.js'
import { buildDocument } from '../../../src/render/stages/build-document.js'
import { estimateLayout } from '../../../src/render/stages/layout-cost.js'
import { budgetUnderDataLimit } from '../../../src/render/stages/memory-budget.js'
import { loadCases, renderParams } from '../../fidelity/cases.js'
import { decodePng, renderJob } from '../../helper.js'

const MB = 1024 * 1024
/** What RENDER_MEMORY_MB=384 (the low-memory profile) leaves a render. */
const LOW_MEMORY_BUDGET = budgetUnderDataLimit(384) * MB
const job = renderJob
const renderer = createRenderer()
const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor '
const text = (n: number) => words.repeat(Math.ceil(n / words.length)).slice(0, n)

t.test('500 KB of plain text (under MAX_HTML_BYTES) is refused before satori starts', async (t) => {
  // satori keeps a copy of a text block per segment it cuts it into: 1,886 MB for 40,000 characters (measured).
  // The message is the pre-layout estimate's ("to lay out"): satori never ran.
  await t.rejects(renderer.render(job(`<p>${text(500_000)}</p>`)), {
    code: 'RENDER_OVER_BUDGET',
    message: /to lay out \(a text of 500,000 characters in one block, .*\); a render may use 1\.2 GB \(RENDER_BUDGET_MB, by default derived from RENDER_MEMORY_MB\)\. .*Split long text into paragraphs/,
  })
})

t.test('30,000 emoji are refused', async (t) => {
  await t.rejects(renderer.render(job(`<p>${'😀🎉👍'.repeat(10_000)}</p>`)), { code: 'RENDER_OVER_BUDGET', message: /30,000 emoji/ })
})

t.test('::before/::after on 2,400 elements: within the default budget, refused in a 512 MiB container', async (t) => {
  const html = Array.from({ length: 2400 }, (_, i) => `<div class="b">${i}</div>`).join('')
  const css = '.b{display:inline-block}.b::before{content:"before text ";color:red}.b::after{content:"after";color:blue}'
  const estimate = estimateLayout(buildDocument(job(html, { css })).root)
  t.equal(estimate.generatedBoxes, 4800, 'both pseudo-elements counted on every element the rule can match')
  // Measured: +373 MB peak, 8.5 s of layout; the default budget (1.2 GB) lets it render.
  t.ok(estimate.bytes > 300 * MB && estimate.bytes < 1232 * MB, `estimated ${Math.round(estimate.bytes / MB)} MB`)
  await t.rejects(renderer.render(job(html, { css }, { memoryBudgetBytes: 312 * MB })), {
    code: 'RENDER_OVER_BUDGET',
    message: /\(4,800 from ::before\/::after\).*a render may use 312 MB \(RENDER_BUDGET_MB/,
  })
})

t.test('generated content counts only on the elements a rule can match', async (t) => {
  const html = '<div class="a">x</div>'.repeat(10) + '<p id="p">y</p>'.repeat(3) + '<span>z</span>'.repeat(5)
  const count = (css: string) => estimateLayout(buildDocument(job(html, { css })).root).generatedBoxes
  t.equal(count('.a::before{content:"1"}'), 10)
  t.equal(count('div.a.missing::after{content:"1"}'), 0)
  t.equal(count('#p:before{content:"1"}'), 3)
  t.equal(count('main span::after{content:attr(id)}'), 5)
  t.equal(count('.a::before{color:red}'), 0, 'no content, no box')
  t.ok(count('*::after{content:""}') >= 18, 'a universal rule counts every element')
})

t.test("attr() in generated content writes the attribute's value: its length counts, not a placeholder's", async (t) => {
  // 50,000 characters counted as 16: the estimate passed, and the worker ran out of heap after 6 s.
  const html = `<p data-x="${'q'.repeat(50_000)}">a</p>`
  const estimate = estimateLayout(buildDocument(job(html, { css: 'p::before{content:attr(data-x)}' })).root)
  t.equal(estimate.longestText, 50_000)
  await t.rejects(renderer.render(job(html, { css: 'p::before{content:"[" attr(data-x) "]"}' })), {
    code: 'RENDER_OVER_BUDGET',
    message: /a text of 50,002 characters in one block/,
  })
  const short = estimateLayout(buildDocument(job('<p title="hi" class="abcdefghijklmnopqrstuvwxyz">a</p>', { css: 'p::after{content:attr(title) attr(class)}' })).root)
  t.equal(short.longestText, 16 + 26, 'a short value counts as the placeholder, class as its attribute')
})

t.test('long text split into paragraphs costs what its characters cost, not their square', async (t) => {
  const one = estimateLayout(buildDocument(job(`<p>${text(20_000)}</p>`)).root)
  const split = estimateLayout(buildDocument(job(Array.from({ length: 200 }, () => `<p>${text(100)}</p>`).join(''))).root)
  t.equal(one.longestText, 20_000)
  t.ok(one.bytes > 5 * split.bytes, `${Math.round(one.bytes / MB)} MB in one block, ${Math.round(split.bytes / MB)} MB in 200`)
})

t.test('every fidelity case and bench card fits even the low-memory budget', async (t) => {
  for (const c of loadCases()) {
    const estimate = estimateLayout(buildDocument(job(c.html, renderParams(c))).root)
    t.ok(estimate.bytes < LOW_MEMORY_BUDGET / 10, `${c.name}: ${(estimate.bytes / MB).toFixed(1)} MB`)
  }
  for (const card of ['1-title', '2-social', '3-quote', '4-dense']) {
    const html = readFileSync(new URL(`../../fixtures/cards/${card}.html`, import.meta.url), 'utf8')
    const out = await renderer.render(job(html, { deviceScale: 2 }, { memoryBudgetBytes: LOW_MEMORY_BUDGET }))
    t.ok(decodePng(Buffer.from(out.png)).width > 1000, `${card}@2x renders under RENDER_MEMORY_MB=384`)
  }
})
