/**
 * Font bytes: the container read from magic bytes, WOFF and WOFF2 unpacked to the same tables,
 * and a face cut to its unicode-range by its character map only.
 */
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { FontDataError, fontFormat, narrowToRanges, readCmap, sfntTables, toSfnt, woff2Cmap } from '../../src/fonts/sfnt.js'
import { parseUnicodeRange } from '../../src/fonts/script-fonts.js'

const require = createRequire(import.meta.url)
const files = join(dirname(require.resolve('@fontsource/roboto-mono/package.json')), 'files')
const woff2 = readFileSync(join(files, 'roboto-mono-latin-400-normal.woff2'))
const woff = readFileSync(join(files, 'roboto-mono-latin-400-normal.woff'))

/** Glyph id of a code point in an sfnt's cmap (0: not mapped). */
function glyph(sfnt: Buffer, cp: number): number {
  const cmap = sfntTables(sfnt).tables.find((x) => x.tag === 'cmap')!.data
  for (const [s, e, g] of readCmap(cmap)) if (cp >= s && cp <= e) return g + cp - s
  return 0
}

t.test('the container comes from the magic bytes', async (t) => {
  t.equal(fontFormat(woff2), 'woff2')
  t.equal(fontFormat(woff), 'woff')
  t.equal(fontFormat(await toSfnt(woff2)), 'ttf')
  t.equal(fontFormat(Buffer.from('OTTO' + '\0'.repeat(20), 'latin1')), 'otf')
  t.equal(fontFormat(Buffer.from('<!doctype html><html>')), undefined, 'an HTML error page is no font')
  t.equal(fontFormat(Buffer.from('wOF2')), undefined, 'too short to be one')
})

t.test('WOFF and WOFF2 unpack to the same character map', async (t) => {
  const a = await toSfnt(woff2)
  const b = await toSfnt(woff)
  for (const cp of [0x41, 0x61, 0x7a, 0x20ac]) t.equal(glyph(a, cp), glyph(b, cp), `U+${cp.toString(16)}`)
  t.ok(glyph(a, 0x61) > 0, '"a" is mapped')
  await t.rejects(toSfnt(Buffer.from('wOF2' + 'x'.repeat(40))), /WOFF2 does not decompress/)
  await t.rejects(toSfnt(Buffer.from('not a font at all')), /not a font file/)
})

t.test('a unicode-range cuts the cmap and nothing else', async (t) => {
  const sfnt = await toSfnt(woff2)
  const caps = narrowToRanges(sfnt, parseUnicodeRange('U+0041-005A'))
  t.ok(glyph(caps, 0x41) > 0 && glyph(caps, 0x5a) > 0, 'A–Z stay')
  t.equal(glyph(caps, 0x41), glyph(sfnt, 0x41), 'with the same glyphs')
  t.equal(glyph(caps, 0x61), 0, '"a" is gone')
  t.equal(glyph(caps, 0x30), 0, '"0" is gone')
  const before = sfntTables(sfnt).tables.filter((x) => x.tag !== 'cmap')
  const after = sfntTables(caps).tables.filter((x) => x.tag !== 'cmap')
  t.same(after.map((x) => x.tag), before.map((x) => x.tag))
  t.ok(after.every((x, i) => x.data.equals(before[i]!.data)), 'every other table is byte for byte the same')
  t.equal(narrowToRanges(sfnt, undefined), sfnt, 'no range: the file as it is')
  t.throws(() => narrowToRanges(sfnt, parseUnicodeRange('U+4E00-4E10')), /no character of its unicode-range/)
  t.throws(() => narrowToRanges(Buffer.from('\0\x01\0\0' + '\0'.repeat(20), 'latin1'), undefined), /no cmap table/)
})

t.test("a WOFF2 file's cmap is read without unpacking the font, as the unpacked font has it", async (t) => {
  const fromSfnt = readCmap(sfntTables(await toSfnt(woff2)).tables.find((x) => x.tag === 'cmap')!.data)
  t.same(readCmap(woff2Cmap(woff2)), fromSfnt)
  t.throws(() => woff2Cmap(woff), /not a WOFF2 file/)
  t.throws(() => woff2Cmap(woff2.subarray(0, 60)), FontDataError, 'truncated')
})
