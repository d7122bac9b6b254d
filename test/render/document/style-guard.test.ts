/**
 * The shadow and filter guard clamps what drives raster cost and leaves every other value as the
 * page wrote it. It used to regenerate whole sheets from css-tree's parsed values, which wrote
 * `100% 0` as `100%0` and `polygon(50% 0, …)` as `polygon(50%0,…)` (read by satori as nothing)
 * in any sheet that merely mentioned a shadow.
 */
import t from 'tap'
import { StyleGuard } from '../../../src/render/document/style-guard.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { decodePng, pixel, near, renderJob } from '../../helper.js'

const limits = { shadowBlurPx: 64, shadowSpreadPx: 128, shadows: 3 }
const roomy = { ...limits, shadows: 10 }

const SHEET = [
  '.card { background: #fef3c7 url("data:image/svg+xml,%3Csvg xmlns=\'http://www.w3.org/2000/svg\' width=\'20\' height=\'20\'%3E%3C/svg%3E") no-repeat; background-position: 100% 0 }',
  '.tri { clip-path: polygon(50% 0, 100% 100%, 0 100%); transform-origin: 100% 0 }',
  '.shadow-lg { box-shadow: 0 10px 15px rgba(0, 0, 0, .1), 0 4px 6px #0000001a }',
  '.soft { filter: drop-shadow(0 1px 2px #000) blur(2px) }',
].join('\n')

t.test('a sheet whose shadows and filters are within the limits comes back as written', async (t) => {
  const guard = new StyleGuard(limits)
  t.equal(guard.guardSheet(SHEET), SHEET)
  t.same(guard.warnings, [])
})

t.test('a clamped shadow is rewritten; the rest of the sheet keeps its text', async (t) => {
  const guard = new StyleGuard(roomy)
  const out = guard.guardSheet(`${SHEET}\n.huge { box-shadow: 0 0 500px 10px #000 }`)
  t.match(out, /box-shadow:0 0 64px 10px #000/, 'blur clamped')
  t.match(out, /background-position:100% 0/)
  t.match(out, /polygon\(50% 0, 100% 100%, 0 100%\)/)
  t.match(out, /transform-origin:100% 0/)
  t.ok(out.includes(`url("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='20' height='20'%3E%3C/svg%3E")`), 'the data URI as written')
  t.match(guard.warnings, [/box-shadow: blur 500px clamped to 64px/])
})

t.test('shadows past the count are dropped, and counted across sheets and inline styles', async (t) => {
  const guard = new StyleGuard(limits)
  const out = guard.guardSheet('.a { box-shadow: 0 1px 2px #000, 0 2px 4px #000; background-position: 100% 0 } .b { text-shadow: 1px 1px #000, 2px 2px #000 }')
  t.notMatch(out, /text-shadow/)
  t.match(out, /box-shadow:0 1px 2px #000, 0 2px 4px #000/)
  t.match(out, /background-position:100% 0/)
  const inline: Record<string, unknown> = { boxShadow: '0 0 2px red', backgroundPosition: '100% 0' }
  guard.guardInline(inline)
  t.same(inline, { backgroundPosition: '100% 0' })
})

t.test('an inline value within the limits is left as written; a clamped one is rewritten', async (t) => {
  const guard = new StyleGuard(limits)
  const style: Record<string, unknown> = { boxShadow: '0 10px 15px rgba(0, 0, 0, .1)', filter: 'blur(400px)' }
  guard.guardInline(style)
  t.same(style, { boxShadow: '0 10px 15px rgba(0, 0, 0, .1)', filter: 'blur(64px)' })
})

t.test('pixels: a shadow rule elsewhere in the sheet changes nothing in a clipped, positioned box', async (t) => {
  const renderer = createRenderer()
  const job = (html: string) => renderJob(html, { viewportWidth: 120, viewportHeight: 100 })
  const page = (extra: string) =>
    `<style>body { margin: 0 } .tri { width: 100px; height: 80px; background: #1d4ed8; clip-path: polygon(50% 0, 100% 100%, 0 100%) } ${extra}</style><div class="tri"></div>`
  const plain = decodePng(Buffer.from((await renderer.render(job(page('')))).png))
  const shadowed = decodePng(Buffer.from((await renderer.render(job(page('.other { box-shadow: 0 1px 2px #000 }')))).png))
  // The triangle's apex is at the top centre; its top corners are clipped away (white).
  t.ok(near([0x1d, 0x4e, 0xd8], pixel(plain, 50, 70)), 'the triangle is drawn')
  t.ok(near([255, 255, 255], pixel(plain, 5, 5)), 'its corner is clipped')
  let differing = 0
  for (let y = 0; y < plain.height; y++) for (let x = 0; x < plain.width; x++) if (!near(pixel(plain, x, y), pixel(shadowed, x, y), 0)) differing++
  t.equal(differing, 0, 'the same pixels with the shadow rule in the sheet')
})
