/**
 * PNG encode: a raster of at most 256 colours is written as an exact palette PNG (colour type
 * 3), any other as RGB/RGBA through sharp, and either decodes to exactly the raster's pixels,
 * every pixel compared (by two decoders: libvips and pngjs). Includes the 256/257-colour
 * boundary, translucent pixels and the pHYs the truecolour encoder writes.
 */
import t, { type Test } from 'tap'
import sharp from 'sharp'
import { buildDocument } from '../../../src/render/stages/build-document.js'
import { layout } from '../../../src/render/stages/layout.js'
import { applyCrop, cropRect } from '../../../src/render/stages/crop.js'
import { simplifySvg } from '../../../src/render/stages/simplify-svg.js'
import { rasterize, type Raster } from '../../../src/render/stages/rasterize.js'
import { encodePng, encodeTruecolourPng } from '../../../src/render/stages/encode.js'
import { indexPixels } from '../../../src/render/stages/indexed-png.js'
import { deriveVariant } from '../../../src/images/variants.js'
import { loadBundledFonts } from '../../../src/fonts/bundled-fonts.js'
import { decodePng, renderJob } from '../../helper.js'
import { readFileSync } from 'node:fs'

const fonts = loadBundledFonts()

async function rasterOf(html: string, opts: { transparent?: boolean; scale?: number } = {}): Promise<Raster> {
  const job = renderJob(html, { transparentBackground: opts.transparent ?? false, deviceScale: opts.scale ?? 1 })
  const doc = buildDocument(job)
  const laid = await layout(doc.root, { width: doc.layoutWidth, height: doc.layoutHeight, fonts })
  return rasterize(simplifySvg(applyCrop(laid.svg, cropRect(doc, laid))), { scale: opts.scale ?? 1, transparent: opts.transparent ?? false })
}

/** IHDR's colour type: 2 RGB, 3 indexed, 6 RGBA. */
const colourType = (png: Buffer) => png[25]

function chunkTypes(png: Buffer): string[] {
  const types: string[] = []
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) types.push(png.toString('latin1', at + 4, at + 8))
  return types
}

function chunkData(png: Buffer, type: string): Buffer | undefined {
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) {
    if (png.toString('latin1', at + 4, at + 8) === type) return png.subarray(at + 8, at + 8 + png.readUInt32BE(at))
  }
  return undefined
}

/** The raster as the PNG should hold it: RGBA, or RGB with alpha dropped for an opaque canvas. */
function expected(raster: Raster, transparent: boolean): Buffer {
  if (transparent) return raster.pixels
  const rgb = Buffer.alloc(raster.width * raster.height * 3)
  for (let i = 0, o = 0; i < raster.pixels.length; i += 4) {
    rgb[o++] = raster.pixels[i]!
    rgb[o++] = raster.pixels[i + 1]!
    rgb[o++] = raster.pixels[i + 2]!
  }
  return rgb
}

/** Both decoders give exactly the raster's pixels; the first differing pixel is named if not. */
async function assertExact(t: Test, png: Buffer, raster: Raster, transparent: boolean, what: string) {
  const want = expected(raster, transparent)
  const channels = transparent ? 4 : 3
  const vips = await sharp(png)[transparent ? 'ensureAlpha' : 'removeAlpha']().raw().toBuffer({ resolveWithObject: true })
  t.same([vips.info.width, vips.info.height, vips.info.channels], [raster.width, raster.height, channels], `${what}: size and channels`)
  t.equal(firstDifference(vips.data, want, channels), -1, `${what}: libvips decodes every pixel exactly`)
  const js = decodePng(png)
  const rgba = js.data
  const jsPixels = transparent ? rgba : expected({ pixels: rgba, width: js.width, height: js.height }, false)
  t.equal(firstDifference(jsPixels, want, channels), -1, `${what}: pngjs decodes every pixel exactly`)
}

function firstDifference(a: Buffer, b: Buffer, channels: number): number {
  if (a.length !== b.length) return 0
  const at = a.findIndex((v, i) => v !== b[i])
  return at < 0 ? -1 : Math.floor(at / channels)
}

const sampleCard = readFileSync(new URL('../../fixtures/cards/1-title.html', import.meta.url), 'utf8')

t.test('a card of few colours is indexed and decodes to exactly the truecolour pixels', async (t) => {
  for (const scale of [1, 2]) {
    const raster = await rasterOf(sampleCard, { scale })
    const indexed = await encodePng(raster, false)
    const rgb = await encodeTruecolourPng(raster, false)
    t.equal(colourType(indexed), 3, `${scale}×: indexed`)
    t.equal(colourType(rgb), 2, `${scale}×: the truecolour encoding is RGB`)
    t.notOk(chunkTypes(indexed).includes('tRNS'), 'an opaque canvas needs no tRNS')
    t.ok(indexed.length < rgb.length * 0.7, `${scale}×: ${indexed.length} bytes against ${rgb.length}`)
    await assertExact(t, indexed, raster, false, `title card at ${scale}×`)
    await assertExact(t, rgb, raster, false, `its truecolour encoding at ${scale}×`)
  }
})

t.test('a gradient (more than 256 colours) keeps the truecolour encoder', async (t) => {
  const raster = await rasterOf(
    '<div style="display:flex;width:600px;height:120px;background:linear-gradient(90deg,#f00,#00f 50%,#0f0)">Hi</div>',
  )
  t.equal(indexPixels(raster.pixels, raster.width, raster.height, true), undefined, 'the scan gives up')
  const png = await encodePng(raster, false)
  t.equal(colourType(png), 2, 'RGB')
  t.same(png, await encodeTruecolourPng(raster, false), 'the same bytes as the truecolour encoder')
  await assertExact(t, png, raster, false, 'gradient')
})

t.test('transparent pixels: alpha kept exactly in the palette (tRNS)', async (t) => {
  const raster = await rasterOf('<div style="display:flex;font-size:48px;color:#236;padding:8px;border-radius:20px;border:3px solid rgba(200,0,0,0.5)">Ghost text</div>', {
    transparent: true,
  })
  const alphas = new Set<number>()
  for (let i = 3; i < raster.pixels.length; i += 4) alphas.add(raster.pixels[i]!)
  t.ok(alphas.has(0) && alphas.size > 10, `fully transparent and ${alphas.size} alpha levels`)
  const png = await encodePng(raster, true)
  t.equal(colourType(png), 3, 'indexed')
  t.ok(chunkTypes(png).includes('tRNS'), 'with tRNS')
  await assertExact(t, png, raster, true, 'transparent card')
  await assertExact(t, await encodeTruecolourPng(raster, true), raster, true, 'its RGBA encoding')
})

/** A width×height raster whose pixel i has colour `colour(i)` (RGBA). */
function synthetic(width: number, height: number, colour: (i: number) => [number, number, number, number]): Raster {
  const pixels = Buffer.alloc(width * height * 4)
  for (let i = 0; i < width * height; i++) pixels.set(colour(i), i * 4)
  return { pixels, width, height }
}

t.test('the 256/257-colour boundary', async (t) => {
  const c256 = (i: number): [number, number, number, number] => [i % 256, (i * 7) % 256, 255 - (i % 256), 255]
  const exactly256 = synthetic(40, 30, c256)
  const ix = indexPixels(exactly256.pixels, 40, 30, true)
  t.equal(ix?.count, 256, '256 colours are indexed')
  const png256 = await encodePng(exactly256, false)
  t.equal(colourType(png256), 3)
  await assertExact(t, png256, exactly256, false, '256 colours')

  // The 257th colour is the very last pixel: the whole image was scanned, then it falls back.
  const last257 = synthetic(40, 30, (i) => (i === 40 * 30 - 1 ? [1, 2, 3, 255] : c256(i)))
  t.equal(indexPixels(last257.pixels, 40, 30, true), undefined, 'a 257th colour on the last pixel: not indexed')
  const png257 = await encodePng(last257, false)
  t.equal(colourType(png257), 2, 'RGB')
  await assertExact(t, png257, last257, false, '257 colours')

  // Alpha counts as part of the colour on a transparent canvas, and is ignored on an opaque one.
  const alpha257 = synthetic(40, 30, (i) => (i === 5 ? [0, 0, 255, 128] : c256(i)))
  t.equal(indexPixels(alpha257.pixels, 40, 30, false), undefined, 'same RGB, other alpha: a 257th colour')
  t.equal(indexPixels(alpha257.pixels, 40, 30, true)?.count, 256, 'opaque: alpha ignored')
  await assertExact(t, await encodePng(alpha257, true), alpha257, true, '257 RGBA colours')

  // Transparent black (the all-zero word) is a colour like any other.
  const zeros = synthetic(16, 16, (i) => (i % 3 ? [0, 0, 0, 0] : [9, 9, 9, 200]))
  const pngZeros = await encodePng(zeros, true)
  t.equal(colourType(pngZeros), 3)
  await assertExact(t, pngZeros, zeros, true, 'transparent black')
})

t.test('pixels not aligned to 4 bytes, one pixel, one column', async (t) => {
  const base = synthetic(7, 5, (i) => [i * 3, 0, 0, 255])
  const shifted = Buffer.alloc(base.pixels.length + 1)
  base.pixels.copy(shifted, 1)
  const unaligned = { ...base, pixels: shifted.subarray(1) }
  t.equal(unaligned.pixels.byteOffset % 4, 1)
  await assertExact(t, await encodePng(unaligned, false), base, false, 'unaligned')
  for (const [w, h] of [[1, 1], [1, 9], [9, 1]] as const) {
    const r = synthetic(w, h, (i) => [i, i, i, 255])
    const png = await encodePng(r, false)
    t.equal(colourType(png), 3)
    await assertExact(t, png, r, false, `${w}×${h}`)
  }
})

t.test('the palette PNG carries the pHYs of the truecolour encoder, and a dpi variant keeps its pixels', async (t) => {
  const raster = await rasterOf(sampleCard)
  const indexed = await encodePng(raster, false)
  const rgb = await encodeTruecolourPng(raster, false)
  t.same(chunkTypes(indexed), ['IHDR', 'pHYs', 'PLTE', 'IDAT', 'IEND'])
  t.same(chunkData(indexed, 'pHYs'), chunkData(rgb, 'pHYs'), 'same pHYs')
  const dense = await deriveVariant(indexed, { format: 'png', width: undefined, height: undefined, dpi: 300 })
  t.equal((await sharp(dense).metadata()).density, 300, 'dpi=300 on a palette PNG')
  await assertExact(t, dense, raster, false, 'the dpi variant')
  for (const format of ['jpg', 'webp'] as const) {
    const req = { format, width: undefined, height: undefined }
    t.same(await deriveVariant(indexed, req), await deriveVariant(rgb, req), `${format}: the same bytes as from the RGB PNG`)
  }
  const resize = { format: 'png' as const, width: 300, height: undefined }
  const [fromIndexed, fromRgb] = [await deriveVariant(indexed, resize), await deriveVariant(rgb, resize)]
  const decoded = await Promise.all([fromIndexed, fromRgb].map((b) => sharp(b).removeAlpha().raw().toBuffer()))
  t.same(decoded[0], decoded[1], 'a resized PNG: the same pixels as from the RGB PNG')
})
