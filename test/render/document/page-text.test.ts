/**
 * The characters a page draws, read from its parsed tree: text by CJK language, CSS content.
 */
import t from 'tap'
import { htmlToTree } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { fontUsage } from '../../../src/render/document/font-usage.js'
import { satoriLang, sheetContentText } from '../../../src/render/document/page-text.js'

const limits = { elements: 5000, depth: 200 }
function chars(html: string, css = ''): Record<string, string> {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  const out: Record<string, string> = {}
  for (const [locale, set] of fontUsage(root).chars) out[locale] = String.fromCodePoint(...[...set].sort((a, b) => a - b))
  return out
}

t.test('lang values as satori locales', async (t) => {
  t.same(['ja', 'ja-JP', 'ko', 'zh', 'zh-Hans-CN', 'zh-Hant', 'zh-TW', 'zh-hk', 'en', 'he'].map(satoriLang), ['ja-JP', 'ja-JP', 'ko-KR', 'zh-CN', 'zh-CN', 'zh-TW', 'zh-TW', 'zh-TW', 'en', 'he'])
})

t.test('text beyond Latin-1, entities decoded, by language', async (t) => {
  t.same(chars('<p>café &scaron; &#1046;</p>'), { '': 'šЖ' })
  t.same(chars('<p lang="ja">日本</p><p>中</p><p lang="en">文</p>'), { 'ja-JP': '日本', '': '中文' })
  t.same(chars('<input value="ш" placeholder="ж">'), { '': 'жш' })
})

t.test('CSS content strings, with escapes', async (t) => {
  t.equal(sheetContentText('a::before { content: "\\201C" attr(x) "é\\" " } b::after{content:\'ש\'}'), '\u201Cé" ש')
  t.same(chars('<p>x</p>', 'p::after { content: "\\4E2D" }'), { '': '中' })
  t.same(chars('<ol style="list-style-type: hebrew"><li>x</li></ol>'), { '': 'אבגדהוזחטיךכלםמןנסעףפץצקרשת' }, 'list markers in a script')
  t.same(chars('<ol><li>x</li></ol>', 'ol { list-style: cjk-decimal inside }')[''], '、〇一七三九二五八六四')
  t.same(chars('<p data-label="Жук" title="中">x</p>', 'p::before { content: attr(data-label) ": " }'), { '': 'Жку' }, 'attr() reads the attribute')
})
