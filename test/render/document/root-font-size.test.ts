/**
 * `rem` follows the root element's font size: read from the page's cascade for <html> (rules,
 * the css parameter, <html style>), and every rem length in sheets and inline styles is written
 * as px before satori (which takes rem as 16px). Checked on the built tree and on pixels.
 */
import t from 'tap'
import { htmlToTree, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { remToPx } from '../../../src/render/document/root-font-size.js'
import { renderJob } from '../../helper.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { PNG } from 'pngjs'

const limits = { elements: 5000, depth: 200 }

function built(html: string, css = '') {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  const children = root.props.children as SatoriElement[]
  const sheets = children.filter((c) => c.type === 'style').map((c) => String(c.props.children))
  const body = children.find((c) => c.type === 'body')!
  return { sheets: sheets.slice(1).join('\n'), body }
}

t.test('the root size from rules, the css parameter and <html style>, in the units pages use', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['<style>html { font-size: 10px }</style><div class="w"></div>', '.w { width: 2rem }', '20px'],
    ['<style>html { font-size: 62.5% }</style><div class="w"></div>', '.w { width: 2rem }', '20px'],
    ['<div class="w"></div>', 'html { font: italic bold 12px/1.5 serif } .w { width: 2rem }', '24px'],
    ['<html style="font-size: large"><body><div class="w"></div></body></html>', '.w { width: 2rem }', '36px'],
    ['<style>:root { font-size: 1.25em }</style><div class="w"></div>', '.w { width: 2rem }', '40px'],
    ['<style>html { font-size: 10px } html.big { font-size: 20px }</style><div class="w"></div>', '.w { width: 2rem }', '20px'],
  ]
  for (const [html, css, width] of cases) {
    const { sheets } = built(html, css)
    t.match(sheets, new RegExp(`\\.w\\{width:${width}\\}`), `${html} + ${css} → ${width}`)
  }
  const untouched = built('<div class="w"></div>', '.w { width: 2rem }')
  t.match(untouched.sheets, /\.w\{width:2rem\}/, 'a 16px root leaves rem to satori')
})

t.test('inline styles and values inside functions', async (t) => {
  const { body } = built('<html style="font-size:10px"><body><div style="width: calc(100% - 3rem); margin: 0.5rem 1rem">x</div></body></html>')
  const div = (body.props.children as SatoriElement[]).find((c) => typeof c === 'object')!
  t.same(div.props.style, { width: 'calc(100% - 30px)', margin: '5px 10px' })
  t.equal(remToPx('a { padding: 1.5rem 0; background: url(rem.png) }', 10), 'a{padding:15px 0;background:url(rem.png)}', 'a url that says rem is not a length')
})

t.test('pixels: a box 10rem wide under a 10px root is 100px wide', async (t) => {
  const renderer = createRenderer()
  const out = await renderer.render(
    renderJob('<html style="font-size:10px"><body style="margin:0"><div style="width:10rem;height:2rem;background:#f00"></div></body></html>'),
  )
  const png = PNG.sync.read(Buffer.from(out.png))
  let red = 0
  for (let x = 0; x < png.width; x++) {
    const i = (png.width * 5 + x) * 4
    if (png.data[i] === 255 && png.data[i + 1] === 0) red++
  }
  t.equal(red, 100)
})
