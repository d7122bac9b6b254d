/**
 * google_fonts against a local stand-in for the css2 API (real HTTP on 127.0.0.1): the family is
 * fetched, drawn, cached on disk for restarts, and an unreachable host falls back to the
 * bundled fonts instead of failing the render. The css2 origin is trusted configuration; font
 * files the answer names anywhere else obey the address policy and the Google Fonts limits.
 */
import t, { type Test } from 'tap'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { build, decodePng } from '../helper.js'
import { createFontFetchers, GoogleFonts, parseFontFaces } from '../../src/fonts/google-fonts.js'
import { configFrom } from '../../src/config/load-config.js'

const require = createRequire(import.meta.url)
const monoFile = join(dirname(require.resolve('@fontsource/roboto-mono/package.json')), 'files', 'roboto-mono-latin-400-normal.woff2')

async function fontServer(): Promise<{ server: Server; base: string; requests: string[] }> {
  const requests: string[] = []
  const server = createServer((req, res) => {
    requests.push(req.url!)
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    if (req.url!.startsWith('/css2?')) {
      const family = new URL(req.url!, base).searchParams.get('family')!
      if (!family.startsWith('Test Mono')) {
        res.writeHead(400).end('unknown family')
        return
      }
      if (family.includes('ital')) {
        res.writeHead(400).end('no italics') // like Google for a family without them: the client retries plainer
        return
      }
      res.writeHead(200, { 'content-type': 'text/css' })
      res.end(`@font-face {\n  font-family: 'Test Mono';\n  font-style: normal;\n  font-weight: 400;\n  src: url(${base}/files/mono.woff2) format('woff2');\n}\n`)
      return
    }
    if (req.url === '/files/mono.woff2') {
      res.writeHead(200, { 'content-type': 'font/woff2' }).end(readFileSync(monoFile))
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

const HTML = '<span style="font-family:\'Test Mono\';font-size:40px">iiiiii</span>'

t.test('parses the css2 answer', async (t) => {
  const faces = parseFontFaces(
    "@font-face { font-family: 'Open Sans'; font-style: italic; font-weight: 700; src: url(https://x/a.ttf) format('truetype'); }",
  )
  t.same(faces, [{ family: 'Open Sans', weight: 700, style: 'italic', url: 'https://x/a.ttf' }])
})

t.test('google_fonts loads, draws and caches a family', async (t) => {
  const { server, base, requests } = await fontServer()
  t.teardown(() => server.close())
  const h = await build(t, { GOOGLE_FONTS_CSS_URL: `${base}/css2` }, { keepData: true })
  await h.addUser('fonts', 'fonts-key-123')
  const post = (payload: object) =>
    h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: h.auth('fonts', 'fonts-key-123') }, payload })

  const fallback = await post({ html: HTML, device_scale: 1 })
  const withFont = await post({ html: HTML, device_scale: 1, google_fonts: 'Test+Mono' })
  t.equal(withFont.statusCode, 200)
  const narrow = decodePng((await h.app.inject({ url: `/v1/image/${fallback.json().id}` })).rawPayload)
  const mono = decodePng((await h.app.inject({ url: `/v1/image/${withFont.json().id}` })).rawPayload)
  t.ok(mono.width > narrow.width * 1.5, `monospace "i"s are wider (${mono.width} vs ${narrow.width}px)`)
  t.ok(requests.some((r) => r === '/files/mono.woff2'), 'the font file was fetched')

  const cssRequests = requests.filter((r) => r.startsWith('/css2')).length
  await post({ html: HTML + ' ', device_scale: 1, google_fonts: ['Test Mono'] })
  t.equal(requests.filter((r) => r.startsWith('/css2')).length, cssRequests, 'the family is served from memory afterwards')

  const unknown = await post({ html: '<p>x</p>', device_scale: 1, google_fonts: 'Nope Sans' })
  t.equal(unknown.statusCode, 200, 'an unknown family does not fail the render')
  t.match(unknown.headers['x-vellum-dropped-css'], /google_fonts: "Nope Sans" could not be loaded/)

  // A restart with the font host gone still has the family, from DATA_DIR.
  server.close()
  await h.app.close()
  const again = await build(t, { GOOGLE_FONTS_CSS_URL: `${base}/css2` }, { dataDir: h.dataDir })
  const offline = await again.app.inject({
    method: 'POST', url: '/v1/image', headers: { authorization: again.auth('fonts', 'fonts-key-123') },
    payload: { html: HTML, device_scale: 1, google_fonts: 'Test Mono', dedupe_duration_s: 0 },
  })
  t.equal(offline.statusCode, 200)
  t.equal(offline.headers['x-vellum-dropped-css'], undefined, 'no fallback was needed')
  const png = decodePng((await again.app.inject({ url: `/v1/image/${offline.json().id}` })).rawPayload)
  t.equal(png.width, mono.width, 'drawn with the cached family')
})

t.test('an unreachable font host falls back to the bundled fonts', async (t) => {
  const h = await build(t) // the helper points GOOGLE_FONTS_CSS_URL at a closed port
  await h.addUser('nofonts', 'nofonts-key-1')
  const res = await h.app.inject({
    method: 'POST', url: '/v1/image', headers: { authorization: h.auth('nofonts', 'nofonts-key-1') },
    payload: { html: '<p style="font-family:Lobster">hello</p>', google_fonts: 'Lobster' },
  })
  t.equal(res.statusCode, 200)
  t.match(res.headers['x-vellum-dropped-css'], /"Lobster" could not be loaded .*the bundled fonts were used/)
})

/**
 * A css2 stand-in whose answer names its font file at `fileUrl(base)`, and a second server on
 * another port (another origin, also private) that serves the font file.
 */
async function splitServers(fileUrl: (fileBase: string, cssBase: string) => string) {
  const fileRequests: string[] = []
  const files = createServer((req, res) => {
    fileRequests.push(req.url!)
    res.writeHead(200, { 'content-type': 'font/woff2' }).end(readFileSync(monoFile))
  })
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r))
  const fileBase = `http://127.0.0.1:${(files.address() as AddressInfo).port}`
  const css = createServer((req, res) => {
    const cssBase = `http://127.0.0.1:${(css.address() as AddressInfo).port}`
    if (req.url === '/redirect.woff2') return res.writeHead(302, { location: `${fileBase}/mono.woff2` }).end()
    if (req.url === '/mono.woff2') return res.writeHead(200).end(readFileSync(monoFile))
    res.writeHead(200, { 'content-type': 'text/css' })
    res.end(`@font-face { font-family: 'Test Mono'; font-weight: 400; src: url(${fileUrl(fileBase, cssBase)}) format('woff2'); }`)
  })
  await new Promise<void>((r) => css.listen(0, '127.0.0.1', r))
  const cssUrl = `http://127.0.0.1:${(css.address() as AddressInfo).port}/css2`
  return { cssUrl, fileRequests, close: () => Promise.all([files, css].map((s) => new Promise((r) => s.close(r)))) }
}

/** A GoogleFonts wired as the container wires it, from environment settings. */
function googleFonts(t: Test, env: Record<string, string>) {
  const config = configFrom(env)
  const cacheDir = mkdtempSync(join(tmpdir(), 'vellum-fonts-'))
  const fetchers = createFontFetchers(config.googleFonts, config.fetch)
  t.teardown(async () => {
    await Promise.all([fetchers.trusted.close(), fetchers.files.close()])
    rmSync(cacheDir, { recursive: true, force: true })
  })
  return new GoogleFonts({ ...config.googleFonts, cacheDir }, fetchers, { warn: () => {} })
}

t.test('a font file on another private origin is refused unless FETCH_ALLOW_PRIVATE', async (t) => {
  const s = await splitServers((fileBase) => `${fileBase}/mono.woff2`)
  t.teardown(s.close)
  const h = await build(t, { GOOGLE_FONTS_CSS_URL: s.cssUrl })
  await h.addUser('ssrf', 'ssrf-key-1234')
  const res = await h.app.inject({
    method: 'POST', url: '/v1/image', headers: { authorization: h.auth('ssrf', 'ssrf-key-1234') },
    payload: { html: HTML, google_fonts: 'Test Mono', device_scale: 1 },
  })
  t.equal(res.statusCode, 200, 'the render still succeeds')
  t.match(res.headers['x-vellum-dropped-css'], /"Test Mono" could not be loaded \(127\.0\.0\.1 is not a public address\); the bundled fonts were used/)
  t.same(s.fileRequests, [], 'the font file server saw no request')

  const allowed = await googleFonts(t, { GOOGLE_FONTS_CSS_URL: s.cssUrl, FETCH_ALLOW_PRIVATE: 'true' }).resolve(['Test Mono'])
  t.same(allowed.warnings, [])
  t.equal(allowed.fonts.length, 1, 'loaded when private addresses are allowed')
  t.same(s.fileRequests, ['/mono.woff2'])
})

t.test('the trusted css2 origin lends no trust to where it redirects', async (t) => {
  const s = await splitServers((_fileBase, cssBase) => `${cssBase}/redirect.woff2`)
  t.teardown(s.close)
  const fonts = await googleFonts(t, { GOOGLE_FONTS_CSS_URL: s.cssUrl }).resolve(['Test Mono'])
  t.match(fonts.warnings, [/could not be loaded \(more than 0 redirects\)/])
  t.same(s.fileRequests, [])
})

t.test('GOOGLE_FONTS_MAX_BYTES caps font files, on the trusted origin too', async (t) => {
  const s = await splitServers((_fileBase, cssBase) => `${cssBase}/mono.woff2`)
  t.teardown(s.close)
  const fonts = await googleFonts(t, { GOOGLE_FONTS_CSS_URL: s.cssUrl, GOOGLE_FONTS_MAX_BYTES: '1024' }).resolve(['Test Mono'])
  t.match(fonts.warnings, [/could not be loaded \(larger than 1024 bytes \(GOOGLE_FONTS_MAX_BYTES\)\)/])
  t.same(fonts.fonts, [])
})
