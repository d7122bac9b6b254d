/**
 * The `flex` shorthand as its longhands (src/render/document/flex-shorthand.ts): satori's own
 * parser drops the whole declaration for a calc()/min() basis. Fidelity case 107-flex-calc-basis
 * holds a grid built on it against Chromium.
 */
import t from 'tap'
import { flexLonghands } from '../../../src/render/document/flex-shorthand.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { renderJob, decodePng, pixel } from '../../helper.js'

const longhands = (v: string) => {
  const out = flexLonghands(v)
  return out && out.map(([, value]) => value).join(' | ')
}

t.test('the spec forms: one, two and three values, keywords, unitless zero', async (t) => {
  t.equal(longhands('1'), '1 | 1 | 0%')
  t.equal(longhands('0'), '0 | 1 | 0%', 'a lone zero is a flex factor')
  t.equal(longhands('2 3'), '2 | 3 | 0%')
  t.equal(longhands('1 30px'), '1 | 1 | 30px')
  t.equal(longhands('30px 2'), '2 | 1 | 30px', 'basis first')
  t.equal(longhands('0 0 0'), '0 | 0 | 0px', 'a zero after two factors is a length')
  t.equal(longhands('auto'), '1 | 1 | auto')
  t.equal(longhands('none'), '0 | 0 | auto')
  t.equal(longhands('initial'), '0 | 1 | auto')
  t.equal(longhands('inherit'), 'inherit | inherit | inherit')
  t.equal(longhands('0 0 calc(100% / 3)'), '0 | 0 | calc(100% / 3)')
  t.equal(longhands('1 1 calc(50% - 10px)'), '1 | 1 | calc(50% - 10px)')
  t.equal(longhands('0 0 min(100px, 50%)'), '0 | 0 | min(100px, 50%)')
  t.equal(longhands('0 0 calc((100% - (var(--cols) - 1) * var(--gap)) / var(--cols))'), '0 | 0 | calc((100% - (var(--cols) - 1) * var(--gap)) / var(--cols))', 'written as is: satori resolves var() later')
  t.equal(longhands('0 0 var(--w)'), '0 | 0 | var(--w)', 'after two factors a var() can only be the basis')
  t.equal(longhands('1 !important'), '1 | 1 | 0%')
})

t.test('what the grammar cannot place is kept whole', async (t) => {
  for (const v of ['var(--f)', '1 var(--x)', '1 2 3', '1 auto 2', '-1', 'none 1', '']) t.equal(flexLonghands(v), undefined, JSON.stringify(v))
})

t.test('a calc() basis lays out, in a style sheet and in a style attribute, with var() inside', async (t) => {
  const renderer = createRenderer()
  const redWidth = async (html: string) => {
    const out = await renderer.render(renderJob(html, { viewportWidth: 300, viewportHeight: 20 }))
    const png = decodePng(Buffer.from(out.png))
    let x = 0
    while (x < 300 && pixel(png, x, 10)[0] > 200 && pixel(png, x, 10)[2] < 50) x++
    return { x, warnings: out.warnings }
  }
  const row = (item: string) => `<body style="margin:0"><div class="row" style="display:flex;width:300px;height:20px;--cols:3;--gap:30px">${item}<div style="flex:1 1 0;background:#00f;height:20px"></div></div></body>`
  t.same(await redWidth(row('<div style="flex:0 0 calc(100% / 3);background:#f00;height:20px"></div>')), { x: 100, warnings: [] }, 'style attribute')
  t.same(await redWidth(`<style>.a{flex:1 1 calc(50% - 10px)}</style>${row('<div class="a" style="background:#f00;height:20px"></div>')}`), { x: 220, warnings: [] }, 'style sheet: 140px basis plus half the free space')
  t.same(await redWidth(`<style>.a{flex:0 0 calc((100% - (var(--cols) - 1) * var(--gap)) / var(--cols))}</style>${row('<div class="a" style="background:#f00;height:20px"></div>')}`), { x: 80, warnings: [] }, 'var() inside the basis')
  t.same(await redWidth(row('<div style="flex:0 0 min(100px, 50%);background:#f00;height:20px"></div>')), { x: 100, warnings: [] }, 'min()')
})
