/** `@font-face` rules as css-tree reads them: descriptors, and the sources Vellum can load. */
import t from 'tap'
import { faceUrls, fontFaceRules } from '../../src/fonts/font-face-rules.js'

t.test('descriptors', async (t) => {
  const rules = await fontFaceRules([
    `p { color: red }
     @font-face { font-family: "Brand Sans"; src: url(https://cdn.example/b.woff2) format("woff2"); font-weight: 700; font-style: italic; unicode-range: U+0000-00FF, U+20AC; }
     @media (min-width: 1px) { @font-face { font-family: Brand   Mono; src: url('data:font/ttf;base64,AAEAAA=='); font-weight: 100 900 } }
     @font-face { font-family: Plain; src: url(https://cdn.example/p.ttf); font-weight: bold; font-weight: 300 }`,
  ])
  t.same(rules, [
    { family: 'Brand Sans', weight: [700, 700], style: 'italic', unicodeRange: 'U+0000-00FF, U+20AC', sources: ['https://cdn.example/b.woff2'] },
    { family: 'Brand Mono', weight: [100, 900], style: 'normal', sources: ['data:font/ttf;base64,AAEAAA=='] },
    { family: 'Plain', weight: [300, 300], style: 'normal', sources: ['https://cdn.example/p.ttf'] },
  ])
  t.same(faceUrls(rules), ['https://cdn.example/b.woff2', 'https://cdn.example/p.ttf'], 'fonts, for the image pre-scan to skip')
})

t.test('sources: the loadable ones in order, the others named', async (t) => {
  const [rule] = await fontFaceRules([
    `@font-face { font-family: X; src: local("X Regular"), url(x.eot) format("embedded-opentype"), url(https://a/x.svg#x) format("svg"),
       url(https://a/x.woff2) format("woff2"), url(http://a/x.woff) format("woff"), url(x.ttf) }`,
  ])
  t.same(rule!.sources, ['https://a/x.woff2', 'http://a/x.woff'])
  const [none] = await fontFaceRules(['@font-face { font-family: Y; src: local(Y), url(/fonts/y.woff2) }'])
  t.same(none!.sources, [])
  t.match(none!.unusable, /local\(\).*relative URL "\/fonts\/y.woff2"/)
})

t.test('rules without a family or a src are not faces; sheets without @font-face are not parsed', async (t) => {
  t.same(await fontFaceRules(['@font-face { src: url(https://a/x.ttf) }', '@font-face { font-family: serif; src: url(https://a/x.ttf) }', '@font-face { font-family: Z }']), [])
  t.same(await fontFaceRules(['body { font-family: X }', '']), [])
})

t.test('blocks are found past comments, strings and url() data that hold braces, and at most `max` are read', async (t) => {
  const sheet = `/* @font-face { font-family: Commented; src: url(https://a/c.ttf) } */
    p::after { content: "} @font-face { font-family: Quoted; src: url(https://a/q.ttf) }" }
    div { background: url(data:image/svg+xml;utf8,<svg>{}</svg>) }
    @FONT-FACE { font-family: Real; src: url(data:font/ttf;base64,AAEAAA==) }
    @font-feature-values Font One { @styleset { nice-style: 12; } }
    @font-face { font-family: Unclosed; src: url(https://a/u.ttf)`
  t.same((await fontFaceRules([sheet])).map((r) => r.family), ['Real', 'Unclosed'], 'a block the sheet ends inside counts, as in a browser')
  const many = Array.from({ length: 200 }, (_, i) => `@font-face { font-family: F${i}; src: url(https://a/${i}.woff2) }`).join('\n')
  t.same((await fontFaceRules([many], 65)).length, 65, 'a page with more faces than are loaded reads one more than that, not all')
  t.same((await fontFaceRules([many, sheet], 3)).map((r) => r.family), ['F0', 'F1', 'F2'], 'across sheets too')
  t.same((await fontFaceRules([many])).length, 200, 'the cache holds the capped read apart from the whole one')
})

t.test('a 512 KB sheet is read in one linear pass', async (t) => {
  // Not timed (the box is shared): adversarial shapes that would be quadratic for a rescan.
  const unclosed = '@font-face { src: url(' + 'a'.repeat(512 * 1024)
  t.same(await fontFaceRules([unclosed]), [], 'an unclosed url() and block: no face (no family), and the scan ends')
  t.same(await fontFaceRules(['@font-face' + ' /*'.repeat(100_000)]), [])
  t.same((await fontFaceRules(['@font-face{font-family:A;src:url(https://a/a.ttf)}' + '"'.repeat(200_000)])).map((r) => r.family), ['A'])
})
