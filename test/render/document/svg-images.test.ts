/**
 * `<image>` and `<feImage>` inside inline SVG. satori would fetch an http(s) href itself (no
 * Vellum timeout, byte cap or address check; for a loopback address its own guard failed the
 * whole render), yet nothing would be drawn: satori draws an inline SVG as a nested SVG image,
 * and resvg draws no image inside one. So the worker drops those hrefs, with a warning.
 * Real pipeline, real pixels; the only server is on 127.0.0.1 and must see no request.
 */
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import sharp from 'sharp'
import { Resvg } from '@resvg/resvg-js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { htmlToTree } from '../../../src/render/document/html-to-tree.js'
import { ImageResolver } from '../../../src/render/document/images.js'
import type { RenderJob } from '../../../src/render/job.js'
import { decodePng, pixel, near } from '../../helper.js'

const limits = {
  elements: 5000, depth: 200, outputPixels: 36_000_000, imagePixels: 25_000_000, imagesPerRender: 40,
  shadowBlurPx: 64, shadowSpreadPx: 128, shadows: 100,
}
const job = (html: string, images: Record<string, string> = {}): RenderJob => ({
  params: {
    html, css: '', googleFonts: [], selector: undefined, deviceScale: 1, viewportWidth: undefined, viewportHeight: undefined,
    transparentBackground: false, disableTwemoji: false,
  },
  limits, fonts: [], images,
})
const renderer = createRenderer()

let hits = 0
const server = createServer((_req, res) => {
  hits++
  res.writeHead(404).end()
})
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
t.teardown(() => server.close())
const remote = `http://127.0.0.1:${(server.address() as AddressInfo).port}/red.png`
const redPng = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } }).png().toBuffer()
const red = `data:image/png;base64,${redPng.toString('base64')}`

const svg = (inner: string) =>
  `<svg width="40" height="40" viewBox="0 0 40 40" xmlns:xlink="http://www.w3.org/1999/xlink">${inner}</svg>`

/** The tree satori would get for `html`, and what the resolver reported. */
function resolved(html: string, fetched: Record<string, string> = {}): { tree: string; warnings: string[] } {
  const built = htmlToTree(html, { userAgentCss: () => '', authorCss: '', limits })
  const resolver = new ImageResolver(fetched, limits)
  resolver.rewriteTree(built.root)
  return { tree: JSON.stringify(built.root), warnings: resolver.warnings }
}

t.test('resvg draws no image inside a nested SVG image, which is how satori draws inline <svg>', async (t) => {
  // Why the hrefs are dropped rather than fetched: if a resvg upgrade changes this, revisit.
  const inner = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><image href="${red}" width="40" height="40"/></svg>`
  const centre = (svgText: string) => [...new Resvg(svgText).render().pixels.subarray(4 * (20 * 40 + 20), 4 * (20 * 40 + 20) + 4)]
  t.same(centre(inner), [255, 0, 0, 255], 'drawn at the top level')
  const nested = `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><image width="40" height="40" href="data:image/svg+xml;base64,${Buffer.from(inner).toString('base64')}"/></svg>`
  t.same(centre(nested), [0, 0, 0, 0], 'not drawn inside a nested SVG image')
})

t.test('an http(s) image inside inline SVG is dropped with a warning, never fetched', async (t) => {
  for (const attr of ['href', 'xlink:href']) {
    const html = svg(`<image ${attr}="${remote}" width="40" height="40"/>`)
    const { tree, warnings } = resolved(html, { [remote]: red })
    t.notMatch(tree, remote, `${attr}: the URL is gone from the tree satori gets`)
    t.match(warnings, [`svg image ${remote} not drawn`])

    const out = await renderer.render(job(html))
    const png = decodePng(Buffer.from(out.png))
    t.ok(near(pixel(png, 8 + 20, 8 + 20), [255, 255, 255, 255]), `${attr}: the render succeeds and draws nothing there`)
  }
  t.equal(hits, 0, 'the server saw no request')
})

t.test('file paths and data: URIs go too; an feImage pointing into its own SVG stays', async (t) => {
  const { tree, warnings } = resolved(
    svg(`<image href="/etc/hostname" width="40" height="40"/><image href="${red}"/>` +
      '<filter id="f"><feImage href="file:///etc/passwd"/><feImage xlink:href="#f"/></filter>'),
  )
  t.notMatch(tree, /etc|data:/, 'no path or data is left for satori or resvg')
  t.match(tree, '"href":"#f"')
  t.equal(warnings.length, 3)
})

t.test('MathML <image> is dropped too: satori fetches any element named image', async (t) => {
  const { tree, warnings } = resolved(`<math><image href="${remote}"></image></math>`)
  t.notMatch(tree, remote)
  t.equal(warnings.length, 1)
})

t.test('images outside SVG still draw from the bytes the API process fetched', async (t) => {
  const out = await renderer.render(job(`<img src="${remote}" width="40" height="40">`, { [remote]: red }))
  t.ok(near(pixel(decodePng(Buffer.from(out.png)), 20, 20), [255, 0, 0, 255]))
  t.equal(hits, 0)
})
