/**
 * A box-shadow's lengths are resolved like every other length (patches/satori+0.63.2.patch):
 * `em` against the element's font size, `rem`, viewport units and `calc()`, a missing blur or
 * spread is 0, and a shadow whose lengths still are not numbers is left out (with a style
 * error). satori kept what css-box-shadow could not read as a string: `calc(1px + 1px)`,
 * `.5em`. The painter then drew an inset ring with a NaN width (nothing), an outer ring with
 * `stroke-width="NaN"`, an offset of `y="24.5em"`, and `0 0 #0000` (no blur) gave a `NaN%`
 * filter region, on which resvg panicked and took the render worker down. Every Tailwind
 * `ring-*` is `0 0 0 calc(Npx + var(--tw-ring-offset-width))`, so every ring was lost:
 * fidelity case 95-tailwind-rings 2.00 → 0.25 %. text-shadow takes the same resolver: its `em`
 * was resolved already, but a `calc()` made css-to-react-native reject the whole declaration.
 * Fails loudly when an upgrade drops the patch.
 */
import t from 'tap'
import { satoriBuildsCarry } from './satori-patch.js'
import { createRenderer } from '../../src/render/pipeline.js'
import { decodePng, near, pixel, renderJob } from '../helper.js'

satoriBuildsCarry({
  'shadow lengths resolved': '/*vellum:box-shadow-lengths*/let vbL=vbV=>',
})

const GREEN = [0, 128, 0]
const RED = [255, 0, 0]
const WHITE = [255, 255, 255]
const GRAY = [200, 200, 200]
const INDIGO = [99, 102, 241]

async function render(html: string, width = 400, height = 120) {
  const result = await createRenderer().render(renderJob(`<style>body{margin:0;background:#fff}</style>${html}`, { viewportWidth: width, viewportHeight: height }))
  return decodePng(Buffer.from(result.png))
}

/** Which of the pixels x0..x1 (inclusive) of row y are `rgb`, as a string of 1s and 0s. */
function row(png: ReturnType<typeof decodePng>, y: number, x0: number, x1: number, rgb: number[]): string {
  let s = ''
  for (let x = x0; x <= x1; x++) s += near(pixel(png, x, y).slice(0, 3), rgb, 24) ? '1' : '0'
  return s
}

t.test('calc() spread: an inset ring 2 px inside the box, an outer ring 4 px outside', async (t) => {
  // Boxes at x 20..59 and 80..119, y 20..59.
  const png = await render(`<div style="display:flex;gap:20px;padding:20px">
    <div style="width:40px;height:40px;background:#fff;box-shadow:inset 0 0 0 calc(1px + 1px) green"></div>
    <div style="width:40px;height:40px;background:#fff;box-shadow:0 0 0 calc(2px + 2px) green"></div></div>`)
  t.equal(row(png, 40, 18, 23, GREEN), '001100', 'inset ring: x 20 and 21 green, 22 not (satori: no ring)')
  t.equal(row(png, 40, 54, 61, GREEN), '00001100', 'inset ring: x 58 and 59 green')
  t.equal(row(png, 40, 74, 81, GREEN), '00111100', 'outer ring: x 76..79 green, the box white (satori: stroke-width NaN)')
  t.equal(row(png, 40, 118, 125, GREEN), '00111100', 'outer ring: x 120..123 green')
})

t.test('em offsets and blur on a flex item: drawn (resvg panicked), offset by .5em of 20px', async (t) => {
  // Spans at y 20..55 (20px content + 8px padding): a hard shadow 10 px below the first, the
  // blurred one of the bug report under the second.
  const png = await render(`<div style="display:flex;gap:40px;padding:20px;font:20px sans-serif;line-height:20px">
    <span style="padding:8px;width:40px;height:20px;background:#fff;box-shadow:0 .5em 0 red"></span>
    <span style="padding:8px;width:40px;height:20px;background:#fff;box-shadow:0 .5em 1em rgba(0,0,0,.3)">x</span></div>`)
  let column = ''
  for (let y = 52; y <= 68; y++) column += near(pixel(png, 40, y).slice(0, 3), RED, 24) ? '1' : '0'
  t.equal(column, '00001111111111000', 'hard shadow: y 56..65 red, from the box bottom 10 px down')
  // The blurred shadow is centred 10 px lower than the box: 6 px below it darker than 6 px above.
  const above = pixel(png, 148, 14)[0]
  const below = pixel(png, 148, 61)[0]
  t.ok(below < 245, `a shadow under the blurred box (${below})`)
  t.ok(below < above - 5, `darker below (${below}) than above (${above})`)
})

t.test('a Tailwind ring chain: ring-2 ring-offset-2, and ring-inset', async (t) => {
  const css = `*{--tw-ring-inset: ;--tw-ring-offset-width:0px;--tw-ring-offset-color:#fff;--tw-ring-color:rgb(59 130 246 / 0.5);
      --tw-ring-offset-shadow:0 0 #0000;--tw-ring-shadow:0 0 #0000;--tw-shadow:0 0 #0000}
    .ring-2{--tw-ring-offset-shadow:var(--tw-ring-inset) 0 0 0 var(--tw-ring-offset-width) var(--tw-ring-offset-color);
      --tw-ring-shadow:var(--tw-ring-inset) 0 0 0 calc(2px + var(--tw-ring-offset-width)) var(--tw-ring-color);
      box-shadow:var(--tw-ring-offset-shadow), var(--tw-ring-shadow), var(--tw-shadow, 0 0 #0000)}
    .ring-inset{--tw-ring-inset:inset}
    .ring-indigo-500{--tw-ring-opacity:1;--tw-ring-color:rgb(99 102 241 / var(--tw-ring-opacity))}
    .ring-offset-2{--tw-ring-offset-width:2px}`
  // Boxes at x 20..59 and 80..119 on gray.
  const png = await render(`<style>${css}</style><div style="display:flex;gap:20px;padding:20px;background:rgb(200 200 200)">
    <div class="ring-2 ring-indigo-500 ring-offset-2" style="width:40px;height:40px;background:#000"></div>
    <div class="ring-2 ring-inset ring-indigo-500" style="width:40px;height:40px;background:#000"></div></div>`)
  t.equal(row(png, 40, 14, 20, GRAY), '1100000', 'gray up to x 15')
  t.equal(row(png, 40, 14, 20, INDIGO), '0011000', 'ring: x 16 and 17 indigo (calc(2px + 2px) spread under the offset)')
  t.equal(row(png, 40, 14, 20, WHITE), '0000110', 'ring offset: x 18 and 19 white')
  t.equal(row(png, 40, 78, 83, INDIGO), '001100', 'ring-inset: x 80 and 81 indigo, inside the box')
})

t.test('text-shadow with calc() and em: drawn at the resolved offset (satori dropped calc())', async (t) => {
  const png = await render(`<p style="margin:20px;font:30px sans-serif;color:#000;text-shadow:calc(2px + 2px) calc(.1em + 3px) 0 red">H</p>`, 200, 100)
  const ink = (test: (rgb: number[]) => boolean) => {
    let left = Infinity
    let top = Infinity
    for (let y = 0; y < png.height; y++) for (let x = 0; x < png.width; x++) if (test(pixel(png, x, y))) { left = Math.min(left, x); top = Math.min(top, y) }
    return { left, top }
  }
  const text = ink(([r, g, b]) => r! < 40 && g! < 40 && b! < 40)
  const shadow = ink(([r, g, b]) => r! > 200 && g! < 60 && b! < 60)
  t.equal(shadow.left - text.left, 4, 'x: calc(2px + 2px)')
  t.equal(shadow.top - text.top, 6, 'y: calc(.1em + 3px) of 30px')
})
