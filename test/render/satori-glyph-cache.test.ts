/**
 * The satori glyph-path cache (patches/satori+0.63.2.patch, applied by patch-package on
 * install). satori wrote every glyph occurrence's outline in absolute page coordinates; the patch
 * writes each glyph's outline once per (glyph, scale, skew) as relative path commands and emits
 * one absolute move per occurrence. These tests fail loudly when an upgrade of satori no longer
 * carries the patch, and hold the pixels to the unpatched output on a text-heavy card.
 *
 * Regenerating the patch (satori's dist is minified: glyphPathData is `fd` in index.js and `Zd`
 * in index.cjs of 0.63.2, found through index.js.map, src/font.ts): replace the last line of
 * both files (the source-map comment) with the code followed by `//# sourceMappingURL=./index.js.map`
 * (or .cjs) and a newline, then run
 *   GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=diff.context GIT_CONFIG_VALUE_0=0 npx patch-package satori
 * No context keeps satori's 120 KB minified lines out of the patch; the changed comment line
 * anchors the hunk, so patch-package sees the patch as applied on a second run instead of
 * appending the code again.
 */
import t from 'tap'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import pixelmatch from 'pixelmatch'
import { layout } from '../../src/render/stages/layout.js'
import { rasterize } from '../../src/render/stages/rasterize.js'
import { loadBundledFonts } from '../../src/fonts/bundled-fonts.js'
import type { SatoriElement } from '../../src/render/document/html-to-tree.js'

const require = createRequire(import.meta.url)
const PATCH = 'patches/satori+0.63.2.patch'
const MARKER = `Vellum patch (${PATCH}`
const KEY = Symbol.for('satori.glyphPathCache')
const SATORI_DIST = join(dirname(require.resolve('satori/package.json')), 'dist')

interface GlyphCache {
  version: number
  enabled: boolean
  glyphs: Map<unknown, { sizes: Map<number | string, unknown> }>
  maxBytes: number
  bytes: number
  entries: number
  clear(): void
}
// layout.js has imported satori (its ESM build, as the render worker and the bundle do).
const cache = (globalThis as Record<symbol, GlyphCache | undefined>)[KEY]
// Without the patch only the first test runs (and fails, saying why); the others need the cache.
const patched = cache ? {} : { skip: `${PATCH} is not applied` }

const fonts = loadBundledFonts().filter((f) => !f.name.includes(' latin-ext') && !/ (cyrillic|greek|vietnamese|symbols|math)/.test(f.name))
const el = (type: string, style: Record<string, unknown>, children: unknown): SatoriElement =>
  ({ type, props: { style, children } }) as unknown as SatoriElement
const render = async (root: SatoriElement, faces = fonts) => (await layout(root, { width: 1200, height: 630, fonts: faces })).svg
/** The d attributes of the SVG's paths that hold glyphs (satori writes one path per text run). */
const glyphPaths = (svg: string) => [...svg.matchAll(/<path[^>]* d="(M[^"]*)"/g)].map((m) => m[1]!)
const moves = (d: string) => d.match(/M/g)?.length ?? 0

async function withCache<T>(enabled: boolean, fn: () => Promise<T>): Promise<T> {
  const before = cache!.enabled
  cache!.enabled = enabled
  try {
    return await fn()
  } finally {
    cache!.enabled = before
  }
}

t.test('the satori patch is applied to the installed version it was written for', async (t) => {
  const pkg = require('satori/package.json') as { version: string }
  t.equal(pkg.version, '0.63.2', `satori was upgraded: regenerate ${PATCH} against the new glyphPathData (src/font.ts), or drop it if upstream caches glyph paths`)
  for (const file of ['index.js', 'index.cjs']) {
    t.equal(readFileSync(join(SATORI_DIST, file), 'utf8').split(MARKER).length - 1, 1, `satori/dist/${file} carries ${PATCH}: once: reinstall satori and run \`npx patch-package\` (postinstall), or regenerate the patch`)
  }
  t.ok(cache, `the loaded satori module registered its glyph-path cache (Symbol.for('satori.glyphPathCache')): ${PATCH} is not applied to the build that is loaded`)
  t.equal(cache?.version, 1)
  // The CommonJS build registers its own cache when required.
  require('satori')
  const cjs = (globalThis as Record<symbol, GlyphCache | undefined>)[KEY]
  t.ok(cjs && cjs !== cache && cjs.version === 1, 'the CommonJS build of satori carries the patch too')
  // Vellum loads satori's main entry only: the standalone and experimental builds are unpatched.
  const imports = readdirSync(new URL('../../src/', import.meta.url), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...readFileSync(new URL(`../../src/${f}`, import.meta.url), 'utf8').matchAll(/from '(satori[^']*)'/g)].map((m) => m[1]))
  t.same([...new Set(imports)], ['satori'], 'src/ imports satori only through its main entry (the builds the patch covers)')
})

t.test('the bundle the render workers run carries the patch', async (t) => {
  // `npm test` builds dist/ before tap: a missing or stale bundle is a failure here, not a skip.
  const worker = new URL('../../dist/render-worker-main.cjs', import.meta.url)
  t.ok(existsSync(worker), 'dist/render-worker-main.cjs is built (npm run build)')
  if (!existsSync(worker)) return
  t.ok(statSync(worker).mtimeMs >= statSync(join(SATORI_DIST, 'index.cjs')).mtimeMs, 'built after the installed satori was patched')
  // esbuild drops comments: look for the cache's registry key instead of the marker.
  const code = readFileSync(worker, 'utf8')
  t.ok(code.includes("Symbol.for('satori.glyphPathCache')") || code.includes('Symbol.for("satori.glyphPathCache")'), `dist/ bundles satori without ${PATCH}: rebuild (npm run build) after \`npx patch-package\``)
})

// Ligatures (ffi, fl, ff, fi) in both families, repeated letters, several sizes, bold, and a
// synthetic italic (a face set without an italic face, so satori slants the upright one).
const line = 'The office staff affirmed the efficient, flawless workflow: fifty fluffy waffles offered.'
const card = el('div', { display: 'flex', flexDirection: 'column', width: 1200, height: 630, padding: 24, backgroundColor: '#fff', color: '#111' }, [
  ...[13, 17.5, 22, 31].map((size) => el('div', { fontFamily: 'Roboto', fontSize: size }, line)),
  ...[15, 26.25].map((size) => el('div', { fontFamily: 'Noto Serif', fontSize: size }, line)),
  el('div', { fontFamily: 'Noto Serif', fontSize: 24, fontStyle: 'italic' }, line),
  el('div', { fontFamily: 'Roboto', fontSize: 20, fontWeight: 700, letterSpacing: 0.3 }, `${line} ${line}`),
  el('div', { fontFamily: 'Roboto', fontSize: 19.7, fontStyle: 'italic' }, 'mmmmmmmm iiiiiiii ffffffff llllllll oooooooo'),
])
const uprightOnly = fonts.filter((f) => f.style === 'normal')

t.test('text is drawn from the cache: one absolute move per glyph, then relative commands', patched, async (t) => {
  cache!.clear()
  const svg = await withCache(true, () => render(card))
  const d = glyphPaths(svg).join('')
  t.ok(cache!.entries > 20, `the cache holds the card's glyphs (${cache!.entries} entries)`)
  t.match(d, /^M-?[\d.]+[ -][\d.]+[mlqcz]/, 'a glyph is an absolute move followed by relative commands')
  t.notMatch(d, /[LQC]/, 'no absolute line or curve commands are written for glyphs')
  const off = glyphPaths(await withCache(false, () => render(card))).join('')
  t.match(off, /L|Q|C/, 'with the cache off satori writes absolute commands (as unpatched)')
  t.ok(d.length < off.length * 0.8, `the glyph path data is smaller (${d.length} vs ${off.length} bytes)`)
  // One move per glyph: "ffi" in Noto Serif is one ligature glyph, so one move, where the same
  // letters kept apart by a zero-width non-joiner are three glyphs.
  const ffi = glyphPaths(await render(el('div', { fontFamily: 'Noto Serif', fontSize: 40 }, 'ffi'))).join('')
  const apart = glyphPaths(await render(el('div', { fontFamily: 'Noto Serif', fontSize: 40 }, 'f\u200Cf\u200Ci'))).join('')
  t.equal(moves(ffi), 1, 'ffi is shaped as one ligature glyph and written with one absolute move')
  t.equal(moves(apart), 3, 'three separate glyphs are written with three moves')
})

t.test('the cached output matches the unpatched pixels on a text-heavy card with ligatures', patched, async (t) => {
  for (const [name, faces] of [['bundled faces', fonts], ['synthetic italic', uprightOnly]] as const) {
    cache!.clear()
    const off = await withCache(false, () => render(card, faces))
    const cold = await withCache(true, () => render(card, faces))
    const entries = cache!.entries
    const warm = await withCache(true, () => render(card, faces))
    t.equal(warm, cold, `${name}: a warm cache writes the same SVG as a cold one`)
    t.equal(cache!.entries, entries, `${name}: a second render finds every glyph in the cache (stable keys)`)
    const skewed = [...cache!.glyphs.values()].some((g) => [...g.sizes.keys()].some((k) => typeof k === 'string'))
    t.equal(skewed, faces === uprightOnly, `${name}: ${faces === uprightOnly ? 'slanted glyphs are cached apart' : 'no glyph is slanted'}`)
    for (const scale of [1, 2]) {
      const a = rasterize(off, { scale, transparent: false })
      const b = rasterize(warm, { scale, transparent: false })
      t.same([b.width, b.height], [a.width, a.height])
      const n = a.width * a.height
      const mismatched = pixelmatch(a.pixels, b.pixels, undefined, a.width, a.height, { threshold: 0.1 })
      let sum = 0
      for (let i = 0; i < a.pixels.length; i++) sum += Math.abs(a.pixels[i]! - b.pixels[i]!)
      const meanDelta = sum / a.pixels.length
      t.comment(`${name} @${scale}x: pixelmatch(0.1) ${((mismatched / n) * 100).toFixed(4)} %, mean channel Δ ${meanDelta.toFixed(4)}`)
      t.ok(mismatched / n <= 0.0005, `${name} @${scale}x: ≤ 0.05 % of pixels differ visibly (${mismatched} of ${n})`)
      // Measured 0.15 (of 255) on this card: antialiasing of edges moved by < 0.1 px.
      t.ok(meanDelta < 0.3, `${name} @${scale}x: mean channel difference ${meanDelta.toFixed(4)} < 0.3`)
    }
  }
})

t.test('the cache stays within its byte budget and still draws correctly after evicting', patched, async (t) => {
  const budget = cache!.maxBytes
  t.teardown(() => {
    cache!.maxBytes = budget
    cache!.clear()
  })
  const full = await withCache(true, () => render(card))
  cache!.clear()
  cache!.maxBytes = 16 * 1024
  const small = await withCache(true, () => render(card))
  t.ok(cache!.bytes <= cache!.maxBytes, `${cache!.bytes} bytes ≤ ${cache!.maxBytes}`)
  t.equal(small, full, 'evicted glyphs are formatted again, to the same path data')
})
