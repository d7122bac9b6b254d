/**
 * The raster-cost guard on the SVG resvg draws: shadows that slip past the CSS clamp (var(),
 * transforms, SVG written by the user) are clamped where resvg sees them, filter regions are
 * cut to what can be seen without changing a pixel, and pages resvg cannot afford are refused
 * before it allocates anything. These run in the test process with no memory limit at all: a
 * guard that let a bomb through would take the process down, not just fail an assertion.
 */
import t from 'tap'
import sharp from 'sharp'
import { crc32 } from 'node:zlib'
import { createRenderer } from '../../../src/render/pipeline.js'
import type { RenderParams } from '../../../src/http/schemas/create-image.js'
import { buildDocument } from '../../../src/render/stages/build-document.js'
import { layout } from '../../../src/render/stages/layout.js'
import { applyCrop, cropRect } from '../../../src/render/stages/crop.js'
import { rasterize } from '../../../src/render/stages/rasterize.js'
import { guardRasterCost } from '../../../src/render/stages/raster-cost.js'
import { loadBundledFonts } from '../../../src/fonts/bundled-fonts.js'
import { decodePng, pixel, near, renderJob } from '../../helper.js'
import { darkest, pageSvg, rasterizeApart } from './rasterize-apart.js'

const MB = 1024 * 1024
const job = renderJob
const limits = renderJob('').limits
const renderer = createRenderer()
const fonts = loadBundledFonts()

/** satori's SVG for a page, cropped as the pipeline crops it: what the guard is handed. */
async function svgOf(html: string, p: Partial<RenderParams> = {}): Promise<string> {
  const j = job(html, p)
  const doc = buildDocument(j)
  const laid = await layout(doc.root, { width: doc.layoutWidth, height: doc.layoutHeight, fonts })
  return applyCrop(laid.svg, cropRect(doc, laid))
}

function maxChannelDiff(a: string, b: string, scale: number): number {
  const pa = rasterize(a, { scale, transparent: false }).pixels
  const pb = rasterize(b, { scale, transparent: false }).pixels
  let max = 0
  for (let i = 0; i < pa.length; i++) max = Math.max(max, Math.abs(pa[i]! - pb[i]!))
  return max
}

t.test('a shadow blown up through var() is clamped where resvg sees it, as the CSS clamp would have', async (t) => {
  // Unclamped, resvg asked for 1 TB for this shadow's filter region (measured).
  const box = 'margin:250px;width:40px;height:40px'
  const viaVar = await renderer.render(job(`<div style="${box};--b:1000px;--s:500px;box-shadow:0 0 var(--b) var(--s) red"></div>`, { viewportWidth: 600, viewportHeight: 600 }))
  const literal = await renderer.render(job(`<div style="${box};box-shadow:0 0 1000px 500px red"></div>`, { viewportWidth: 600, viewportHeight: 600 }))
  t.match(viaVar.warnings, [/box-shadow: spread 500px clamped to 128px \(MAX_SHADOW_SPREAD_PX/, /box-shadow: blur 1000px clamped to 64px \(MAX_SHADOW_BLUR_PX/])
  t.ok(Buffer.from(viaVar.png).equals(Buffer.from(literal.png)), 'the same picture as the literal shadow the CSS guard clamps')
  const img = decodePng(Buffer.from(viaVar.png))
  t.ok(near(pixel(img, 278, 180), [255, 0, 0, 255], 40), 'the clamped shadow still shows')
  t.ok(near(pixel(img, 278, 20), [255, 255, 255, 255], 8), 'and ends where a 64px blur of a 128px spread ends')
})

t.test('transform: scale(50) on a shadow at the CSS limit is clamped in device pixels', async (t) => {
  // Unclamped, resvg asked for 55 GB (measured).
  const out = await renderer.render(job('<div style="width:40px;height:40px;margin:100px;background:blue;transform:scale(50);box-shadow:0 0 64px 128px red"></div>'))
  t.match(out.warnings, [/box-shadow: spread 6400px clamped to 128px \(MAX_SHADOW_SPREAD_PX, after var\(\), calc\(\) and transforms\)/])
  t.same([out.width, out.height], [240, 240])
  t.ok(near(pixel(decodePng(Buffer.from(out.png)), 3, 3), [0, 0, 255, 255]), 'the box, scaled past the crop, is drawn')
})

t.test('filters inside SVG images the user wrote are clamped too, CSS-applied ones included', async (t) => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><style>.c{filter:url(#f)}</style>' +
    '<filter id="f" x="-5000%" y="-5000%" width="10000%" height="10000%"><feGaussianBlur stdDeviation="300"/></filter>' +
    '<circle class="c" cx="5" cy="5" r="4" fill="red"/></svg>'
  const out = await renderer.render(job(`<img width="200" height="200" src="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">`, { deviceScale: 2 }))
  t.match(out.warnings, [/svg filter: blur 6000px clamped to 64px \(MAX_SHADOW_BLUR_PX/])
  // The image sits on the baseline of a 16px serif line: 200 + the font's descent, which Chromium
  // rounds to 5px (4.69 exactly), at device scale 2.
  t.same([out.width, out.height], [400, 410])
})

t.test('an SVG whose <use> elements multiply past what can be drawn is refused', async (t) => {
  let defs = '<circle id="a0" cx="1" cy="1" r="1"/>'
  for (let i = 1; i <= 9; i++) defs += `<g id="a${i}">${`<use href="#a${i - 1}"/>`.repeat(10)}</g>`
  await t.rejects(renderer.render(job(`<svg width="100" height="100" viewBox="0 0 10 10"><defs>${defs}</defs><use href="#a9"/></svg>`)), {
    code: 'RENDER_TOO_COMPLEX',
  })
})

t.test('cutting filter regions to what can be seen leaves the pixels as they were', async (t) => {
  const shadows = ['0 2px 4px rgba(0,0,0,.5)', '3px 5px 9px 2px blue', '0 4px 24px rgba(0,0,0,.3)', '0 0 64px 20px red', '0 0 5px red, 10px 10px 50px blue']
  for (const scale of [1, 1.5]) {
    for (const shadow of shadows) {
      const svg = await svgOf(`<div style="margin:37.3px;width:71.7px;height:40.2px;border-radius:9px;box-shadow:${shadow}">x</div>`)
      const guarded = guardRasterCost(svg, { scale, limits })
      t.equal(maxChannelDiff(svg, guarded.svg, scale), 0, `${shadow} at device_scale ${scale}`)
    }
    const text = await svgOf('<p style="font-size:30px;text-shadow:2px 3px 4px red, -5px 0 12px blue;margin:20px">Shadowed text</p>')
    t.equal(maxChannelDiff(text, guardRasterCost(text, { scale, limits }).svg, scale), 0, `text-shadow at device_scale ${scale}`)
  }
  const big = await svgOf('<div style="width:280px;height:180px;box-shadow:0 0 64px 128px red"></div>', { viewportWidth: 300, viewportHeight: 200 })
  const guarded = guardRasterCost(big, { scale: 2, limits })
  t.not(guarded.svg, big, 'a region larger than the canvas is rewritten')
  t.ok(guarded.estimate.layers < 32 * MB, `and costs ${Math.round(guarded.estimate.layers / MB)} MB of layers`)
  t.equal(maxChannelDiff(big, guarded.svg, 2), 0, 'to the same pixels')
})

t.test('40 legal 5000×5000 images are refused before resvg decodes them (4 GB)', async (t) => {
  // One 5000×5000 PNG (a few KB), made 40 distinct images by a text chunk each.
  const png = await sharp({ create: { width: 5000, height: 5000, channels: 3, background: '#36c' } }).png({ compressionLevel: 9 }).toBuffer()
  const uris = Array.from({ length: 40 }, (_, i) => `data:image/png;base64,${withText(png, `copy ${i}`).toString('base64')}`)
  const page = (n: number) => uris.slice(0, n).map((u) => `<img src="${u}" width="50" height="50">`).join('')
  await t.rejects(renderer.render(job(page(40))), {
    code: 'RENDER_OVER_BUDGET',
    message: /about \d+\.\d GB to draw \(.*40 embedded images decoded: 3\.\d GB\); a render may use 1\.2 GB \(RENDER_BUDGET_MB/,
  })
  const two = await renderer.render(job(page(2)))
  t.ok(near(pixel(decodePng(Buffer.from(two.png)), 20, 20), [0x33, 0x66, 0xcc, 255]), 'two of them fit the budget and are drawn')
})

/** The PNG with a tEXt chunk after its header: other bytes, the same pixels. */
function withText(png: Buffer, text: string): Buffer {
  const data = Buffer.concat([Buffer.from('tEXt'), Buffer.from(`Comment\0${text}`, 'latin1')])
  const chunk = Buffer.alloc(data.length + 8)
  chunk.writeUInt32BE(data.length - 4, 0)
  data.copy(chunk, 4)
  chunk.writeUInt32BE(crc32(data), data.length + 4)
  return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)])
}

t.test('device_scale 3 on 2000×2000 with gradients and shadows: rendered within the budget, or refused up front', async (t) => {
  const css = 'html,body{margin:0}.w{display:flex;flex-wrap:wrap;width:2000px;height:2000px;background:linear-gradient(45deg,#f00,#00f)}' +
    '.c{width:80px;height:80px;margin:10px;background:radial-gradient(circle,#ff0,#0f0);box-shadow:0 10px 64px 20px rgba(0,0,0,.5);border-radius:8px}'
  const page = { css, deviceScale: 3, viewportWidth: 2000, viewportHeight: 2000 }
  const html = `<div class="w">${'<div class="c"></div>'.repeat(2)}</div>`
  const out = await renderer.render(job(html, page))
  t.same([out.width, out.height], [6000, 6000])
  // A worker with a 512 MiB data limit has 312 MB for a render: the canvas and its copy alone are 288 MB.
  await t.rejects(renderer.render(job(html, page, { memoryBudgetBytes: 312 * MB })), {
    code: 'RENDER_OVER_BUDGET',
    message: /to draw \(canvas 6000×6000 at device_scale 3: 275 MB.*\); a render may use 312 MB \(RENDER_BUDGET_MB/,
  })
})

t.test('a layer resvg cannot place is not drawn, instead of aborting the process (resvg 2.6.2 panics on it)', async (t) => {
  // resvg fits each layer into [-2W, 2W) × [-2H, 2H) of the pixmap it is drawn into and panics
  // (geom.rs:27) on one wholly outside; content inside a layer is placed from the layer's corner.
  const guard = (svg: string) => guardRasterCost(svg, { scale: 1, limits })
  const wrap = (body: string) => `<svg width="100" height="20" viewBox="0 0 100 20" xmlns="http://www.w3.org/2000/svg">${body}</svg>`
  const cases: Array<[string, string, boolean]> = [
    ['a translucent group far right of the canvas', '<g opacity="0.5"><rect x="500" y="0" width="10" height="10"/></g>', false],
    ['a translucent group far above it', '<g opacity="0.5"><rect x="0" y="-500" width="10" height="10"/></g>', false],
    ['a filter region past the canvas', '<filter id="f" x="200" y="0" width="30" height="20" filterUnits="userSpaceOnUse"><feGaussianBlur stdDeviation="2"/></filter><g filter="url(#f)"><rect x="0" y="0" width="50" height="20"/></g>', false],
    // On the canvas, but more than 2W from the corner of the translucent layer it is drawn in.
    ['a visible group in a layer reaching far left', '<g opacity="0.5"><rect x="-300" y="0" width="400" height="20" fill="red"/><g opacity="0.5"><rect x="50" y="0" width="10" height="10"/></g></g>', true],
  ]
  for (const [name, body, visible] of cases) {
    const out = guard(wrap(body))
    t.match(out.svg, /display="none"/, `${name}: left out`)
    t.same(out.warnings.length, visible ? 1 : 0, visible ? `${name}: and said so` : `${name}: silently, it is off the canvas`)
    const pic = rasterizeApart(out.svg)
    t.notOk('failed' in pic, `${name}: drawn (${'failed' in pic ? pic.failed : 'ok'})`)
  }
  const within = guard(wrap('<g opacity="0.5"><rect x="190" y="0" width="10" height="10"/></g>'))
  t.notMatch(within.svg, /display="none"/, 'a layer within resvg\'s reach is kept')

  // Through the stages: an element far off a fixed viewport, translucent.
  const page = await pageSvg('<div style="position:absolute;left:5000px;top:0;opacity:.5">x</div><div>Hello</div>', { viewportWidth: 400, viewportHeight: 100 })
  t.same(page.warnings, [])
  const pic = rasterizeApart(page.svg)
  if ('failed' in pic) t.fail(`resvg did not draw it (${pic.failed})`)
  else t.ok(darkest(pic, { x: 0, y: 0, w: 60, h: 40 }) < 60, '"Hello" is drawn')
})
