/**
 * Rewritten stylesheets are reused across renders (templated cards send the same sheet with
 * different text); reuse must keep each render's own cascade order and its warnings.
 */
import t from 'tap'
import { CssRewriter, type StyleRule } from '../../../src/render/document/css-rewrite.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import type { RenderParams } from '../../../src/http/schemas/create-image.js'
import { decodePng, pixel, near } from '../../helper.js'

const RED = 'body { background: #f00 }'
const BLUE = 'body { background: #00f }'

t.test('a reused sheet keeps its place in the cascade of each render', async (t) => {
  const renderer = createRenderer()
  const params: RenderParams = {
    html: '', css: '', googleFonts: [], selector: undefined, deviceScale: 1, viewportWidth: 40, viewportHeight: 30,
    transparentBackground: false, disableTwemoji: false,
  }
  const limits = { elements: 100, depth: 20, outputPixels: 10_000, imagePixels: 1, imagesPerRender: 0, shadowBlurPx: 0, shadowSpreadPx: 0, shadows: 0 }
  const corner = async (html: string, css: string) => {
    const out = await renderer.render({ params: { ...params, html, css }, limits, fonts: [], images: {} })
    return pixel(decodePng(Buffer.from(out.png)), 1, 1)
  }
  t.ok(near(await corner(`<style>${RED}</style><p>x</p>`, BLUE), [0, 0, 255, 255]), 'the css parameter comes after the page sheet: blue')
  t.ok(near(await corner(`<style>${BLUE}</style><p>x</p>`, RED), [255, 0, 0, 255]), 'same two sheets, swapped: red')
  t.ok(near(await corner(`<style>${BLUE}</style><p>x</p>`, BLUE), [0, 0, 255, 255]), 'twice the same sheet')
})

t.test('a reused sheet reports its warnings and numbers its rules after earlier ones every time', async (t) => {
  const sheet = '.a { writing-mode: vertical-rl; color: red } .b { color: blue }'
  for (let i = 0; i < 2; i++) {
    const css = new CssRewriter()
    const rules: StyleRule[] = []
    css.sheet('p { margin: 0 }', rules)
    const text = css.sheet(sheet, rules)
    t.match(text, /writing-mode/, 'the rewritten text')
    t.same(rules.map((r) => [r.selector, r.order]), [['p', 0], ['.a', 1], ['.b', 2]], `orders continue (${i ? 'cached' : 'first'} time)`)
    t.same(css.warnings, ['writing-mode: vertical-rl (not supported, ignored)'], 'the warning is reported')
  }
})

t.test('what cannot be drawn is said: variable-font axes, and emoji newer than the bundled Twemoji', async (t) => {
  const css = new CssRewriter()
  css.sheet('.v { font-variation-settings: "wght" 650 } .n { font-variation-settings: normal }', [])
  t.same(css.warnings, ['font-variation-settings: "wght" 650 (not supported, ignored)'], 'normal is not a change')
  const { createRenderer } = await import('../../../src/render/pipeline.js')
  const { renderJob } = await import('../../helper.js')
  // U+1FAE9 (face with bags under eyes, Emoji 16) is newer than the bundled Twemoji; 🙂 is not.
  const out = await createRenderer().render(renderJob('<p>tired \u{1FAE9} happy 🙂</p>'))
  t.same(out.warnings, ['emoji "\u{1FAE9}" not drawn: the bundled Twemoji has no picture for it'])
})

t.test('backdrop-filter is left out, said so: the panel is its translucent background, not a dark box', async (t) => {
  const { createRenderer } = await import('../../../src/render/pipeline.js')
  const { renderJob, decodePng, pixel } = await import('../../helper.js')
  const html = (style: string) =>
    `<div style="position:relative;width:300px;height:160px;background:#3366cc"><div style="position:absolute;left:40px;top:30px;width:220px;height:100px;background:rgba(255,255,255,.25);${style}"></div></div>`
  const renderer = createRenderer()
  for (const [where, page, css] of [
    ['inline style', html('backdrop-filter:blur(16px);-webkit-backdrop-filter:blur(16px)'), ''],
    ['style sheet', html('').replace('rgba(255,255,255,.25);', 'rgba(255,255,255,.25)" class="glass'), '.glass{backdrop-filter:blur(16px) saturate(180%)}'],
  ] as const) {
    const out = await renderer.render(renderJob(page, { css, viewportWidth: 300, viewportHeight: 160 }))
    const png = decodePng(Buffer.from(out.png))
    // rgba(255,255,255,.25) over #3366cc: (102, 140, 217).
    const [r, g, b] = pixel(png, 150, 80)
    t.ok(Math.abs(r - 102) <= 2 && Math.abs(g - 140) <= 2 && Math.abs(b - 217) <= 2, `${where}: the panel's own colour over the blue, ${[r, g, b]}`)
    t.match(out.warnings.join('\n'), /backdrop-filter: blur\(16px\)[^\n]*\(not supported: drawn without the backdrop effect\)/, `${where}: the warning names it`)
  }
})

t.test('counters are drawn by satori, so counter-reset and counter-increment are not reported as ignored', async (t) => {
  const { createRenderer } = await import('../../../src/render/pipeline.js')
  const { renderJob } = await import('../../helper.js')
  const out = await createRenderer().render(
    renderJob('<div class="s"><p>a</p><p>b</p></div>', { css: '.s{counter-reset:step 4}.s p{counter-increment:step 2}.s p::before{content:counter(step)}' }),
  )
  t.notMatch(out.warnings.join('\n'), /counter/, 'no warning about counters')
})
