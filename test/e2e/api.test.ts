/**
 * Every endpoint of the shipped server once, over real HTTP, with the bundle in dist/: the
 * parts where the bundle and the sources can differ (lazily imported modules such as undici and
 * sharp, CommonJS interop, data files such as fonts and Twemoji) are exercised here as users
 * run them. Remote images and Google Fonts come from stubs on 127.0.0.1.
 */
import t, { type Test } from 'tap'
import { createServer, type Server } from 'node:http'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { AddressInfo } from 'node:net'
import sharp from 'sharp'
import { decodePng, coverage } from '../helper.js'
import { startServer, post } from './served.js'

const require = createRequire(import.meta.url)
const monoFile = join(dirname(require.resolve('@fontsource/roboto-mono/package.json')), 'files', 'roboto-mono-latin-400-normal.woff2')

/** A local origin serving a red PNG, a 404, a non-image, and a css2 stand-in naming a font on itself. */
async function stub(t: Test): Promise<{ base: string; requests: string[] }> {
  const red = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#ff0000' } }).png().toBuffer()
  const requests: string[] = []
  const server: Server = createServer((req, res) => {
    requests.push(req.url!)
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    if (req.url === '/red.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(red)
    if (req.url === '/page.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<p>not an image</p>')
    if (req.url!.startsWith('/css2?')) {
      res.writeHead(200, { 'content-type': 'text/css' })
      return void res.end(`@font-face { font-family: 'Stub Mono'; font-style: normal; font-weight: 400; src: url(${base}/mono.woff2) format('woff2'); }`)
    }
    if (req.url === '/mono.woff2') return void res.writeHead(200, { 'content-type': 'font/woff2' }).end(readFileSync(monoFile))
    res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => new Promise<void>((r) => server.close(() => r())))
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

const png = async (res: Response) => decodePng(Buffer.from(await res.arrayBuffer()))
const imgCard = (src: string) => ({ html: `<img src="${src}" style="width:40px;height:40px;display:block">`, device_scale: 1 })

t.test('remote images: refused by the address policy, failing, and served, never a 500', async (t) => {
  const { base, requests } = await stub(t)
  const guarded = await startServer(t)
  const auth = await guarded.addUser('img')
  for (const card of [imgCard(`${base}/red.png`), { html: `<div style="width:40px;height:40px;background-image:url(${base}/red.png)"></div>`, device_scale: 1 }, imgCard('http://localhost/x.png')]) {
    const res = await post(guarded.base, '/v1/image', auth, card)
    t.equal(res.status, 200, 'a private address is refused, the page still renders')
    t.match(res.headers.get('x-vellum-dropped-css'), /not a public address/)
  }
  t.same(requests, [], 'the stub was never contacted')

  const open = await startServer(t, { FETCH_ALLOW_PRIVATE: 'true' })
  const openAuth = await open.addUser('img')
  const served = await post(open.base, '/v1/image', openAuth, imgCard(`${base}/red.png`))
  t.equal(served.status, 200)
  t.equal(served.headers.get('x-vellum-dropped-css'), null, 'nothing dropped')
  const drawn = await png(await fetch(((await served.json()) as { url: string }).url))
  t.ok(coverage(drawn, [255, 0, 0]) > 0.9, 'the fetched image is drawn')
  for (const [path, why] of [['/missing.png', /status 404/], ['/page.html', /not an image/]] as const) {
    const res = await post(open.base, '/v1/image', openAuth, imgCard(`${base}${path}`))
    t.equal(res.status, 200, `${path}: a broken image, not a failed render`)
    t.match(res.headers.get('x-vellum-dropped-css'), why)
  }
})

t.test('Google Fonts from a css2 stand-in: the family is drawn', async (t) => {
  const { base } = await stub(t)
  const served = await startServer(t, { GOOGLE_FONTS_CSS_URL: `${base}/css2` })
  const auth = await served.addUser('fonts')
  const card = (family: string) => ({ html: `<span style="font-family:'${family}';font-size:40px">iiiiii</span>`, device_scale: 1, google_fonts: family })
  const withFont = await post(served.base, '/v1/image', auth, card('Stub Mono'))
  t.equal(withFont.status, 200)
  t.equal(withFont.headers.get('x-vellum-dropped-css'), null)
  const mono = await png(await fetch(((await withFont.json()) as { url: string }).url))
  const fallback = await post(served.base, '/v1/image', auth, { ...card('Nope'), google_fonts: undefined })
  const serif = await png(await fetch(((await fallback.json()) as { url: string }).url))
  t.ok(mono.width > serif.width * 1.5, `monospace i's are wider than proportional ones (${mono.width} vs ${serif.width} px)`)
})

t.test('@font-face (remote and WOFF2 data:) and FONTS_DIR are drawn by the bundle (wawoff2 and fontkit load lazily there)', async (t) => {
  const { base, requests } = await stub(t)
  const dir = mkdtempSync(join(tmpdir(), 'vellum-e2e-fonts-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // Noto Sans Hebrew's Latin WOFF: a family the bundled list has no face of for Latin text.
  copyFileSync(join(dirname(require.resolve('@fontsource/noto-sans-hebrew/package.json')), 'files', 'noto-sans-hebrew-latin-400-normal.woff'), join(dir, 'house.woff'))
  const served = await startServer(t, { FETCH_ALLOW_PRIVATE: 'true', FONTS_DIR: dir })
  const auth = await served.addUser('faces')
  const width = async (html: string, css = '') => {
    const res = await post(served.base, '/v1/image', auth, { html: `<span style="font:40px 'Page Mono', serif">iiiiii</span>${html}`, css, device_scale: 1 })
    t.equal(res.status, 200)
    t.equal(res.headers.get('x-vellum-dropped-css'), null, 'nothing dropped')
    return (await png(await fetch(((await res.json()) as { url: string }).url))).width
  }
  const serif = await width('')
  const remote = await width(`<style>@font-face { font-family: 'Page Mono'; src: url(${base}/mono.woff2) format('woff2') }</style>`)
  const data = await width('', `@font-face { font-family: 'Page Mono'; src: url(data:font/woff2;base64,${readFileSync(monoFile).toString('base64')}) }`)
  t.ok(remote > serif * 1.5, `the remote face draws monospace i's (${remote} vs ${serif} px)`)
  t.equal(data, remote, 'the data: face draws the same')
  t.same(requests, ['/mono.woff2'], 'fetched once, as a font')
  const house = await post(served.base, '/v1/image', auth, { html: `<span style="font:40px 'Noto Sans Hebrew', serif">Hamburgefonstiv</span>`, device_scale: 1 })
  const standIn = await post(served.base, '/v1/image', auth, { html: `<span style="font:40px serif">Hamburgefonstiv</span>`, device_scale: 1 })
  const [a, b] = await Promise.all([house, standIn].map(async (r) => png(await fetch(((await r.json()) as { url: string }).url))))
  t.ok(a!.width !== b!.width || !a!.data.equals(b!.data), `the FONTS_DIR family is drawn, not the serif (${a!.width} vs ${b!.width} px)`)
})

t.test('a variable @font-face is drawn at each weight by the bundle (harfbuzzjs\'s instancer loads there)', async (t) => {
  const served = await startServer(t)
  const auth = await served.addUser('variable')
  const file = join(dirname(require.resolve('@fontsource-variable/inter/package.json')), 'files', 'inter-latin-wght-normal.woff2')
  const css = `@font-face { font-family: 'Var'; font-weight: 100 900; src: url(data:font/woff2;base64,${readFileSync(file).toString('base64')}) format('woff2') }`
  const ink = async (weight: number) => {
    const res = await post(served.base, '/v1/image', auth, { html: `<p style="margin:0;font:${weight} 40px Var, serif;color:#000;background:#fff">Weights</p>`, css, device_scale: 1 })
    t.equal(res.status, 200)
    t.equal(res.headers.get('x-vellum-dropped-css'), null, 'nothing dropped')
    return coverage(await png(await fetch(((await res.json()) as { url: string }).url)), [0, 0, 0])
  }
  const [light, black] = [await ink(200), await ink(900)]
  t.ok(black > light * 2, `900 is drawn far heavier than 200 (${(black * 100).toFixed(1)} % vs ${(light * 100).toFixed(1)} % black)`)
})

t.test('inline SVG with <text> (chart labels, badges) is drawn by the bundle, with fontkit inside it', async (t) => {
  const served = await startServer(t)
  const auth = await served.addUser('svgtext')
  const html = '<svg width="200" height="40" style="background:#fff"><text x="100" y="30" font-size="28" text-anchor="middle" fill="#000">Label</text></svg>'
  const res = await post(served.base, '/v1/image', auth, { html, device_scale: 1, selector: 'svg' })
  t.equal(res.status, 200, 'not the 422 satori gives <text> on its own')
  t.equal(res.headers.get('x-vellum-dropped-css'), null)
  const drawn = await png(await fetch(((await res.json()) as { url: string }).url))
  const ink = coverage(drawn, [0, 0, 0])
  t.ok(ink > 0.03 && ink < 0.5, `the label is drawn (${(ink * 100).toFixed(1)} % of the pixels are black)`)
})

t.test('every endpoint once', async (t) => {
  const served = await startServer(t)
  const auth = await served.addUser('all', 100)
  const { base } = served

  const health = await fetch(`${base}/health`)
  t.match(await health.json(), { status: 'ok', render: { total: Number } })

  const unauth = await post(base, '/v1/image', 'Basic ' + Buffer.from('all:wrong').toString('base64'), { html: '<p>x</p>' })
  t.equal(unauth.status, 401)
  t.equal(unauth.headers.get('www-authenticate')?.startsWith('Basic'), true)

  const created = await post(base, '/v1/image', auth, { html: '<p style="color:#00f;font-size:40px">Hello 👋 Ελληνικά</p>', format: 'webp' })
  t.equal(created.status, 200)
  t.equal(created.headers.get('x-renders-used'), '1')
  const { url, id } = (await created.json()) as { url: string; id: string }
  t.match(url, new RegExp(`/v1/image/${id}\\.webp$`))
  for (const ext of ['png', 'jpg', 'webp']) {
    const res = await fetch(`${base}/v1/image/${id}.${ext}?width=120`)
    t.equal(res.status, 200, ext)
    t.equal((await sharp(Buffer.from(await res.arrayBuffer())).metadata()).width, 120, `${ext} resized by sharp in the bundle`)
  }
  const etag = (await fetch(`${base}/v1/image/${id}`)).headers.get('etag')!
  t.equal((await fetch(`${base}/v1/image/${id}`, { headers: { 'if-none-match': etag } })).status, 304)

  const form = await fetch(`${base}/v1/image`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: 'html=%3Cp%3Eform%3C%2Fp%3E&device_scale=1' })
  t.equal(form.status, 200)

  const batch = await post(base, '/v1/image/batch', auth, { default_options: { device_scale: 1 }, variations: [{ html: '<p>a</p>' }, { html: '<p>b</p>' }] })
  t.equal(batch.status, 200)
  const batchIds = ((await batch.json()) as { images: Array<{ id: string }> }).images.map((i) => i.id)
  t.equal(batchIds.length, 2)
  const badBatch = await post(base, '/v1/image/batch', auth, { variations: [{ html: '<p>a</p>' }, { html: '' }, { html: '<p>c</p>', url: 'https://x' }] })
  t.equal(badBatch.status, 400)
  t.match(await badBatch.json(), { message: /variations\[1\]\.html/ })

  const list = await fetch(`${base}/v1/images?count=2`, { headers: { authorization: auth } })
  t.match(await list.json(), { images: [{ id: String }, { id: String }], has_next_page: true })
  const one = await fetch(`${base}/v1/images/${id}`, { headers: { authorization: auth } })
  t.match(await one.json(), { html: /Hello/ })
  const usage = await fetch(`${base}/v1/usage`, { headers: { authorization: auth } })
  t.match(await usage.json(), { data: { month: Object } })

  t.equal((await fetch(`${base}/v1/image/${id}`, { method: 'DELETE', headers: { authorization: auth } })).status, 202)
  t.equal((await fetch(`${base}/v1/image/${id}`)).status, 410)
  t.equal((await fetch(`${base}/v1/image/batch`, { method: 'DELETE', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ ids: batchIds }) })).status, 202)
  t.equal((await fetch(`${base}/v1/image/${batchIds[0]}`)).status, 410)

  const openapi = await fetch(`${base}/openapi.json`)
  t.match(await openapi.json(), { openapi: '3.1.0', paths: { '/v1/image': { post: Object } } })
  const docs = await fetch(`${base}/docs/`)
  t.equal(docs.status, 200, 'the API reference page (its static files come from @fastify/swagger-ui, kept outside the bundle)')
  t.match(await docs.text(), /swagger-ui/i)
  const docsScript = await fetch(`${base}/docs/static/swagger-ui-bundle.js`)
  t.equal(docsScript.status, 200, 'and its scripts')
  t.same(await (await fetch(`${base}/healthz`)).json(), { status: 'ok' })
  t.match(await (await fetch(`${base}/readyz`)).json(), { status: 'ready' })

  const notFound = await fetch(`${base}/v1/nothing`)
  t.match(await notFound.json(), { statusCode: 404, error: 'Not Found' })
  const deep = await post(base, '/v1/image', auth, { html: '<div>'.repeat(50_000) })
  t.equal(deep.status, 422)
  t.match(await deep.json(), { message: /MAX_DEPTH/ })
})
