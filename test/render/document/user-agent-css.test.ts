/**
 * The user-agent sheet a document gets: only rules that can match it, each selector at specificity
 * zero, and pseudo-elements kept outside the :where() (`:where(q::before)` is not a selector a
 * browser or satori accepts, so quotes never showed). Pixels against Chromium: fidelity case
 * 85-quotes-abbr-hidden.
 */
import t from 'tap'
import * as csstree from '../../../src/css/css-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { decodePng, pixel, renderJob } from '../../helper.js'

t.test('quotes: the pseudo-element follows the :where() of its element', async (t) => {
  const css = userAgentCssFor(new Set(['div', 'q']))
  t.match(css, /:where\(q\)::before\{content:"“"\}/)
  t.match(css, /:where\(q q\)::after\{content:"’"\}/)
  t.notMatch(css, /::before\)/, 'no pseudo-element inside :where()')
  // Every selector of the sheet parses as one a browser would keep.
  csstree.walk(csstree.parse(css), { visit: 'PseudoClassSelector', enter: (node) => void t.equal(node.name, 'where') })
})

t.test('[hidden] and abbr[title] apply as in Chromium; rules for absent elements are left out', async (t) => {
  t.match(userAgentCssFor(new Set(['div'])), /:where\(\[hidden\]\)\{display:none\}/, 'any document')
  t.notMatch(userAgentCssFor(new Set(['div'])), /abbr|q\)/)
  t.match(userAgentCssFor(new Set(['abbr'])), /:where\(abbr\[title\]\)\{text-decoration:underline dotted\}/)
  // A button looks like Chromium's unstyled one (case 86-buttons), not like inherited text.
  const button = userAgentCssFor(new Set(['button']))
  t.match(button, /:where\(button\)\{[^}]*background-color:#efefef[^}]*color:black[^}]*font-size:13\.333px/)
  t.match(button, /:where\(button\[disabled\]\)\{/)
})

t.test('pixels: a hidden element is not drawn unless an author rule displays it', async (t) => {
  const renderer = createRenderer()
  const job = (html: string) => renderJob(html, { viewportWidth: 100, viewportHeight: 40 })
  const red = (html: string) => renderer.render(job(`<style>body{margin:0} .r{width:100px;height:40px;background:#f00}</style>${html}`)).then((r) => pixel(decodePng(Buffer.from(r.png)), 50, 20))
  t.same((await red('<div class="r" hidden></div>')).slice(0, 3), [255, 255, 255], 'hidden')
  t.same((await red('<div class="r"></div>')).slice(0, 3), [255, 0, 0], 'shown')
  t.same((await red('<style>.r{display:block}</style><div class="r" hidden></div>')).slice(0, 3), [255, 0, 0], 'an author display wins')
})
