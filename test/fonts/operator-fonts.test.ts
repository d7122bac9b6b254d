/**
 * FONTS_DIR: the operator's font files, named from their name tables, usable by every render;
 * a file named like a font that is not one stops the boot naming the file.
 */
import t, { type Test } from 'tap'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { loadFontsDir } from '../../src/fonts/operator-fonts.js'
import { configFrom } from '../../src/config/load-config.js'
import { createContainer } from '../../src/container.js'
import { build, decodePng, pixel } from '../helper.js'
import { createRenderer } from '../../src/render/pipeline.js'

const require = createRequire(import.meta.url)
const monoDir = join(dirname(require.resolve('@fontsource/roboto-mono/package.json')), 'files')

function fontsDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'vellum-fonts-dir-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // Names that say nothing: the family and weight come from the files themselves.
  mkdirSync(join(dir, 'house'))
  copyFileSync(join(monoDir, 'roboto-mono-latin-400-normal.woff2'), join(dir, 'house', 'a.woff2'))
  copyFileSync(join(monoDir, 'roboto-mono-latin-700-italic.woff'), join(dir, 'b.woff'))
  writeFileSync(join(dir, 'LICENSE'), 'SIL Open Font License')
  return dir
}

t.test('families, weights and styles come from the fonts, not the file names', async (t) => {
  const dir = fontsDir(t)
  const fonts = await loadFontsDir(dir)
  t.same(
    fonts.map((f) => [f.name, f.weight, f.style, f.path.slice(dir.length)]),
    [
      ['Roboto Mono', 700, 'italic', '/b.woff'],
      ['Roboto Mono', 400, 'normal', '/house/a.woff2'],
    ],
  )
})

t.test('a file named like a font that is none stops the boot, naming it', async (t) => {
  const dir = fontsDir(t)
  writeFileSync(join(dir, 'broken.ttf'), 'not really a font')
  await t.rejects(loadFontsDir(dir), /FONTS_DIR: 1 file\(s\) could not be read:\n\s+.*broken\.ttf: not a font file/)
  await t.rejects(loadFontsDir(join(dir, 'nope')), /FONTS_DIR: cannot read/)
  const config = configFrom({ DATA_DIR: mkdtempSync(join(tmpdir(), 'vellum-test-')), RENDER_WORKERS: 1, RENDER_MEMORY_MB: 0, FONTS_DIR: dir })
  const pool = { run: async () => ({}) as never, stats: () => ({ pending: 0 }), observe: () => {}, close: async () => {} } as never
  await t.rejects(createContainer(config, { warn: () => {} }, pool), { name: 'ConfigError', message: /broken\.ttf/ })
  rmSync(config.dataDir, { recursive: true, force: true })
})

t.test('every render can use the directory\'s families', async (t) => {
  // Noto Sans Hebrew's Latin file: a family no bundled face answers to for Latin text. (The WOFF:
  // fontsource's WOFF2 of it names its family "Noto Sans Hebrew Thin" in its name table.)
  const file = join(dirname(require.resolve('@fontsource/noto-sans-hebrew/package.json')), 'files', 'noto-sans-hebrew-latin-400-normal.woff')
  const dir = mkdtempSync(join(tmpdir(), 'vellum-fonts-dir-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  copyFileSync(file, join(dir, 'house.woff'))
  const html = `<p style="margin:0;font:40px 'Noto Sans Hebrew', serif">Hamburgefonstiv</p>`
  const render = async (env: Record<string, string>) => {
    const h = await build(t, env)
    await h.addUser('dir', 'dir-key-12345')
    const res = await h.app.inject({
      method: 'POST', url: '/v1/image', headers: { authorization: h.auth('dir', 'dir-key-12345') },
      payload: { html, device_scale: 1, viewport_width: 400, viewport_height: 60 },
    })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['x-vellum-dropped-css'], undefined)
    return decodePng((await h.app.inject({ url: `/v1/image/${res.json().id}` })).rawPayload)
  }
  const withDir = await render({ FONTS_DIR: dir })
  const without = await render({})
  // The reference: the same file handed to the worker the way google_fonts are.
  const reference = await createRenderer().render({
    params: { html, css: '', googleFonts: [], selector: undefined, deviceScale: 1, viewportWidth: 400, viewportHeight: 60, transparentBackground: false, disableTwemoji: false },
    limits: { elements: 5000, depth: 200, outputPixels: 36_000_000, imagePixels: 25_000_000, imagesPerRender: 40, shadowBlurPx: 64, shadowSpreadPx: 128, shadows: 100 },
    fonts: [{ name: 'Noto Sans Hebrew', weight: 400, style: 'normal', path: file }],
    images: {},
  })
  t.equal(diff(withDir, decodePng(Buffer.from(reference.png))), 0, 'the same pixels as the file loaded like google_fonts')
  t.ok(diff(withDir, without) > 300, 'and not the fallback')
})

function diff(a: ReturnType<typeof decodePng>, b: ReturnType<typeof decodePng>): number {
  if (a.width !== b.width || a.height !== b.height) return Infinity
  let n = 0
  for (let y = 0; y < a.height; y++) for (let x = 0; x < a.width; x++) if (pixel(a, x, y).some((v, i) => Math.abs(v - pixel(b, x, y)[i]!) > 8)) n++
  return n
}
