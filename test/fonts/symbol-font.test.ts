/**
 * The symbol font (DejaVu Sans, the last fallback): check marks, stars, shapes and arrows draw
 * through the real pipeline instead of missing-glyph boxes and are no longer named in the
 * warnings; what nothing draws still is; emoji with a Twemoji picture stay pictures; a page
 * without such characters loads no symbol face.
 */
import t from 'tap'
import { createRenderer } from '../../src/render/pipeline.js'
import { FontSets } from '../../src/render/font-sets.js'
import { fontUsage } from '../../src/render/document/font-usage.js'
import { buildDocument } from '../../src/render/stages/build-document.js'
import { readCmap, sfntTables } from '../../src/fonts/sfnt.js'
import type { RenderParams } from '../../src/http/schemas/create-image.js'
import { decodePng, pixel, renderJob } from '../helper.js'

const renderer = createRenderer()
const render = async (html: string, p: Partial<RenderParams> = {}) => {
  const out = await renderer.render(renderJob(html, p))
  return { ...out, image: decodePng(Buffer.from(out.png)) }
}
const missing = (warnings: string[]) => warnings.filter((w) => w.includes('missing-glyph') || w.includes('not drawn'))

/** Dark pixels of a picture: the ink a glyph leaves. */
function ink(img: ReturnType<typeof decodePng>): number {
  let n = 0
  for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) if (pixel(img, x, y).slice(0, 3).reduce((a, b) => a + b) < 384) n++
  return n
}

const glyph = (ch: string) => `<span style="font:48px Roboto;line-height:1">${ch}</span>`

t.test('✓ ★ ▲ → draw as glyphs, not as the missing-glyph box, and no warning names them', async (t) => {
  // U+E000 (private use): no font has it, so this is the box every missing character gets.
  const box = await render(glyph('\uE000'))
  t.equal(missing(box.warnings).length, 1, 'the box is a missing glyph')
  const seen: Buffer[] = [box.image.data]
  for (const ch of ['✓', '★', '▲', '→']) {
    const out = await render(glyph(ch))
    t.same(missing(out.warnings), [], `${ch}: no warning`)
    t.ok(ink(out.image) > 60, `${ch} leaves ink (${ink(out.image)} px)`)
    for (const other of seen) t.not(Buffer.compare(out.image.data, other), 0, `${ch} is neither the box nor another symbol`)
    seen.push(out.image.data)
  }
  const line = await render('<p style="font:20px Roboto">Merged ✓ · ★ 4.8 · ▲ 12% ▼ 3% · a → b ↑ ↻ · <b>✓ bold</b></p>')
  t.same(missing(line.warnings), [], line.warnings.join('\n'))
})

t.test('what no bundled font draws is still named', async (t) => {
  const out = await render('<p>★ 12.4k ⑂ 381 ᚠ</p>')
  t.same(missing(out.warnings), ['no bundled font draws "⑂" U+2442, "ᚠ" U+16A0 (drawn as missing-glyph boxes)'])
})

t.test('text-presentation emoji Twemoji has no picture for are drawn as symbols; pictured emoji stay pictures', async (t) => {
  const bare = await render('<p style="font:32px Roboto">♥ 2.1k ✔ done ☆</p>')
  t.same(missing(bare.warnings), [], 'bare ♥ ✔ ☆ (no U+FE0F) are drawn by the symbol font')
  // A bare ❤ has a Twemoji picture: red, even on a page that loads the symbol font.
  const heart = await render('<p style="font:32px Roboto;margin:0">✓ ❤</p>')
  t.same(missing(heart.warnings), [])
  let red = 0
  for (let y = 0; y < heart.image.height; y++) {
    for (let x = 0; x < heart.image.width; x++) {
      const [r, g, b] = pixel(heart.image, x, y)
      if (r > 180 && g < 90 && b < 110) red++
    }
  }
  t.ok(red > 50, `❤ is the Twemoji picture (${red} red px)`)
})

t.test('right-to-left text (direction marks inserted by the bidi stage) with symbols renders', async (t) => {
  const out = await render('<p dir="rtl" lang="ar">فاتورة ✓ رقم 2048 — ★ 12:30 ‏(15%)</p><p>a \u2066x\u2069 → b</p>')
  t.same(missing(out.warnings), [])
})

t.test('svg <text> arrows draw with the symbol font', async (t) => {
  const out = await render('<svg width="120" height="40"><text x="4" y="30" font-size="24">↑ 12 ↓</text></svg>')
  t.same(out.warnings, [])
})

t.test('a page without symbol characters loads no symbol face; one with them gets the weights it uses', async (t) => {
  const sets = new FontSets()
  const faces = async (html: string) => {
    const job = renderJob(html)
    const usage = fontUsage(buildDocument(job).root)
    return sets.for(job, usage, undefined, await sets.select(usage)).faces.filter((f) => f.name.startsWith('DejaVu')).map((f) => `${f.name} ${f.weight}`)
  }
  t.same(await faces('<h1>Plain Latin</h1><p>text</p>'), [])
  t.same(await faces('<p>Crème brûlée — “quoted” €12 • 1…2 ™</p><p>Привет, Ελλάδα</p>'), [], 'punctuation, currency and scripts the bundled faces draw')
  t.same(await faces('<p>中文 עברית</p>'), [], 'script fonts are not symbol fonts')
  t.same(await faces('<p>Done ✓</p>'), ['DejaVu Sans symbols 400'])
  t.same(await faces('<p>Done <b>✓</b></p>'), ['DejaVu Sans symbols 400', 'DejaVu Sans symbols 700'])
  t.same(await faces('<p>x</p><style>p::before{content:"\\2192  "}</style>'), ['DejaVu Sans symbols 400'], 'CSS content counts')
})

t.test('the symbol face maps only characters no bundled face draws and no bare emoji Twemoji pictures', async (t) => {
  const sets = new FontSets()
  const job = renderJob('<p>✓</p>')
  const { symbols } = await sets.select(fontUsage(buildDocument(job).root))
  const cmap = sfntTables(symbols.faces[0]!.data).tables.find((x) => x.tag === 'cmap')!.data
  const has = (cp: number) => readCmap(cmap).some(([s, e]) => cp >= s && cp <= e)
  t.ok(has(0x2713) && has(0x2605) && has(0x25b2) && has(0x2192) && has(0x2665), '✓ ★ ▲ → ♥')
  t.notOk(has(0x41) || has(0x430) || has(0x2014) || has(0x201c) || has(0x20ac), 'not A, а, —, “, € (bundled faces draw them)')
  t.notOk(has(0x2764) || has(0x2b50) || has(0x2705), 'not ❤ ⭐ ✅ (Twemoji pictures)')
  t.equal(symbols.faces[0]!.data, (await sets.select(fontUsage(buildDocument(renderJob('<p>★</p>')).root))).symbols.faces[0]!.data, 'the same Buffer every time (satori caches by identity)')
})
