/**
 * The image resolver leaves satori no url() to fetch itself: a bad url (which a browser drops)
 * used to reach satori, which fetched it past the API's guarded fetcher, or, for a private
 * address, failed the whole render.
 */
import t from 'tap'
import { ImageResolver } from '../../../src/render/document/images.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { decodePng, pixel, renderJob } from '../../helper.js'

const limits = { imagePixels: 25_000_000, imagesPerRender: 40 }

t.test('every reference is resolved or becomes none; the rest of the text stays', async (t) => {
  const r = new ImageResolver({}, limits)
  t.equal(r.rewriteCss('.a{background:#fff url(http://127.0.0.1:9/a b.png) no-repeat;background-position:100% 0}'), '.a{background:#fff none no-repeat;background-position:100% 0}')
  t.equal(r.rewriteCss('url( "https://example.com/x.png" )'), 'none', 'not fetched by the API: nothing to draw')
  t.equal(r.rewriteCss('.c{content:"url(https://example.com/in-a-string)"}'), '.c{content:"url(https://example.com/in-a-string)"}')
})

t.test('a page with a bad url renders, without it, as a browser draws it', async (t) => {
  const renderer = createRenderer()
  const job = (html: string) => renderJob(html, { viewportWidth: 100, viewportHeight: 40 })
  const out = await renderer.render(
    job('<style>body{margin:0} .b{width:100px;height:40px;background-color:#0f0;background-image:url(http://127.0.0.1:9/a b.png)}</style><div class="b"></div><div style="background-image:url(http://127.0.0.1:9/c d.png)"></div>'),
  )
  t.same(pixel(decodePng(Buffer.from(out.png)), 50, 20).slice(0, 3), [0, 255, 0])
})
