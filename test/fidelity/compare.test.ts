/**
 * The two fidelity figures: a page whose text is replaced by boxes barely moves the whole-picture
 * share on a big background, and shows at full weight in the ink share.
 */
import t from 'tap'
import { PNG } from 'pngjs'
import { compare } from './compare.js'

function canvas(draw: (x: number, y: number) => boolean): PNG {
  const png = new PNG({ width: 400, height: 200 })
  for (let y = 0; y < 200; y++) {
    for (let x = 0; x < 400; x++) {
      const i = (y * 400 + x) * 4
      const ink = draw(x, y)
      png.data.set(ink ? [20, 20, 20, 255] : [255, 255, 255, 255], i)
    }
  }
  return png
}

// "Glyphs": thin strokes in a 100×12 line; "boxes": hollow rectangles over the same cells.
const glyphs = canvas((x, y) => y >= 20 && y < 32 && x >= 20 && x < 120 && x % 10 === 3)
const boxes = canvas((x, y) => y >= 20 && y < 32 && x >= 20 && x < 120 && (x % 10 === 1 || x % 10 === 8 || y === 20 || y === 31) && x % 10 !== 0 && x % 10 !== 9)

t.test('identical: nothing on either figure', async (t) => {
  const c = compare(glyphs, glyphs)
  t.equal(c.mismatchPct, 0)
  t.equal(c.inkMismatchPct, 0)
})

t.test('boxes for glyphs: small on the whole picture, most of the ink', async (t) => {
  const c = compare(glyphs, boxes)
  t.ok(c.mismatchPct < 5, `whole picture ${c.mismatchPct.toFixed(2)} % (passes the 5 % bar)`)
  t.ok(c.inkMismatchPct > 60, `ink ${c.inkMismatchPct.toFixed(2)} %`)
})

t.test('a size difference counts as mismatched ink too', async (t) => {
  const taller = new PNG({ width: 400, height: 220 })
  PNG.bitblt(glyphs, taller, 0, 0, 400, 200, 0, 0)
  for (let i = 400 * 200 * 4; i < taller.data.length; i += 4) taller.data.set([255, 255, 255, 255], i)
  const c = compare(glyphs, taller)
  t.ok(c.inkMismatchPct > 0 && c.mismatchPct > 0)
})
