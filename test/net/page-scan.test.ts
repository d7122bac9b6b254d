/**
 * The pre-scans of user HTML and CSS read tags and url() values as a browser does, and stay
 * linear on adversarial input. No timing is asserted: the old patterns never finished on these
 * inputs, so the suite's per-test timeout is the guard.
 */
import t from 'tap'
import { Tokenizer } from 'htmlparser2'
import { cssUrls, scanPage, scanPageAsync, startTags } from '../../src/net/page-scan.js'
import { remoteImageUrls } from '../../src/net/remote-images.js'
import { pageGoogleFonts } from '../../src/fonts/page-fonts.js'
import { build, decodePng } from '../helper.js'

const MB = 1 << 20
const fill = (unit: string, bytes = MB) => unit.repeat(Math.ceil(bytes / unit.length))
const tags = (html: string, name: string) => [...startTags(html, name)].map((m) => Object.fromEntries(m))

t.test('start tags are read attribute by attribute', async (t) => {
  t.same(tags(`<IMG Alt="a > b" SRC='x.png' src=y><img/src=z.png/><imgx src=no><img src = "sp aced" >`, 'img'), [
    { alt: 'a > b', src: 'x.png' },
    { src: 'z.png/' },
    { src: 'sp aced' },
  ])
  t.same(tags('<img src=a.png data-x="<img src=inside.png>"><img alt="unclosed src=b.png>', 'img'), [{ src: 'a.png', 'data-x': '<img src=inside.png>' }], 'a tag the text ends inside is dropped, as the HTML parser drops it')
  t.same(tags('<img =odd src>', 'img'), [{ '=odd': '', src: '' }])
  t.same(tags('<link rel=stylesheet href=a.css>', 'img'), [])
})

t.test('CSS url() values, quoted or bare', async (t) => {
  t.same(cssUrls(`a{background:url( "d q.png" ) url('s(1).png') url(bare.png) url() url(a b) URL(up.png)}`), ['d q.png', 's(1).png', 'bare.png', '', 'up.png'])
  t.same(remoteImageUrls('<img src="https://a.example/x.png?a=1&amp;b=2">', 'p{background:url(https://a.example/y.png)}'), [
    'https://a.example/x.png?a=1&b=2',
    'https://a.example/y.png',
  ])
  t.same(
    pageGoogleFonts('<LINK REL="preload Stylesheet" HREF="https://fonts.googleapis.com/css2?family=Inter"><link rel=icon href="https://fonts.googleapis.com/css2?family=Lobster">', ''),
    ['Inter'],
    'rel is a list of keywords',
  )
})

t.test('<image> is an <img> outside SVG; inside SVG it is not fetched (nothing would draw it)', async (t) => {
  t.same(
    remoteImageUrls('<image href="https://a.example/no.png" src="https://a.example/src.png">', ''),
    ['https://a.example/src.png'],
    'outside SVG, <image> is read as <img>: its src counts, not an href',
  )
  t.same(remoteImageUrls('<svg><image href="https://a.example/h.png" src="https://a.example/s.png"/></svg>', ''), [])
  t.same(remoteImageUrls('<math><image src="https://a.example/m.png"></math>', ''), [], 'MathML too')
  t.same(remoteImageUrls('<svg><img src="https://a.example/out.png"><image src="https://a.example/html.png"></svg>', ''), [
    'https://a.example/out.png',
    'https://a.example/html.png',
  ], '<img> ends the SVG, as in a browser: the <image> after it is an HTML <img>')
})

t.test('raw text is skipped like a browser skips it, inside and outside SVG', async (t) => {
  const img = '<img src="https://a.example/hidden.png">'
  const none = (html: string, why: string) => t.same(remoteImageUrls(html, ''), [], why)
  none(`<style>${img}</style><script>${img}</script><!-- ${img} --><textarea>${img}</textarea>`, 'style, script, comment, textarea')
  none(`<svg></svg><style>${img}</style>`, 'after </svg>, <style> is raw text again')
  none(`<svg/><style>${img}</style>`, 'a self-closed <svg/> holds nothing')
  none(`<svg><p></p><style>${img}</style>`, 'a <p> inside SVG leaves it')
  t.same(
    remoteImageUrls(`<svg><style>${img}</style></svg>`, ''),
    ['https://a.example/hidden.png'],
    'inside SVG, <style> is an ordinary element: the <img> in it leaves the SVG and is drawn',
  )
})

t.test('<style> sheets are read whole, and only for a page with an @font-face', async (t) => {
  const page = `<style>p{color:red}</style><p>x</p><style media=print>@font-face{font-family:A;src:url(https://f.example/a.woff2)}</style>` +
    '<svg><style>@font-face{font-family:B;src:url(data:font/ttf;base64,AAEAAA==)}</style></svg><script>"<style>not a sheet</style>"</script><style>p{margin:0}'
  t.same(scanPage(page).styles, [
    'p{color:red}',
    '@font-face{font-family:A;src:url(https://f.example/a.woff2)}',
    '@font-face{font-family:B;src:url(data:font/ttf;base64,AAEAAA==)}',
    'p{margin:0}',
  ], 'inline SVG sheets too, not script text, and a sheet the text ends inside')
  t.same(scanPage('<style>p{color:red}</style><img src=a.png>').styles, [], 'no @font-face anywhere: no sheet is kept')
  t.same((await scanPageAsync(fill('<p>x</p>', 40_000) + page)).styles.length, 4, 'the sliced scan reads them too')
  t.same((await scanPageAsync('<style>@font-face{}</style>')).styles, ['@font-face{}'], 'a page with only a sheet is scanned')
  // A font URL is no image: the render service hands the faces' URLs to the image pre-scan to skip.
  t.same(remoteImageUrls(page, ''), ['https://f.example/a.woff2'], 'the image pre-scan alone would take it for an image')
})

t.test('100,000 nested unclosed elements: the scan finds the image after them', async (t) => {
  const deep = '<div>'.repeat(100_000) + '<svg>'.repeat(100_000) + '<img src="https://a.example/deep.png">'
  t.same(remoteImageUrls(deep, ''), ['https://a.example/deep.png'])
})

t.test('the scan keeps no element stack: its array work does not grow with nesting', async (t) => {
  // htmlparser2's Parser pushes every open element with Array#unshift, which moves the whole
  // stack: quadratic on deep nesting. Counting the array calls that such a stack makes shows
  // the work per tag stays constant, without timing anything.
  const methods = ['unshift', 'shift', 'splice', 'indexOf', 'includes', 'lastIndexOf'] as const
  const arrayCalls = (html: string): number => {
    let calls = 0
    const originals = methods.map((m) => [m, Array.prototype[m]] as const)
    for (const [m, original] of originals) {
      ;(Array.prototype as unknown as Record<string, unknown>)[m] = function (this: unknown[], ...args: unknown[]) {
        calls++
        return (original as (...a: unknown[]) => unknown).apply(this, args)
      }
    }
    try {
      scanPage(html)
    } finally {
      for (const [m, original] of originals) (Array.prototype as unknown as Record<string, unknown>)[m] = original
    }
    return calls
  }
  const nested = (n: number) => '<div><svg>'.repeat(n) + '<img src="https://a.example/x.png"></svg>'.repeat(n)
  t.equal(arrayCalls(nested(100_000)), arrayCalls(nested(10_000)), 'as many array calls for 100,000 levels as for 10,000')
})

t.test('one tokenizer pass serves both pre-scans of a request', async (t) => {
  let passes = 0
  const write = Tokenizer.prototype.write
  Tokenizer.prototype.write = function (this: Tokenizer, chunk: string) {
    passes++
    return write.call(this, chunk)
  }
  t.teardown(() => {
    Tokenizer.prototype.write = write
  })
  const html = '<link rel=stylesheet href="https://fonts.googleapis.com/css2?family=Inter"><img src="https://a.example/i.png">'
  // As the render service calls them: one scan, handed to the fonts and the images pre-scans.
  const page = scanPage(html)
  t.same(pageGoogleFonts(html, '', page), ['Inter'])
  t.same(remoteImageUrls(html, '', page), ['https://a.example/i.png'])
  t.equal(passes, 1)
})

const adversarial = {
  'img ': fill('<img '),
  'img src=': fill('<img src='),
  'img src="': fill('<img src="'),
  'link ': fill('<link '),
  'url(': fill('url('),
  'url(a': fill('url(a'),
  'url( ': `url(${fill(' ')}`,
  'url("': fill('url("'),
  '@import ': fill('@import '),
}

t.test('1 MB of adversarial markup is scanned to the end', async (t) => {
  for (const [name, text] of Object.entries(adversarial)) {
    t.same(remoteImageUrls(text, text), [], `${name}: no images`)
    t.same(pageGoogleFonts(text, text), [], `${name}: no fonts`)
  }
})

t.test('a create with adversarial HTML and CSS answers as usual', async (t) => {
  const h = await build(t, { MAX_HTML_BYTES: 2 * MB, MAX_CSS_BYTES: 2 * MB, BODY_LIMIT_BYTES: 8 * MB })
  await h.addUser('mal', 'mal-key-12345')
  // Each page ends inside an unclosed tag, which the HTML parser drops: only the box is drawn.
  const box = '<div style="width:20px;height:10px;background:#000"></div>'
  const cases = [
    { html: box + adversarial['img '] },
    { html: box + adversarial['img src='] },
    { html: box + adversarial['link '] },
    { html: box + '<style>p{background:' + fill('url(', MB / 2) + '}</style>', css: fill('url(', MB / 2) },
  ]
  for (const payload of cases) {
    const res = await h.app.inject({
      method: 'POST', url: '/v1/image', headers: { authorization: h.auth('mal', 'mal-key-12345') }, payload: { ...payload, device_scale: 1 },
    })
    t.equal(res.statusCode, 200, payload.html.slice(box.length, box.length + 24))
    const png = decodePng((await h.app.inject({ url: `/v1/image/${res.json().id}` })).rawPayload)
    t.same([png.width, png.height], [20, 10])
  }
})

t.test('the sliced scan the render service runs finds what the one-pass scan finds, tags cut at slice edges included', async (t) => {
  const { scanPageAsync } = await import('../../src/net/page-scan.js')
  // Tags of many lengths over ~600 KB: the 32 KB slice edges fall inside names, attribute names and values.
  const html = Array.from({ length: 6000 }, (_, i) =>
    `<div class="c${i}"><img alt="${'a'.repeat(i % 37)}" src="https://a.example/${i}.png?${'q'.repeat(i % 53)}"><link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=F${i % 7}"></div>`,
  ).join('\n')
  const sliced = await scanPageAsync(html)
  t.same(sliced, scanPage(html))
  t.equal(sliced.images.length, 6000)
  t.equal(sliced.images[5999], `https://a.example/5999.png?${'q'.repeat(5999 % 53)}`)
  t.same(await scanPageAsync('<div>'.repeat(100_000)), { images: [], links: [], styles: [] }, 'no tag of interest: no pass at all')
})
