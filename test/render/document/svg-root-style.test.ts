/**
 * CSS presentation properties on an inline `<svg>` root (`.icon { stroke: currentColor; fill:
 * none }`, Tailwind's `fill-current`, `style="fill: currentColor"`) reach the drawing, as in
 * Chromium: the document stage writes the cascaded values as attributes on the root, which
 * satori carries into the SVG image (src/render/document/svg-root-style.ts). Before, satori
 * dropped the root's style and the icons came out as black filled shapes. Fidelity case
 * 109-svg-icon-css holds it against Chromium; these pin the cascade and the pixels.
 */
import t from 'tap'
import { htmlToTree, type SatoriChild, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { near, pixel, renderPng } from '../../helper.js'

const limits = { elements: 5000, depth: 200 }

function all(node: SatoriChild, type: string, out: SatoriElement[] = []): SatoriElement[] {
  if (typeof node !== 'object' || node === null) return out
  if (node.type === type) out.push(node)
  const kids = node.props.children
  for (const c of Array.isArray(kids) ? kids : kids === undefined ? [] : [kids]) all(c as SatoriChild, type, out)
  return out
}

const svgs = (html: string, css = '') => all(htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits }).root, 'svg')

t.test('rules and the style attribute on the root become its presentation attributes', async (t) => {
  const [icon, inline] = svgs(
    `<style>svg.icon{stroke:#2563eb;stroke-width:3;fill:none;stroke-linecap:round}</style>
     <svg class="icon" viewBox="0 0 24 24"><circle cx="12" cy="12" r="9"/></svg>
     <svg viewBox="0 0 24 24" style="fill:currentColor;color:#16a34a"><path d="M2 2h20v20H2z"/></svg>`,
  )
  t.match(icon!.props, { stroke: '#2563eb', 'stroke-width': '3', fill: 'none', 'stroke-linecap': 'round' })
  t.equal(inline!.props.fill, 'currentColor', 'currentColor is left for satori to resolve against the svg color')
})

t.test('CSS beats the root own attributes; an attribute beats what the HTML around it sets', async (t) => {
  const [ring, plain] = svgs(
    `<style>.row{fill:#dc2626;stroke-width:5} svg.ring{fill:#fde68a}</style>
     <div class="row"><svg class="ring" fill="#000" stroke="#000" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg></div>
     <div class="row"><svg stroke-width="1" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg></div>`,
  )
  t.equal(ring!.props.fill, '#fde68a', 'the rule wins over fill="#000"')
  t.equal(ring!.props.stroke, '#000', 'an attribute no rule overrides stays')
  t.equal(ring!.props['stroke-width'], '5', 'inherited from the div: the svg sets no stroke-width of its own')
  t.equal(plain!.props.fill, '#dc2626', 'fill is inherited from the HTML parent')
  t.equal(plain!.props['stroke-width'], '1', 'its own attribute beats the inherited value')
})

t.test('inherit and initial in CSS; nested svgs and conditional rules are left alone', async (t) => {
  const [outer, nested] = svgs(
    `<style>.p{fill:#059669} svg.a{fill:inherit;stroke:initial} svg svg{fill:#f00} @media (prefers-color-scheme: dark){svg.a{stroke-width:9}}</style>
     <div class="p"><svg class="a" fill="#000" stroke="#111" viewBox="0 0 10 10"><svg><rect width="5" height="5"/></svg></svg></div>`,
  )
  t.equal(outer!.props.fill, '#059669', 'inherit passes over the attribute to the parent')
  t.equal(outer!.props.stroke, 'none', 'initial is the initial value')
  t.equal(outer!.props['stroke-width'], undefined, 'a rule inside @media is not guessed in')
  t.equal(nested!.props.fill, undefined, 'an svg inside an svg is content, styled by satori')
})

t.test('the icons draw in the colours Chromium draws them', async (t) => {
  const png = await renderPng(
    `<body style="margin:0;display:flex;gap:8px;padding:8px;background:#fff">
     <style>.i svg{width:24px;height:24px;fill:currentColor} svg.icon{stroke:#2563eb;stroke-width:3;fill:none}</style>
     <div class="i" style="color:#e11d48;display:flex"><svg viewBox="0 0 24 24"><circle cx="12" cy="12" r="10"/></svg></div>
     <svg class="icon" viewBox="0 0 24 24" width="24" height="24"><circle cx="12" cy="12" r="9"/></svg>
     <svg viewBox="0 0 24 24" width="24" height="24" style="fill:currentColor;color:#16a34a"><path d="M2 2h20v20H2z"/></svg>
     </body>`,
    { viewportWidth: 120, viewportHeight: 40 },
  )
  // Icons at x 8, 40, 72; y 8..32.
  t.ok(near(pixel(png, 20, 20), [0xe1, 0x1d, 0x48, 255]), `fill: currentColor takes the div's colour: ${pixel(png, 20, 20)}`)
  t.ok(near(pixel(png, 52, 20), [255, 255, 255, 255]), `fill: none leaves the circle empty: ${pixel(png, 52, 20)}`)
  t.ok(near(pixel(png, 52, 11), [0x25, 0x63, 0xeb, 255], 24), `the 3-unit stroke is blue: ${pixel(png, 52, 11)}`)
  t.ok(near(pixel(png, 84, 20), [0x16, 0xa3, 0x4a, 255]), `the style attribute's currentColor is green: ${pixel(png, 84, 20)}`)
})

t.test('svg text takes the fill and font size the root gets from a rule', async (t) => {
  const png = await renderPng(
    `<body style="margin:0;background:#fff"><style>svg.t{fill:#2563eb;font-size:28px;font-weight:bold}</style>
     <svg class="t" viewBox="0 0 100 30" width="100" height="30"><text x="0" y="26">HH</text></svg></body>`,
    { viewportWidth: 100, viewportHeight: 30 },
  )
  let blue = 0
  let black = 0
  let top = 30
  for (let y = 0; y < 30; y++) {
    for (let x = 0; x < 100; x++) {
      const p = pixel(png, x, y)
      if (near(p, [0x25, 0x63, 0xeb, 255])) (blue++, (top = Math.min(top, y)))
      if (near(p, [0, 0, 0, 255], 40)) black++
    }
  }
  t.ok(blue > 200 && black === 0, `the glyphs are blue, not black: ${blue} blue, ${black} black pixels`)
  // Cap height of a 28 px face is ~20 px: the glyphs reach up from the baseline at 26 to ~6.
  t.ok(top <= 8, `the font size is the rule's 28 px (top of ink at y ${top})`)
})
