/**
 * satori's stylesheet matcher counted an element's position among its siblings by walking them,
 * once per element and rule: 3,000 <li> under 2,000 `:nth-child` rules took 47 s, past the
 * render timeout. patches/satori+0.63.2.patch (`vellumNth`) counts each sibling list once (per
 * type, and per `of S` selector list) and reads positions from there. css-select is the oracle
 * for which element each structural pseudo-class matches. Fails loudly when an upgrade drops the patch.
 */
import t from 'tap'
import { satoriBuildsCarry } from './satori-patch.js'
import { parseDocument } from 'htmlparser2'
import { selectAll } from 'css-select'
import type { Element } from 'domhandler'
import { createRenderer } from '../../src/render/pipeline.js'
import { loadConfig } from '../../src/config/load-config.js'
import { decodePng, near, pixel, renderJob } from '../helper.js'

satoriBuildsCarry({
  'the counting function': 'function vellumNth(',
  ':nth-* read it': 'vellumNth(g,I.startsWith("nth-last"),I.endsWith("of-type")?"type":Q??null,i)',
  '*-of-type read it': 'case"only-of-type":return vellumNth(g,!1,"type",C)===1&&vellumNth(g,!0,"type",C)===1',
})

t.test('structural pseudo-classes match what css-select matches', async (t) => {
  const renderer = createRenderer()
  // 24 cells of 20 px in a row, mixed types and classes: each selector paints the cells it
  // matches red over a white default.
  const cells = Array.from({ length: 24 }, (_, i) => {
    const tag = i % 3 === 2 ? 'i' : 'b'
    return `<${tag} class="${i % 4 === 1 ? 'a' : 'z'}"></${tag}>`
  }).join('')
  const html = `<div id="row">${cells}</div>`
  const selectors = [
    'b:nth-child(3n+1)', 'i:nth-child(2n)', ':nth-last-child(4n+2)', 'b:nth-of-type(2n)', 'i:nth-last-of-type(3)',
    'b:first-of-type', 'i:last-of-type', ':nth-child(2n+1 of .a)', ':nth-last-child(-n+2 of .a)', 'b:nth-child(n+20)',
  ]
  const base = '#row{display:flex}#row>*{display:block;width:20px;height:20px;background:#fff}'
  const row = parseDocument(html).children[0] as Element
  for (const selector of selectors) {
    const matched = new Set(selectAll(`#row > ${selector}`, row.parent!))
    const expected = row.children.filter((c): c is Element => c.type === 'tag').map((c) => matched.has(c))
    t.ok(expected.some(Boolean) && !expected.every(Boolean), `${selector}: a selector that tells cells apart`)
    const png = decodePng(Buffer.from((await renderer.render(renderJob(html, { css: `${base}#row>${selector}{background:#f00}`, viewportWidth: 480, viewportHeight: 20 }))).png))
    const drawn = expected.map((_, i) => near(pixel(png, i * 20 + 10, 10), [255, 0, 0, 255]))
    t.same(drawn, expected, selector)
  }
})

t.test('3,000 siblings under 2,000 :nth-* rules render within the default render timeout', async (t) => {
  const renderer = createRenderer()
  const { timeoutMs } = loadConfig({}, {}, () => undefined).render
  const css = Array.from({ length: 1000 }, (_, i) => `li:nth-child(${i + 1}n+${i % 7}){color:#${i % 9}${i % 9}0}li:nth-last-of-type(${i + 2}){margin-left:1px}`).join('')
  const started = performance.now()
  const result = await renderer.render(renderJob(`<ul>${'<li>a</li>'.repeat(3000)}</ul>`, { css, viewportWidth: 600, viewportHeight: 300 }))
  const ms = performance.now() - started
  t.ok(result.png.byteLength > 0, 'rendered')
  t.ok(ms < timeoutMs, `${ms.toFixed(0)} ms, under RENDER_TIMEOUT_MS's default ${timeoutMs} ms (the unpatched matcher took minutes)`)
})
