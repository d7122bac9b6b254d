/** The benchmark's card set (shared fixtures) renders at its design size, with its colours. */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRenderer } from '../../src/render/pipeline.js'
import { renderLimits } from '../../src/container.js'
import { configFrom } from '../../src/config/load-config.js'
import type { RenderParams } from '../../src/http/schemas/create-image.js'
import { decodePng, pixel, near } from '../helper.js'

const dir = new URL('../fixtures/cards/', import.meta.url)
const cards = JSON.parse(readFileSync(new URL('cards.json', dir), 'utf8')) as Array<{ id: string; file: string; scale: number }>
const renderer = createRenderer()
const limits = renderLimits(configFrom())
const render = (html: string, p: Partial<RenderParams> = {}) =>
  renderer.render({
    params: { html, css: '', googleFonts: [], selector: undefined, deviceScale: 1, viewportWidth: undefined, viewportHeight: undefined, transparentBackground: false, disableTwemoji: false, ...p },
    limits, fonts: [], images: {},
  })

t.test('every card renders at 1200×630 × scale', async (t) => {
  const corner: Record<string, number[]> = { '1-title': [0x0f, 0x17, 0x2a], '3-quote': [0xfd, 0xf6, 0xe3], '4-dense': [255, 255, 255] }
  for (const card of cards) {
    const out = await render(readFileSync(new URL(card.file, dir), 'utf8'), { deviceScale: card.scale })
    t.same([out.width, out.height], [1200 * card.scale, 630 * card.scale], card.id)
    const png = decodePng(Buffer.from(out.png))
    const expected = corner[card.id.replace('5-title@2x', '1-title')]
    if (expected) t.ok(near(pixel(png, 2, 2).slice(0, 3), expected), `${card.id} background`)
  }
})

t.test('text outside Latin gets the extended font set (glyphs, not boxes)', async (t) => {
  const glyph = decodePng(Buffer.from((await render('<span style="font:40px Roboto">Ж</span>')).png))
  const notdef = decodePng(Buffer.from((await render('<span style="font:40px Roboto">\uE000</span>')).png))
  const latin = decodePng(Buffer.from((await render('<span style="font:40px Roboto">H</span>')).png))
  t.not(Buffer.compare(glyph.data, notdef.data), 0, 'Ж is not drawn as the missing-glyph box')
  t.ok(glyph.width > 10 && latin.width > 10)
})
