/**
 * Script fonts: a page is handed the unicode-range slices its characters need, chosen from its
 * parsed tree (entities decoded, CSS `content` included), Han glyphs by `lang`; a Latin page gets
 * none.
 */
import t from 'tap'
import { FontSets } from '../../src/render/font-sets.js'
import { fontUsage } from '../../src/render/document/font-usage.js'
import { buildDocument } from '../../src/render/stages/build-document.js'
import { parseUnicodeRange, inRanges } from '../../src/fonts/script-fonts.js'
import { renderJob, renderPng } from '../helper.js'

const sets = new FontSets()
/** The script families (slice numbers dropped) a page is handed, with their weights. */
function scriptFaces(html: string, css = ''): string[] {
  const job = renderJob(html, { css })
  const set = sets.for(job, fontUsage(buildDocument(job).root))
  return [...new Set(set.faces.filter((f) => f.name.startsWith('Noto Sans ')).map((f) => `${f.name.replace(/ \d+$/, '')} ${f.weight}`))]
}
const families = (html: string, css = '') => [...new Set(scriptFaces(html, css).map((f) => f.replace(/ \d+$/, '')))]

t.test('unicode-range parsing', async (t) => {
  const r = parseUnicodeRange('U+0590-05FF, U+20AA,U+25CC,U+4??')
  t.ok(inRanges(r, 0x5d0) && inRanges(r, 0x20aa) && inRanges(r, 0x4ff) && inRanges(r, 0x400))
  t.notOk(inRanges(r, 0x600) || inRanges(r, 0x20ab))
})

t.test('a Latin page (accents, dashes, Cyrillic, Greek) loads no script fonts', async (t) => {
  t.same(scriptFaces('<h1>Crème brûlée — “quoted” &euro;12</h1><p>Привет, Ελλάδα, Łódź, tiếng Việt</p>'), [])
  t.same(scriptFaces('<p>plain</p>', 'p::before { content: "\\2192  " }'), [], 'an arrow loads no script font (the symbol font draws it: symbol-font.test.ts)')
})

t.test('characters written as entities select their slices', async (t) => {
  t.same(families('<p>&#x4E2D;&#25991;</p>'), ['Noto Sans SC'])
  t.same(families('<p>&#x5D0;&#x5D1;</p>'), ['Noto Sans Hebrew'])
  t.same(families('<p>&#x627;&#x644;</p>'), ['Noto Sans Arabic'])
  t.same(families('<p>&#x915; &#xE01;</p>'), ['Noto Sans Devanagari', 'Noto Sans Thai'])
})

t.test('CSS content of ::before / ::after selects slices, markup and comments do not', async (t) => {
  t.same(families('<p>x</p>', 'p::before { content: "\\4E2D\\6587 " } p::after { content: \'שלום\' }'), ['Noto Sans Hebrew', 'Noto Sans SC'])
  t.same(families('<style>p::after{content:"日本"}</style><p>x</p>'), ['Noto Sans SC'])
  t.same(families('<!-- 中文 --><p title="中文" data-x="עברית">x</p>'), [], 'not drawn: no fonts')
  t.same(families('<svg width="200" height="40"><text x="0" y="30">中文 label</text></svg>'), ['Noto Sans SC'], 'inline-SVG text')
})

t.test('lang picks the Han family, inherited and reset like a browser', async (t) => {
  t.same(families('<p>直</p>'), ['Noto Sans SC'], 'no lang: simplified Chinese first')
  t.same(families('<p lang="ja">直</p>'), ['Noto Sans JP'])
  t.same(families('<p lang="ko-KR">直</p>'), ['Noto Sans KR'])
  t.same(families('<p lang="zh-Hant">直</p>'), ['Noto Sans TC'])
  t.same(families('<p lang="zh-HK">直</p>'), ['Noto Sans TC'])
  t.same(families('<html lang="ja"><body><p>直</p></body></html>'), ['Noto Sans JP'], 'from <html lang>')
  t.same(families('<div lang="ja"><p lang="en">直</p></div>'), ['Noto Sans SC'], 'lang="en" resets to the default')
  t.same(families('<div lang="ja"><p>直</p></div><p>直</p>'), ['Noto Sans SC', 'Noto Sans JP'], 'both when both occur')
  t.same(families('<p style="font-family: \'Noto Sans JP\', sans-serif">直</p>'), ['Noto Sans JP'], 'a family the page names comes first')
})

t.test('weights: 400 for normal text, 700 for bold (the nearest bundled weight)', async (t) => {
  t.same(scriptFaces('<p>中</p>'), ['Noto Sans SC 400'])
  t.same(scriptFaces('<h1>中</h1>'), ['Noto Sans SC 400', 'Noto Sans SC 700'])
  t.same(scriptFaces('<p style="font-weight: 600">中</p>'), ['Noto Sans SC 400', 'Noto Sans SC 700'])
})

t.test('a Chinese card loads a few slices, not the font', async (t) => {
  const job = renderJob('<h1>今日菜单</h1><p>宫保鸡丁 ¥38 · 麻婆豆腐 ¥28 · 小笼包 ¥22</p>')
  const set = sets.for(job, fontUsage(buildDocument(job).root))
  const slices = set.faces.filter((f) => f.name.startsWith('Noto Sans SC'))
  const bytes = slices.reduce((a, f) => a + f.data.byteLength, 0)
  t.ok(slices.length > 0 && slices.length <= 30, `${slices.length} slice faces`)
  t.ok(bytes < 1_000_000, `${bytes} bytes of WOFF2 (a whole weight is ~4 MB)`)
  t.equal(sets.for(job, fontUsage(buildDocument(job).root)), set, 'same characters, same list')
})

t.test('a slice is taken only for characters its file draws, not all its unicode-range claims', async (t) => {
  // Noto Sans SC's slice 21 claims U+ACBD (경) in its unicode-range but holds 26 glyphs, none of
  // them Hangul: Korean without lang drew 경 and 궁 as boxes, with no warning.
  t.same(families('<p>경복궁</p>'), ['Noto Sans KR'], 'Hangul without lang: the Korean family draws it')
  const { createRenderer } = await import('../../src/render/pipeline.js')
  const renderer = createRenderer()
  const plain = await renderer.render(renderJob('<div style="font:24px sans-serif;width:200px">경복궁</div>'))
  const korean = await renderer.render(renderJob('<div lang="ko" style="font:24px sans-serif;width:200px">경복궁</div>'))
  t.same(plain.warnings, [], 'nothing is reported missing')
  t.ok(Buffer.from(plain.png).equals(Buffer.from(korean.png)), 'the same pixels as with lang="ko"')
})

t.test("a character 'latin' declares but only a later subset draws (†) gets the extended faces", async (t) => {
  const faces = (html: string) => {
    const job = renderJob(html)
    return sets.for(job, fontUsage(buildDocument(job).root)).faces.map((f) => f.name)
  }
  // Roboto's 'latin' unicode-range covers U+2000–206F, but its file has no dagger; 'latin-ext' has.
  t.ok(faces('<p>Billed yearly†</p>').some((n) => / latin-ext$/.test(n)), 'latin-ext is handed to satori')
  t.notOk(faces('<p>Billed yearly • “quoted” – €12</p>').some((n) => / latin-ext$/.test(n)), 'characters the latin file draws keep the short list')
})

t.test("a CJK family the page names draws its text's Latin too, as in a browser", async (t) => {
  // Chromium takes each character from the first family of the list that has it: with
  // font-family: 'Noto Sans JP', sans-serif, "Vellum 3.0" is drawn with Noto Sans JP's own Latin
  // (wider, taller line box) and only a generic family leaves it to the default font.
  const own = (html: string) => {
    const job = renderJob(html)
    return sets.for(job, fontUsage(buildDocument(job).root)).faces.filter((f) => /^Noto Sans (JP|SC|TC|KR)$/.test(f.name))
  }
  const named = own('<p lang="ja" style="font-family:\'Noto Sans JP\',sans-serif;font-weight:700">「Vellum 3.0」を正式リリース</p>')
  t.same(named.map((f) => `${f.name} ${f.weight}`), ['Noto Sans JP 400', 'Noto Sans JP 700'], 'under the name the page uses, at the weights it asks for')
  t.ok(named.every((f) => f.lang === undefined && f.data.byteLength < 40_000), "no satori lang (found by name), the 'latin' file only")
  t.same(own('<p style="font-family:\'Noto Sans SC\'">Vellum 3.0</p>').map((f) => f.name), ['Noto Sans SC'], 'a Latin-only page naming the family too')
  t.same(own('<p lang="ja" style="font-family:sans-serif">「Vellum 3.0」を正式リリース</p>'), [], 'sans-serif with lang="ja": the default font keeps the Latin')

  // line-height: normal is the first available face's: Noto Sans JP's 1.448em (Chromium: 28.96px
  // at 20px), Roboto's 1.172em (23.44px); the page is as tall as its one line, rounded up.
  const height = async (html: string) => (await renderPng(html, { css: 'body { margin: 0 }' })).height
  const jp = await height('<p lang="ja" style="margin:0;font:20px \'Noto Sans JP\',sans-serif">Vellum 3.0</p>')
  const generic = await height('<p lang="ja" style="margin:0;font:20px sans-serif">Vellum 3.0</p>')
  t.equal(jp, 29, 'named (in the font shorthand): Noto Sans JP\'s line box')
  t.equal(generic, 24, "sans-serif: Roboto's")
})
