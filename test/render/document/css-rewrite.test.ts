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
