/** CSS nesting read from the tokenizer: deep sheets are refused by name before css-tree recurses through them. */
import t from 'tap'
import { cssNestingDepth } from '../../src/css/css-nesting.js'
import { createRenderer } from '../../src/render/pipeline.js'
import { renderJob } from '../helper.js'

t.test('blocks, brackets and functions count; strings and comments do not', async (t) => {
  t.equal(cssNestingDepth('@media screen { @supports (display: grid) { a { width: calc(1px + calc(2px)) } } }'), 5)
  t.equal(cssNestingDepth('a { content: "{{{{{{" } /* {{{{{{ */ b { x: [y] }'), 2)
  t.equal(cssNestingDepth('a{}'.repeat(1000)), 1, 'siblings are not nesting')
  t.equal(cssNestingDepth('@media screen{'.repeat(100_000)), 100_000, '100,000 levels: read without recursion')
})

t.test('a sheet nested past MAX_DEPTH is a 422 naming the limit, not a stack overflow', async (t) => {
  const renderer = createRenderer()
  const deep = '@media screen{'.repeat(5000) + 'p{color:red}' + '}'.repeat(5000)
  for (const [where, job] of [
    ['the css parameter', renderJob('<p>x</p>', { css: deep })],
    ['a <style> element', renderJob(`<style>${deep}</style><p>x</p>`)],
  ] as const) {
    await t.rejects(renderer.render(job), { code: 'RENDER_TOO_COMPLEX', message: 'A style sheet nests blocks, brackets or functions more than 200 levels deep (MAX_DEPTH)' }, where)
  }
  const fine = await renderer.render(renderJob('<p>x</p>', { css: '@media screen{'.repeat(50) + 'p{color:red}' + '}'.repeat(50) }))
  t.ok(fine.png.byteLength > 0, '50 levels render')
})
