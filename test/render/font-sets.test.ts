/**
 * A page is handed only the bundled faces it can use, and lays out exactly as it does with
 * every face: same SVG, so same pixels.
 */
import t from 'tap'
import { FontSets } from '../../src/render/font-sets.js'
import { fontUsage } from '../../src/render/document/font-usage.js'
import { buildDocument } from '../../src/render/stages/build-document.js'
import { layout } from '../../src/render/stages/layout.js'
import type { RenderJob } from '../../src/render/job.js'

const sets = new FontSets()
const usage = (weights: Set<number> | 'any', italic: boolean) => ({ weights, italic, chars: new Map(), families: new Set<string>() })
const every = usage('any', true)

function job(html: string, css = ''): RenderJob {
  return {
    params: { html, css, googleFonts: [], selector: undefined, deviceScale: 1, viewportWidth: 800, viewportHeight: undefined, transparentBackground: false, disableTwemoji: true },
    limits: { elements: 5000, depth: 200, outputPixels: 50_000_000, imagePixels: 50_000_000, imagesPerRender: 0, shadowBlurPx: 100, shadowSpreadPx: 100, shadows: 10 },
    fonts: [],
    images: {},
  }
}

const faces = (set: { faces: { name: string; weight: number; style: string }[] }) => set.faces.map((f) => `${f.name} ${f.weight} ${f.style}`)

t.test('only the weights and styles asked for, in every family', async (t) => {
  const set = faces(sets.for(job('text'), usage(new Set([400, 700]), false)))
  t.ok(set.includes('Roboto 700 normal') && set.includes('Noto Serif 400 normal') && set.includes('Roboto Mono 700 normal'))
  t.notOk(set.some((f) => f.endsWith('italic') || / (100|300|500|900) /.test(f)))
  t.ok(set.length < faces(sets.for(job('text'), every)).length / 4)
})

t.test('a family without an asked weight keeps all its weights, for the neighbour a browser picks', async (t) => {
  const set = faces(sets.for(job('text'), usage(new Set([400, 900]), false)))
  t.ok(set.includes('Roboto 900 normal'))
  t.notOk(set.includes('Roboto 500 normal'), 'Roboto has 900: narrowed')
  t.ok(set.includes('Roboto Mono 500 normal') && set.includes('Roboto Mono 700 normal'), 'Roboto Mono stops at 700: all kept')
})

t.test('the same selection is the same list (satori keeps one layout engine per list)', async (t) => {
  const a = sets.for(job('a'), usage(new Set([400, 700]), true))
  const b = sets.for(job('b'), usage(new Set([700, 400]), true))
  t.equal(a, b)
  const wide = { ...usage(new Set([400, 700]), true), chars: new Map([['', new Set([0x151])]]) }
  t.not(sets.for(job('ä ő'), wide), a, 'text outside the latin subsets gets the extended subsets')
})

const pages: [string, string, string][] = [
  ['bold, italic and monospace', '<h1>Title</h1><p>Some <b>bold</b>, <i>italic</i> and <code>code()</code> text.</p>', 'body { font-family: Roboto }'],
  ['a weight monospace lacks', '<p class="m">mono at 800</p><p>and 400</p>', '.m { font: 800 20px monospace }'],
  ['a weight between bundled ones', '<p class="x">weight 450</p>', '.x { font-weight: 450; font-family: serif }'],
  ['relative weights', '<div style="font-weight:300">light <b>bolder</b> <span style="font-weight:lighter">lighter</span></div>', 'b { font-weight: bolder }'],
  ['a table header, wide script', '<table><tr><th>Ελληνικά</th><td>Кириллица</td></tr></table>', ''],
]

for (const [name, html, css] of pages) {
  t.test(`lays out as with every face: ${name}`, async (t) => {
    const narrowed = buildDocument(job(html, css))
    const set = sets.for(job(html, css), fontUsage(narrowed.root))
    const full = buildDocument(job(html, css))
    const a = await layout(narrowed.root, { width: 800, height: undefined, fonts: set.faces })
    const b = await layout(full.root, { width: 800, height: undefined, fonts: sets.for(job(html, css), { ...fontUsage(full.root), ...every, chars: fontUsage(full.root).chars }).faces })
    t.equal(a.svg, b.svg)
  })
}
