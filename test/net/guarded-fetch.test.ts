/**
 * The guarded fetcher against a local server on 127.0.0.1. The production configuration
 * (FETCH_ALLOW_PRIVATE=false) must refuse loopback in every spelling without the server ever
 * seeing a connection; the test-only allowance then lets the same server exercise the limits.
 */
import t from 'tap'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import sharp from 'sharp'
import { GuardedFetcher, FetchError } from '../../src/net/guarded-fetch.js'
import { RemoteImages, remoteImageUrls } from '../../src/net/remote-images.js'
import { isPublicAddress } from '../../src/net/address-policy.js'
import { configFrom } from '../../src/config/load-config.js'

let hits = 0
let closedEarly = 0
let active = 0
let maxActive = 0
/** Matches a FetchError by its reason (tap's types only know Error-shaped patterns). */
const reason = (r: string) => ({ reason: r }) as unknown as Error
const png = await sharp({ create: { width: 4, height: 3, channels: 3, background: '#f00' } }).png().toBuffer()
const webp = await sharp({ create: { width: 5, height: 5, channels: 3, background: '#00f' } }).webp().toBuffer()
const server: Server = createServer((req, res) => {
  hits++
  if (req.url === '/a.png' || req.url?.startsWith('/a.png?')) return res.writeHead(200, { 'content-type': 'image/png' }).end(png)
  if (req.url === '/a.webp') return res.writeHead(200, { 'content-type': 'image/webp' }).end(webp)
  if (req.url === '/big') return res.writeHead(200).end(Buffer.alloc(64 * 1024))
  if (req.url === '/slow' || req.url?.startsWith('/slow?')) return setTimeout(() => res.writeHead(200).end(png), 2000)
  if (req.url?.startsWith('/held')) {
    active++
    maxActive = Math.max(maxActive, active)
    return setTimeout(() => {
      active--
      res.writeHead(200, { 'content-type': 'image/png' }).end(png)
    }, 50)
  }
  if (req.url?.startsWith('/trickle')) {
    // Headers at once, then the body a piece at a time: a download in progress.
    res.writeHead(200, { 'content-type': 'image/png' })
    res.write(png.subarray(0, 8))
    const timer = setInterval(() => res.write(Buffer.alloc(1024)), 20)
    res.on('close', () => {
      clearInterval(timer)
      closedEarly++
    })
    return
  }
  if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end()
  if (req.url === '/bad-redirect') return res.writeHead(302, { location: 'http://[::1' }).end()
  if (req.url === '/huge.png') {
    // A valid PNG header declaring 20000×20000: refused before anything is decoded.
    const head = Buffer.from(png)
    head.writeUInt32BE(20000, 16)
    head.writeUInt32BE(20000, 20)
    return res.writeHead(200).end(head)
  }
  res.writeHead(404).end()
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
const port = (server.address() as AddressInfo).port
t.teardown(() => server.close())

const production = configFrom({}).fetch
t.equal(production.allowPrivate, false, 'production config does not allow private addresses')

t.test('the production config refuses loopback, whatever the spelling', async (t) => {
  const fetcher = new GuardedFetcher(production)
  t.teardown(() => fetcher.close())
  const before = hits
  for (const host of ['127.0.0.1', '127.1', '0x7f000001', '2130706433', '0177.0.0.1', 'localhost', '[::1]', '[::ffff:127.0.0.1]', '0.0.0.0']) {
    await t.rejects(fetcher.fetch(`http://${host}:${port}/a.png`), reason('not_allowed'), host)
  }
  await t.rejects(fetcher.fetch('file:///etc/passwd'), reason('not_allowed'))
  t.equal(hits, before, 'the server saw no request')
})

t.test('a public name that resolves to loopback is refused at connect time (rebinding)', async (t) => {
  const fetcher = new GuardedFetcher({
    ...production,
    lookup: ((_host: string, _o: object, cb: (e: null, a: Array<{ address: string; family: number }>) => void) =>
      cb(null, [{ address: '127.0.0.1', family: 4 }])) as never,
  })
  t.teardown(() => fetcher.close())
  const before = hits
  await t.rejects(fetcher.fetch(`http://images.example.com:${port}/a.png`), FetchError)
  t.equal(hits, before)
})

t.test('address policy', async (t) => {
  for (const a of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fe80::1', 'fd00::1', '64:ff9b::7f00:1', '::ffff:10.0.0.1']) {
    t.notOk(isPublicAddress(a), a)
  }
  for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700::1111']) t.ok(isPublicAddress(a), a)
})

t.test('with the test-only allowance: bytes, limits, timeout, redirects', async (t) => {
  const fetcher = new GuardedFetcher({ timeoutMs: 500, maxBytes: 16 * 1024, allowPrivate: true, maxRedirects: 2 })
  t.teardown(() => fetcher.close())
  const got = await fetcher.fetch(`http://127.0.0.1:${port}/a.png`)
  t.same(got.bytes, png)
  await t.rejects(fetcher.fetch(`http://127.0.0.1:${port}/big`), reason('too_large'))
  await t.rejects(fetcher.fetch(`http://127.0.0.1:${port}/slow`), reason('timeout'))
  await t.rejects(fetcher.fetch(`http://127.0.0.1:${port}/loop`), reason('redirects'))
  await t.rejects(fetcher.fetch(`http://127.0.0.1:${port}/missing`), reason('http_status'))
  // A Location that is not a URL threw undici's TypeError out of the fetch: a 500 for the page.
  await t.rejects(fetcher.fetch(`http://127.0.0.1:${port}/bad-redirect`), reason('not_allowed'))
})

t.test('remote images: pre-scan, WebP converted, pixel cap, broken images reported', async (t) => {
  const fetcher = new GuardedFetcher({ timeoutMs: 1000, maxBytes: 1 << 20, allowPrivate: true, maxRedirects: 2 })
  t.teardown(() => fetcher.close())
  const images = new RemoteImages(fetcher, { cacheBytes: 1 << 20, cacheTtlMs: 60_000 })
  const base = `http://127.0.0.1:${port}`
  t.same(remoteImageUrls(`<img src="${base}/a.png?x=1&amp;y=2"><div style="background:url('${base}/a.webp')">`, ''), [
    `${base}/a.png?x=1&y=2`,
    `${base}/a.webp`,
  ])
  const out = await images.resolve(`<img src="${base}/a.png"><img src=${base}/a.webp><img src="${base}/missing">`, '', { imagePixels: 1e6, imagesPerRender: 10 })
  t.match(out.images[`${base}/a.png`], /^data:image\/png;base64,/)
  const converted = Buffer.from(out.images[`${base}/a.webp`]!.split(',')[1]!, 'base64')
  t.same((await sharp(converted).metadata()).format, 'png', 'WebP arrives as PNG')
  t.match(out.warnings, [/missing not loaded/])
  const redirected = await images.resolve(`<img src="${base}/bad-redirect">`, '', { imagePixels: 1e6, imagesPerRender: 10 })
  t.match(redirected.warnings, [/bad-redirect not loaded/], 'a broken image, reported, not a failed render')
  const before = hits
  await images.resolve(`<img src="${base}/a.png">`, '', { imagePixels: 1e6, imagesPerRender: 10 })
  t.equal(hits, before, 'served from the cache')
  await t.rejects(images.resolve(`<img src="${base}/huge.png">`, '', { imagePixels: 25e6, imagesPerRender: 10 }), { code: 'IMAGE_TOO_LARGE' } as unknown as Error)
})

t.test('an image whose header promises more than its bytes hold is a broken image, not a refused page', async (t) => {
  const fetcher = new GuardedFetcher({ timeoutMs: 1000, maxBytes: 1 << 20, allowPrivate: true, maxRedirects: 2 })
  t.teardown(() => fetcher.close())
  const images = new RemoteImages(fetcher, { cacheBytes: 1 << 20, cacheTtlMs: 60_000 })
  // "RIFF" + size + "WEBPVP8 " and garbage: image-size reads 8546×9575 from it, which refused the
  // whole render as over MAX_IMAGE_PIXELS; no decoder can read it.
  const garbage = `data:image/webp;base64,${Buffer.from('RIFF\x20\x00\x00\x00WEBPVP8 garbagegarbagegarbage', 'latin1').toString('base64')}`
  const out = await images.resolve(`<img src="${garbage}">`, '', { imagePixels: 1e6, imagesPerRender: 10 })
  t.same(out.images, {})
  t.match(out.warnings, [/not loaded: could not decode the webp/])
  // A real one over the limit is still refused, by the decoder's own reading of it.
  const big = await sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#f00' } }).webp().toBuffer()
  await t.rejects(images.resolve(`<img src="data:image/webp;base64,${big.toString('base64')}">`, '', { imagePixels: 1e6, imagesPerRender: 10 }), { code: 'IMAGE_TOO_LARGE' } as unknown as Error)
})

t.test("one deadline for all of a page's images (FETCH_PAGE_TIMEOUT_MS), on top of each fetch's own", async (t) => {
  // Each /slow answers after 2 s, inside its own 2.5 s deadline: eight of them, two at a time,
  // held the page 8 s. The page's deadline makes those not in hand broken images.
  const fetcher = new GuardedFetcher({ timeoutMs: 2500, maxBytes: 1 << 20, allowPrivate: true, maxRedirects: 2 })
  t.teardown(() => fetcher.close())
  const images = new RemoteImages(fetcher, { cacheBytes: 1 << 20, cacheTtlMs: 60_000, concurrency: 2, pageTimeoutMs: 300 })
  const base = `http://127.0.0.1:${port}`
  await images.resolve(`<img src="${base}/a.png">`, '', { imagePixels: 1e6, imagesPerRender: 10 })
  const html = `<img src="${base}/a.png">` + Array.from({ length: 8 }, (_, i) => `<img src="${base}/slow?${i}">`).join('')
  const out = await images.resolve(html, '', { imagePixels: 1e6, imagesPerRender: 20 })
  t.ok(out.images[`${base}/a.png`], 'what the cache holds is still used')
  t.equal(out.warnings.length, 8)
  for (const w of out.warnings) t.match(w, /^image http:\/\/127\.0\.0\.1:\d+\/slow\?\d not loaded: the page's images took longer than 300 ms together \(FETCH_PAGE_TIMEOUT_MS\)$/)
})

t.test('images past the render budget: refused as soon as they are, and the downloads nobody waits on are ended', async (t) => {
  const fetcher = new GuardedFetcher({ timeoutMs: 5000, maxBytes: 1 << 24, allowPrivate: true, maxRedirects: 2 })
  t.teardown(() => fetcher.close())
  const images = new RemoteImages(fetcher, { cacheBytes: 1 << 20, cacheTtlMs: 60_000 })
  const base = `http://127.0.0.1:${port}`
  // A 4×3 PNG is 48 decoded bytes: a budget of 100 bytes holds two of them, not three.
  const html = [1, 2, 3].map((i) => `<img src="${base}/a.png?n=${i}">`).join('') + [1, 2, 3].map((i) => `<img src="${base}/trickle?n=${i}">`).join('')
  const started = performance.now()
  const closedBefore = closedEarly
  await t.rejects(images.resolve(html, '', { imagePixels: 1e6, imagesPerRender: 10, memoryBudgetBytes: 100 }), { code: 'IMAGE_TOO_LARGE' } as unknown as Error)
  t.ok(performance.now() - started < 2000, 'refused without waiting for the downloads still running')
  for (let i = 0; i < 100 && closedEarly - closedBefore < 3; i++) await new Promise((r) => setTimeout(r, 20))
  t.equal(closedEarly - closedBefore, 3, 'the three downloads in progress were ended')
})

t.test("a page's images are downloaded FETCH_CONCURRENCY at a time", async (t) => {
  const fetcher = new GuardedFetcher({ timeoutMs: 5000, maxBytes: 1 << 20, allowPrivate: true, maxRedirects: 2 })
  t.teardown(() => fetcher.close())
  const images = new RemoteImages(fetcher, { cacheBytes: 1 << 20, cacheTtlMs: 60_000, concurrency: 3 })
  const base = `http://127.0.0.1:${port}`
  maxActive = 0
  const out = await images.resolve(Array.from({ length: 9 }, (_, i) => `<img src="${base}/held?n=${i}">`).join(''), '', { imagePixels: 1e6, imagesPerRender: 10 })
  t.equal(Object.keys(out.images).length, 9, 'all nine loaded')
  t.equal(maxActive, 3, 'never more than three at once')
  t.equal(configFrom({}).fetch.concurrency, 6, 'six by default, as a browser per host')
})

t.test('data: WebP images are converted too (resvg would draw them transparent)', async (t) => {
  const fetcher = new GuardedFetcher(production)
  t.teardown(() => fetcher.close())
  const images = new RemoteImages(fetcher, { cacheBytes: 1 << 20, cacheTtlMs: 60_000 })
  const uri = `data:image/webp;base64,${webp.toString('base64')}`
  const out = await images.resolve(`<img src="${uri}">`, '', { imagePixels: 1e6, imagesPerRender: 10 })
  t.match(out.images[uri], /^data:image\/png;base64,/)
})
