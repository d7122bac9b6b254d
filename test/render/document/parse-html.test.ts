/**
 * Whether a request is a whole page comes from the parser's tokens, not a regex over the string.
 */
import t from 'tap'
import { isFullDocument } from '../../../src/render/document/parse-html.js'

t.test('html, head or body written out: a whole page', async (t) => {
  for (const html of ['<html><p>x</p></html>', '<HEAD><style></style></HEAD><p>x', '<body class="a">x</body>', '<!doctype html><html lang="ja">', '<p>x</p><body>'])
    t.ok(isFullDocument(html), html)
})

t.test('only implied by the parser: a snippet', async (t) => {
  for (const html of ['<p>x</p>', '<!doctype html><p>x', '<!-- <body> --><p>x</p>', '<div>&lt;body&gt;</div>', '<p title="<body>">x</p>', '<script>"<html>"</script><p>x', '<textarea><body></textarea>', 'a < body > b'])
    t.notOk(isFullDocument(html), html)
})
