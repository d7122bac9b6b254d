/**
 * `data:` URLs as browsers decode them: malformed ones are broken images (the render goes on
 * without them), never a 500 or a failed render; percent-encoded ones that are fine in a browser
 * (binary bytes such as PNG's `%89`, non-ASCII SVG) draw.
 */
import t from 'tap'
import sharp from 'sharp'
import { decodeDataUri, splitDataUri } from '../../src/net/data-uri.js'
import { build, decodePng, coverage } from '../helper.js'

const decode = (uri: string) => {
  const data = splitDataUri(uri)
  return data && decodeDataUri(data)
}

t.test('decoding follows the fetch standard and never throws', async (t) => {
  t.same(splitDataUri('data:Image/SVG+XML;charset=utf-8;BASE64,QQ=='), { mime: 'image/svg+xml', base64: true, body: 'QQ==' })
  t.same(splitDataUri('data:,x'), { mime: 'text/plain', base64: false, body: 'x' })
  t.equal(splitDataUri('data:image/png;base64'), null, 'no comma: not a data URL')
  t.equal(splitDataUri('https://example.com/a.png'), null)
  t.same(decode('data:image/png,%E0%A4%A'), Buffer.from([0xe0, 0xa4, 0x25, 0x41]), 'a cut escape stays literal')
  t.same(decode('data:image/png,%89PN%47%zz%'), Buffer.from('\x89PNG%zz%', 'latin1'), 'non-UTF-8 bytes decode')
  t.same(decode('data:text/plain,%c3%a9é'), Buffer.from('éé'), 'lower-case escapes and raw UTF-8')
  t.same(decode('data:image/png;base64,QU%4a D\nRA=='), Buffer.from('ABCD'), 'percent-decoded, whitespace ignored')
  t.same(decode('data:image/png;base64,QUJD'), Buffer.from('ABC'))
  t.same(decode('data:image/png;base64,QQ'), Buffer.from('A'), 'padding is optional')
  for (const bad of ['%E0%A4%A', 'QQ=', 'Q', 'QU=D', '!!!!', 'QUJD====']) {
    t.equal(decode(`data:image/png;base64,${bad}`), null, `base64 "${bad}" is refused like a browser refuses it`)
  }
})

t.test('malformed data: images render as broken images through the API', async (t) => {
  const h = await build(t)
  await h.addUser('dora', 'dora-key-1234')
  const post = (payload: object) =>
    h.app.inject({ method: 'POST', url: '/v1/image', headers: { authorization: h.auth('dora', 'dora-key-1234') }, payload })
  const box = (img: string) => `<div style="width:40px;height:20px;background:#ff0000">${img}</div>`
  const sources = [
    'data:image/png;base64,%E0%A4%A', // the API process leaves it to the worker: bytes that are no image
    'data:image/png,%E0%A4%A', // decodeURIComponent threw URIError in the worker
    'data:image/webp,%E0%A4%A', // converted in the API process: URIError there was a 500
    'data:image/webp;base64,%E0%A4%A', // refused base64 in the API process
    'data:image/svg+xml,%E0%A4%A', // satori failed the render on text that is no SVG
    'data:image/svg+xml;base64,!!!!', // atob threw in satori
    'data:image/svg+xml,%3Csvg%3E%3C/svg%3E', // an SVG without a size failed the render in satori
    'data:image/png',
  ]
  for (const src of sources) {
    const res = await post({ html: box(`<img src="${src}" width="10" height="10">`), device_scale: 1 })
    t.equal(res.statusCode, 200, src)
    const png = decodePng((await h.app.inject({ url: `/v1/image/${res.json().id}` })).rawPayload)
    t.same([png.width, png.height], [40, 20], `${src}: the page is drawn`)
    t.ok(coverage(png, [255, 0, 0]) > 0.99, `${src}: the broken image draws nothing`)
  }
  const webp = await post({ html: box('<img src="data:image/webp;base64,%E0%A4%A">'), device_scale: 1 })
  t.match(webp.headers['x-vellum-dropped-css'], /image data:image\/webp;base64,%E0%A4%A not loaded: malformed data: URI/)

  const css = await post({ html: '<div class="b"></div>', css: '.b{width:30px;height:30px;background:#0000ff url("data:image/png,%E0%A4%A")}', device_scale: 1 })
  t.equal(css.statusCode, 200, 'a malformed url() in CSS is dropped too')
  const cssPng = decodePng((await h.app.inject({ url: `/v1/image/${css.json().id}` })).rawPayload)
  t.ok(coverage(cssPng, [0, 0, 255]) > 0.99, 'and the rest of the background stays')

  // What a browser draws, Vellum draws: every PNG byte percent-encoded, and an SVG with non-ASCII text.
  const green = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#00ff00' } }).png().toBuffer()
  const percent = [...green].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')
  const svg = encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><title>é</title><rect width="8" height="8" fill="#00ff00"/></svg>')
  for (const src of [`data:image/png,${percent}`, `data:image/svg+xml,${svg}`]) {
    const res = await post({ html: `<img src="${src}" width="8" height="8" style="display:block">`, css: 'body{margin:0}', device_scale: 1 })
    t.equal(res.statusCode, 200)
    const png = decodePng((await h.app.inject({ url: `/v1/image/${res.json().id}` })).rawPayload)
    t.ok(coverage(png, [0, 255, 0]) > 0.95, `${src.slice(0, 20)}: the image is drawn`)
  }
})
