/** url() references as css-tree's tokenizer reads them (src/css/css-urls.ts). */
import t from 'tap'
import { findCssUrls, replaceCssUrls } from '../../src/css/css-urls.js'

const values = (css: string) => findCssUrls(css).map((u) => u.value)

t.test('unquoted, quoted, any case and spacing', async (t) => {
  t.same(values(`.a{background:url(https://x/a.png) no-repeat, url( "https://x/b.png" ), URL('c.png')}`), ['https://x/a.png', 'https://x/b.png', 'c.png'])
  t.same(values(`background-image: url(  'https://x/y.png'  )`), ['https://x/y.png'])
})

t.test('strings and comments hold no references; a data URI keeps its inner url(#id)', async (t) => {
  t.same(values(`/* url(http://x/comment) */ .d{content:"url(http://in-string)"}`), [])
  t.same(values(`.c{background-image:url("data:image/svg+xml,%3Csvg fill='url(%23g)'%3E")}`), [`data:image/svg+xml,%3Csvg fill='url(%23g)'%3E`])
})

t.test('bad urls (a space or a quote unquoted, two strings) are references with no address', async (t) => {
  t.same(values('.b{background-image:url(http://127.0.0.1/a b.png)}'), [undefined])
  t.same(values('.b{background-image:url(http://x/a"b.png)}'), [undefined])
  t.same(values('.e{background:url("a" "b") red}'), [undefined])
})

t.test('replacing keeps every other character as written', async (t) => {
  const css = '.a { background: #fff url(a.png) no-repeat; background-position: 100% 0 } .b { background: url(a b.png) }'
  t.equal(
    replaceCssUrls(css, (u) => (u.value === undefined ? 'none' : `url("${u.value}!")`)),
    '.a { background: #fff url("a.png!") no-repeat; background-position: 100% 0 } .b { background: none }',
  )
  t.equal(replaceCssUrls('.a { color: red }', () => 'x'), '.a { color: red }')
})
