/**
 * Text inside inline SVG is drawn (satori alone refused the whole page with a 422) as outlines of
 * the render's own fonts: positions, anchors, tspans, inherited and CSS-set font properties,
 * and characters no face has reported instead of drawn as boxes. Pixels where they show.
 */
import t from 'tap'
import { PNG } from 'pngjs'
import { htmlToTree, type SatoriChild, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { SVG_TEXT_RUNS, type SvgTextRun } from '../../../src/render/document/svg-text.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { renderJob } from '../../helper.js'

const limits = { elements: 5000, depth: 200 }

function runsOf(html: string, css = ''): SvgTextRun[][] {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  const out: SvgTextRun[][] = []
  const walk = (node: SatoriChild): void => {
    if (typeof node !== 'object' || node === null) return
    if (node.type === 'text' && SVG_TEXT_RUNS in node.props) out.push(node.props[SVG_TEXT_RUNS] as SvgTextRun[])
    const c = node.props.children as SatoriChild[] | SatoriChild | undefined
    for (const child of Array.isArray(c) ? c : c === undefined ? [] : [c]) walk(child)
  }
  walk(root)
  return out
}

t.test('what each <text> says and how: attributes, inheritance, the page’s rules, tspans', async (t) => {
  const [title, label] = runsOf(
    `<div style="font-family: Georgia"><svg width="200" height="100">
      <g font-size="12" text-anchor="middle"><text x="10" y="20" class="big">Total <tspan dy="5" font-weight="bold">42</tspan></text></g>
      <text x="5" y="90" style="font-size: 2em">  spaced   out  </text>
    </svg></div>`,
    '.big { font-size: 20px }',
  )
  t.match(title, [
    { text: 'Total ', x: 10, y: 20, anchor: 'middle', font: { size: 20, weight: 400, family: /Noto Serif/ } },
    { text: '42', dy: 5, anchor: 'middle', font: { size: 20, weight: 700 } },
  ])
  t.notOk('x' in title![1]! && title![1]!.x !== undefined, 'the tspan continues the chunk')
  t.match(label, [{ text: 'spaced out', x: 5, y: 90, anchor: 'start', font: { size: 32 } }], 'whitespace collapsed and trimmed; em from the inherited 16px')
  t.same(runsOf('<div><p>text</p></div>'), [], 'HTML without SVG has none')
})

function darkColumns(png: PNG): number[] {
  const xs: number[] = []
  for (let x = 0; x < png.width; x++) {
    for (let y = 0; y < png.height; y++) {
      const i = (png.width * y + x) * 4
      if (png.data[i]! < 128 && png.data[i + 3]! > 128) {
        xs.push(x)
        break
      }
    }
  }
  return xs
}

t.test('pixels: drawn, and anchored where text-anchor says', async (t) => {
  const renderer = createRenderer()
  const draw = async (anchor: string) => {
    const html = `<svg width="300" height="40" style="background:#fff"><text x="150" y="28" font-size="24" font-family="Roboto" text-anchor="${anchor}" fill="#000">Label</text></svg>`
    const out = await renderer.render(renderJob(html, { selector: 'svg' }))
    t.same(out.warnings, [], `${anchor}: nothing dropped`)
    return darkColumns(PNG.sync.read(Buffer.from(out.png)))
  }
  const start = await draw('start')
  const middle = await draw('middle')
  const end = await draw('end')
  t.ok(start.length > 30, `drawn: ${start.length} columns of ink`)
  t.ok(Math.abs(start[0]! - 150) <= 2, `start begins at x: ${start[0]}`)
  // The last glyph's advance ends at x = 150; its ink stops a side bearing (~2 px) before.
  t.ok(end[end.length - 1]! <= 150 && end[end.length - 1]! >= 145, `end stops at x: ${end[end.length - 1]}`)
  const centre = (middle[0]! + middle[middle.length - 1]!) / 2
  t.ok(Math.abs(centre - 150) <= 2, `middle is centred on x: ${centre}`)
})

t.test('textLength: the text spans it, spaced between characters, then anchored', async (t) => {
  const renderer = createRenderer()
  const draw = async (attrs: string) => {
    const out = await renderer.render(renderJob(`<svg width="400" height="40" style="background:#fff"><text x="200" y="28" font-size="24" font-family="Roboto" text-anchor="middle" fill="#000" ${attrs}>Label</text></svg>`, { selector: 'svg' }))
    t.same(out.warnings, [])
    return darkColumns(PNG.sync.read(Buffer.from(out.png)))
  }
  const natural = await draw('')
  const spaced = await draw('textLength="300"')
  const squeezed = await draw('textLength="40"')
  const span = (xs: number[]) => xs[xs.length - 1]! - xs[0]! + 1
  const centre = (xs: number[]) => (xs[0]! + xs[xs.length - 1]!) / 2
  t.ok(span(natural) < 80, `natural width: ${span(natural)} px`)
  // Ink stops a side bearing (~2 px) inside the textLength at each end.
  t.ok(span(spaced) >= 292 && span(spaced) <= 300, `spread to 300: ${span(spaced)} px`)
  t.ok(span(squeezed) < span(natural) - 15, `squeezed towards 40: ${span(squeezed)} px`)
  t.ok(Math.abs(centre(spaced) - 200) <= 2 && Math.abs(centre(squeezed) - 200) <= 2, 'anchored in the middle after spacing')
})

t.test('a character no face has is named, not drawn as a box', async (t) => {
  const out = await createRenderer().render(renderJob('<svg width="100" height="30"><text x="0" y="20" font-family="Roboto">go ⑂</text></svg>'))
  t.match(out.warnings, [/svg <text> characters not drawn .*⑂/], "⑂ (U+2442): no bundled face has it (↑ now draws with the symbol font)")
})

t.test('the layout estimate prices SVG text as the outlines it becomes', async (t) => {
  const { estimateLayout } = await import('../../../src/render/stages/layout-cost.js')
  const label = 'x'.repeat(10_000)
  const { root } = htmlToTree(`<svg width="10" height="10"><text x="0" y="5">${label}</text></svg>`, { userAgentCss: userAgentCssFor, authorCss: '', limits })
  const estimate = estimateLayout(root)
  t.ok(estimate.imageBytes >= 10_000 * 475, `${estimate.imageBytes} bytes for 10,000 characters`)
})

t.test('a glyph is outlined once per size and placed by one move per occurrence', async (t) => {
  const { drawSvgText } = await import('../../../src/render/stages/svg-text.js')
  const { loadBundledFonts } = await import('../../../src/fonts/bundled-fonts.js')
  const { root } = htmlToTree('<svg width="400" height="40"><text x="10.3" y="28" font-size="24" font-family="Roboto">ABAB</text></svg>', { userAgentCss: userAgentCssFor, authorCss: '', limits })
  await drawSvgText(root, loadBundledFonts())
  const paths: string[] = []
  const walk = (node: SatoriChild): void => {
    if (typeof node !== 'object' || node === null) return
    if (node.type === 'path' && typeof node.props.d === 'string') paths.push(node.props.d)
    const c = node.props.children as SatoriChild[] | SatoriChild | undefined
    for (const child of Array.isArray(c) ? c : c === undefined ? [] : [c]) walk(child)
  }
  walk(root)
  const d = paths.join('')
  const glyphs = d.split(/(?=M)/)
  t.equal(glyphs.length, 4, 'one absolute move per glyph')
  const shape = (g: string) => g.replace(/^M[^a-z]*/, '')
  t.equal(shape(glyphs[0]!), shape(glyphs[2]!), 'the two A share one outline')
  t.equal(shape(glyphs[1]!), shape(glyphs[3]!), 'the two B too')
  t.notMatch(d.replace(/M[-\d. ]+/g, ''), /[A-Z]/, 'everything after each move is relative')
  t.match(glyphs[0], /^M0 0m/, 'the run starts at its origin (the text element is placed around it)')
  t.ok(Number(/^M(-?[\d.]+)/.exec(glyphs[1]!)![1]) > 10, 'the next glyph one advance on')
})
