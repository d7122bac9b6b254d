/**
 * @font-face through the whole service: the API process reads the rules from the page's
 * `<style>` sheets and the css parameter, fetches http(s) sources through the guarded fetcher
 * (a local server on 127.0.0.1, hence FETCH_ALLOW_PRIVATE) or decodes data: URIs, caches what it
 * fetched, and the worker draws the face. Every face that cannot be had is named in
 * x-vellum-dropped-css while the render answers 200; a font URL is never fetched as an image.
 */
import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { build, decodePng, pixel, type TestApp } from '../helper.js'

const require = createRequire(import.meta.url)
const monoDir = join(dirname(require.resolve('@fontsource/roboto-mono/package.json')), 'files')
const MONO = readFileSync(join(monoDir, 'roboto-mono-latin-400-normal.woff2'))
const BIG = readFileSync(join(dirname(require.resolve('@fontsource/noto-serif/package.json')), 'files', 'noto-serif-cyrillic-ext-400-normal.woff'))

async function fontServer(t: Test) {
  const requests: string[] = []
  const server = createServer((req, res) => {
    requests.push(req.url!)
    if (req.url === '/mono.woff2') return res.writeHead(200, { 'content-type': 'font/woff2' }).end(MONO)
    if (req.url === '/big.woff') return res.writeHead(200, { 'content-type': 'font/woff' }).end(BIG)
    if (req.url === '/page.html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>nope</title>')
    res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise((r) => server.close(r)))
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

function poster(h: TestApp) {
  return async (payload: Record<string, unknown>) => {
    const res = await h.app.inject({
      method: 'POST', url: '/v1/image', headers: { authorization: h.auth('faces', 'faces-key-123') },
      payload: { device_scale: 1, viewport_width: 400, viewport_height: 60, dedupe_duration_s: 0, ...payload },
    })
    const image = res.statusCode === 200 ? decodePng((await h.app.inject({ url: `/v1/image/${res.json().id}` })).rawPayload) : undefined
    return { status: res.statusCode, dropped: res.headers['x-vellum-dropped-css'] as string | undefined, image }
  }
}

function same(a: ReturnType<typeof decodePng> | undefined, b: ReturnType<typeof decodePng> | undefined): boolean {
  if (!a || !b || a.width !== b.width || a.height !== b.height) return false
  for (let y = 0; y < a.height; y++) for (let x = 0; x < a.width; x++) if (pixel(a, x, y).join() !== pixel(b, x, y).join()) return false
  return true
}

const TEXT = `<p style="margin:0;font:32px 'Page Mono', serif">Hello 123</p>`
const sheet = (src: string, extra = '') => `@font-face { font-family: 'Page Mono'; src: ${src}; ${extra} }`
const dataUri = (bytes: Buffer, mime = 'font/woff2') => `url(data:${mime};base64,${bytes.toString('base64')})`

t.test('remote and data: faces draw, cached, not fetched as images', async (t) => {
  const { base, requests } = await fontServer(t)
  const h = await build(t, { FETCH_ALLOW_PRIVATE: true, PAGE_FONT_MAX_BYTES: 20_000, PAGE_FONTS_MAX_BYTES: 30_000 })
  await h.addUser('faces', 'faces-key-123')
  const post = poster(h)

  const bundled = await post({ html: TEXT })
  const remote = await post({ html: `<style>${sheet(`url(${base}/mono.woff2) format("woff2")`)}</style>${TEXT}` })
  t.equal(remote.status, 200)
  t.equal(remote.dropped, undefined, 'nothing dropped')
  t.notOk(same(remote.image, bundled.image), 'drawn with the page font')
  t.same(requests, ['/mono.woff2'], 'fetched once, as a font (the image pre-scan skipped it)')

  const data = await post({ html: TEXT, css: sheet(dataUri(MONO)) })
  t.equal(data.dropped, undefined)
  t.ok(same(data.image, remote.image), 'a data: URI in the css parameter draws the same')

  await post({ html: `<style>${sheet(`url(${base}/mono.woff2)`)}</style>${TEXT} ` })
  t.same(requests, ['/mono.woff2'], 'served from the cache the second time')

  // The first source that gives a font wins: a 404 and an HTML page are passed over.
  const fallbackSrc = await post({ html: TEXT, css: sheet(`url(${base}/missing.woff2), url(${base}/page.html), url(${base}/mono.woff2)`) })
  t.equal(fallbackSrc.dropped, undefined)
  t.ok(same(fallbackSrc.image, remote.image))

  t.test('a face that fails is named; the render is a 200 with the bundled fonts', async (t) => {
    for (const [src, why] of [
      [`url(${base}/page.html)`, /not a font file/],
      [`url(${base}/missing.woff2)`, /status 404/],
      [dataUri(Buffer.from('definitely not a font'), 'font/ttf'), /its data: URI is not a font file/],
      [dataUri(Buffer.concat([Buffer.from('wOF2'), Buffer.alloc(200, 1)])), /WOFF2 does not decompress/],
      ['local("Page Mono")', /no source Vellum can load \(local\(\)\)/],
      ['url(/fonts/mono.woff2)', /relative URL/],
    ] as const) {
      const res = await post({ html: TEXT, css: sheet(src) })
      t.equal(res.status, 200, src.slice(0, 40))
      t.match(res.dropped, /@font-face "Page Mono" not loaded: /)
      t.match(res.dropped, why)
      t.ok(same(res.image, bundled.image), 'drawn with the bundled fonts')
    }
  })

  t.test('size caps: per face (PAGE_FONT_MAX_BYTES) and per page (PAGE_FONTS_MAX_BYTES)', async (t) => {
    const remoteBig = await post({ html: TEXT, css: sheet(`url(${base}/big.woff)`) })
    t.equal(remoteBig.status, 200)
    t.match(remoteBig.dropped, /@font-face "Page Mono" not loaded: .*PAGE_FONT_MAX_BYTES/)
    const dataBig = await post({ html: TEXT, css: sheet(dataUri(BIG, 'font/woff')) })
    t.match(dataBig.dropped, /its data: URI holds 32224 bytes, more than 20000 \(PAGE_FONT_MAX_BYTES\)/)
    t.ok(same(dataBig.image, bundled.image))
    // Three faces of 12.7 KB: the third passes the page's 30,000 bytes.
    const three = [400, 700, 900].map((w) => sheet(`url(${base}/mono.woff2)`, `font-weight: ${w}`)).join('\n')
    const page = await post({ html: TEXT, css: three })
    t.equal(page.status, 200)
    t.match(page.dropped, /@font-face "Page Mono" 900 not loaded: the page's fonts pass 30000 bytes \(PAGE_FONTS_MAX_BYTES\)/)
    t.notMatch(page.dropped, /"Page Mono" 700 not loaded/)
  })
})

t.test('without FETCH_ALLOW_PRIVATE a font on a private address is refused, and said so', async (t) => {
  const { base, requests } = await fontServer(t)
  const h = await build(t)
  await h.addUser('faces', 'faces-key-123')
  const res = await poster(h)({ html: `<style>${sheet(`url(${base}/mono.woff2)`)}</style>${TEXT}` })
  t.equal(res.status, 200)
  t.match(res.dropped, /@font-face "Page Mono" not loaded: .*not a public address/)
  t.same(requests, [], 'nothing was fetched')
})
