/**
 * Whitespace-only text is dropped only where a browser draws nothing for it, and the
 * user-agent sheet a render gets holds only the rules its elements can match. Checked on the
 * built tree and, where it shows, on rendered pixels.
 */
import t from 'tap'
import { htmlToTree, type SatoriChild } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor, USER_AGENT_CSS } from '../../../src/render/document/user-agent-css.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import type { RenderParams } from '../../../src/http/schemas/create-image.js'

const limits = { elements: 5000, depth: 200 }

/** Every whitespace-only text run left in the tree built for `html`. */
function whitespaceRuns(html: string, css = ''): number {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  let runs = 0
  const walk = (node: SatoriChild): void => {
    if (typeof node === 'string') {
      if (node.trim() === '') runs++
      return
    }
    if (node.type === 'style') return
    const children = node.props.children
    for (const child of Array.isArray(children) ? children : children === undefined ? [] : [children]) walk(child)
  }
  walk(root)
  return runs
}

const indented = (parentStyle: string, childTag = 'div', childAttrs = '') =>
  `<div ${parentStyle}>\n  <${childTag} ${childAttrs}>a</${childTag}>\n  <${childTag} ${childAttrs}>b</${childTag}>\n</div>`

t.test('dropped where no box is generated', async (t) => {
  t.equal(whitespaceRuns(indented('style="display:flex"', 'span')), 0, 'flex container, even between inline children')
  t.equal(whitespaceRuns(indented('class="g"', 'span'), '.g { display: grid }'), 0, 'grid container set by a rule')
  t.equal(whitespaceRuns(indented('')), 0, 'block container between block children')
  t.equal(whitespaceRuns('<ul>\n <li>a</li>\n <li>b</li>\n</ul>'), 0, 'list items are block-level')
})

t.test('kept wherever it can draw a space or a line', async (t) => {
  t.equal(whitespaceRuns(indented('', 'span')), 3, 'block container with inline children')
  t.equal(whitespaceRuns(indented('', 'div', 'class="b"'), '.b { display: inline-block }'), 3, 'divs made inline-block by a rule')
  t.equal(whitespaceRuns(indented('', 'div', 'style="display:inline-flex"')), 3, 'divs made inline-flex inline')
  t.equal(whitespaceRuns(indented('style="display:flex"'), 'div { white-space: pre }'), 3, 'a rule preserves whitespace')
  t.equal(whitespaceRuns(`<div style="white-space:pre-wrap">${indented('style="display:flex"')}</div>`), 3, 'an ancestor preserves it')
  t.equal(whitespaceRuns(`<pre>\n<div>a</div>\n<div>b</div></pre>`), 1, 'inside <pre> (the parser drops only its first newline)')
  t.equal(
    whitespaceRuns(indented('class="x"'), '@media (min-width: 10px) { .x { display: inline } }'),
    3,
    'display decided by a conditional rule is left alone',
  )
  t.equal(whitespaceRuns(indented('style="display:contents"')), 3, 'display: contents is left alone')
})

t.test('inline-block badges written on separate lines keep the space between them', async (t) => {
  const renderer = createRenderer()
  const params: RenderParams = {
    html: '', css: '.b { display: inline-block; width: 40px; height: 20px; background: #00f }', googleFonts: [], selector: undefined,
    deviceScale: 1, viewportWidth: undefined, viewportHeight: undefined, transparentBackground: false, disableTwemoji: false,
  }
  const job = (html: string) => ({
    params: { ...params, html }, fonts: [], images: {},
    limits: { ...limits, outputPixels: 4_000_000, imagePixels: 1, imagesPerRender: 0, shadowBlurPx: 0, shadowSpreadPx: 0, shadows: 0 },
  })
  const spaced = await renderer.render(job('<div style="width:max-content">\n  <div class="b"></div>\n  <div class="b"></div>\n</div>'))
  const tight = await renderer.render(job('<div style="width:max-content"><div class="b"></div><div class="b"></div></div>'))
  t.ok(spaced.width > tight.width, `a space wide gap between the badges (${spaced.width} vs ${tight.width} px)`)
})

t.test('the user-agent sheet holds only the rules a document can match, in order', async (t) => {
  const divs = userAgentCssFor(new Set(['html', 'body', 'div']))
  t.match(divs, /:where\(html\),:where\(body\),:where\(div\)\{display:block\}/, 'each selector wrapped in :where(): specificity zero, so any author rule wins')
  t.notMatch(divs, /\bh1\b|\bul\b|table/, 'no rules for absent elements')
  const lists = userAgentCssFor(new Set(['html', 'body', 'ul', 'li']))
  t.ok(lists.indexOf(':where(ul){list-style-type:disc') < lists.indexOf(':where(ul ul){list-style-type:circle}'), 'nested-list rules stay after the base rule')
  t.ok(lists.indexOf(':where(ul ul){list-style-type:circle}') < lists.indexOf(':where(ul[type="disc"i])'), 'and the type attribute rules after them (all have the same specificity now)')
  t.notMatch(lists, /:where\(ol ul\)/, 'selectors naming an absent element are dropped from a kept rule')
  const everything = userAgentCssFor(new Set(USER_AGENT_CSS.match(/\b[a-z][a-z0-9]*(?=[\s,{])/g)))
  t.equal((everything.match(/\{/g) ?? []).length, (USER_AGENT_CSS.match(/\{/g) ?? []).length, 'every rule when every element is present')
})
