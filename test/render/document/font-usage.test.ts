/**
 * The weights and styles a page can ask for, read from its sheets (the user-agent sheet for
 * the tags present included) and inline styles. Whatever cannot be read for certain widens the
 * answer to "any".
 */
import t from 'tap'
import { htmlToTree } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { fontUsage } from '../../../src/render/document/font-usage.js'

const limits = { elements: 5000, depth: 200 }

function usage(html: string, css = '') {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  const u = fontUsage(root)
  return { weights: u.weights === 'any' ? 'any' : [...u.weights].sort((a, b) => a - b), italic: u.italic }
}

t.test('from the user-agent sheet, by the tags present', async (t) => {
  t.same(usage('<p>plain text</p>'), { weights: [400], italic: false })
  t.same(usage('<p>a <b>bold</b> word</p>'), { weights: [400, 700], italic: false })
  t.same(usage('<h1>Title</h1>'), { weights: [400, 700], italic: false })
  t.same(usage('<p><em>said</em></p>'), { weights: [400], italic: true })
  t.same(usage('<table><tr><th>h</th></tr></table>'), { weights: [400, 700], italic: false })
})

t.test('from author sheets, <style> elements and style attributes', async (t) => {
  t.same(usage('<p class="x">a</p>', '.x { font-weight: 600 }').weights, [400, 600])
  t.same(usage('<style>.x{font-weight:800!important}</style><p class="x">a</p>').weights, [400, 800])
  t.same(usage('<p style="font-weight: 300">a</p>').weights, [300, 400])
  t.same(usage('<p style="font-style: oblique 10deg">a</p>').italic, true)
  t.same(usage('<p class="x">a</p>', '.x { font: italic 900 16px/1.4 "Font 100", serif }'), { weights: [400, 900], italic: true })
  t.same(usage('<p class="x">a</p>', '.x { font: bold 12px Roboto }').weights, [400, 700])
  t.same(usage('<p class="x">a</p>', '.x { font-size: 700px; font-family: "Weight 500" }').weights, [400], 'other font properties ask for nothing')
  t.same(usage('<p class="x">a</p>', '.x { font-weight: normal; font-style: normal }'), { weights: [400], italic: false })
})

t.test('what cannot be read statically asks for every weight', async (t) => {
  t.equal(usage('<p class="x">a</p>', '.x { font-weight: bolder }').weights, 'any')
  t.equal(usage('<p class="x">a</p>', '.x { font-weight: lighter }').weights, 'any')
  t.equal(usage('<p class="x">a</p>', '.x { font-weight: 450 }').weights, 'any', 'between bundled weights')
  t.equal(usage('<p class="x">a</p>', ':root { --w: 700 } .x { font-weight: var(--w) }').weights, 'any')
  t.same(usage('<p class="x">a</p>', '.x { font: var(--font) }'), { weights: 'any', italic: true })
  t.equal(usage('<p class="x">a</p>', '.x { font-style: var(--s) }').italic, true)
})

t.test('families named in the font shorthand, after the size (and line-height)', async (t) => {
  const families = (html: string, css = '') => [...fontUsage(htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits }).root).families].sort()
  t.same(families('<p style="font: 700 20px \'Noto Sans JP\', sans-serif">x</p>'), ['noto sans jp', 'roboto'])
  t.same(families('<p>x</p>', 'p { font: italic 12px / 1.5 "Noto Sans SC", serif }'), ['noto sans sc', 'noto serif'])
})
