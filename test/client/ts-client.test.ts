/**
 * The official TypeScript client of the hosted API, pointed at a running Vellum: only the base
 * URL changes (the client hard-codes it in an ordinary class field).
 */
import t from 'tap'
import sharp from 'sharp'
import { HtmlCssToImageClient, CreateHtmlCssImageRequest } from '@html-css-to-image/client'
import { build, decodePng, coverage } from '../helper.js'

const html = (colour: string) => `<div style="width:120px;height:60px;background:${colour}"></div>`

function client(base: string, id: string, key: string): HtmlCssToImageClient {
  const c = new HtmlCssToImageClient(id, key)
  ;(c as unknown as { baseUrl: string }).baseUrl = base
  return c
}

t.test('@html-css-to-image/client against a live server', async (t) => {
  const h = await build(t)
  h.addUser('ts-user', 'ts-client-key-1')
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' })
  const hcti = client(base, 'ts-user', 'ts-client-key-1')

  t.test('createImage (JSON) and fetch the PNG', async (t) => {
    const res = await hcti.createImage(new CreateHtmlCssImageRequest({ html: html('#ff8800'), device_scale: 1 }))
    t.equal(res.success, true)
    if (!res.success) return
    t.ok(res.url.startsWith(`${base}/v1/image/`))
    const img = await fetch(res.url)
    t.equal(img.headers.get('content-type'), 'image/png')
    const png = decodePng(Buffer.from(await img.arrayBuffer()))
    t.same([png.width, png.height], [120, 60])
    t.ok(coverage(png, [255, 136, 0]) > 0.99)
  })

  t.test('format webp and jpg', async (t) => {
    for (const format of ['webp', 'jpg'] as const) {
      const res = await hcti.createImage(
        new CreateHtmlCssImageRequest({ html: html('#0088ff'), css: 'body{margin:0}', google_fonts: ['Roboto'], device_scale: 2, format }),
      )
      t.equal(res.success, true, format)
      if (!res.success) continue
      t.ok(res.url.endsWith(`.${format}`))
      const meta = await sharp(Buffer.from(await (await fetch(res.url)).arrayBuffer())).metadata()
      t.equal(meta.format, format === 'jpg' ? 'jpeg' : 'webp')
      t.same([meta.width, meta.height], [240, 120], 'device_scale 2 doubles the pixels')
    }
  })

  t.test('batch create, delete, batch delete', async (t) => {
    const batch = await hcti.createImageBatch(
      [new CreateHtmlCssImageRequest({ html: html('#ff0000') }), new CreateHtmlCssImageRequest({ html: html('#00ff00') })],
      new CreateHtmlCssImageRequest({ html: '', device_scale: 1 }),
    )
    t.equal(batch.success, true)
    if (!batch.success) return
    t.equal(batch.images.length, 2)
    const first = decodePng(Buffer.from(await (await fetch(batch.images[0]!.url)).arrayBuffer()))
    t.ok(coverage(first, [255, 0, 0]) > 0.99, 'order is kept')

    const single = await hcti.deleteImage(batch.images[0]!.id)
    t.equal(single.success, true)
    t.equal((await fetch(batch.images[0]!.url)).status, 410)

    const extra = await hcti.createImage(new CreateHtmlCssImageRequest({ html: html('#123123'), device_scale: 1 }))
    if (!extra.success) return t.fail('create failed')
    const many = await hcti.deleteImageBatch([batch.images[1]!.id, extra.id])
    t.equal(many.success, true)
    t.equal((await fetch(extra.url)).status, 410)
  })

  t.test('a wrong key gives 401', async (t) => {
    const bad = client(base, 'ts-user', 'not-the-key')
    const res = await bad.createImage(new CreateHtmlCssImageRequest({ html: html('#000000') }))
    t.equal(res.success, false)
    if (res.success) return
    t.equal(res.error, 'Unauthorized')
    t.equal(res.message, 'Bad username or password')
  })

  t.test('a validation error reaches the client with its list', async (t) => {
    const res = await hcti.createImage(new CreateHtmlCssImageRequest({ html: html('#000000'), device_scale: 7 }))
    t.equal(res.success, false)
    if (res.success) return
    t.equal(res.error, 'Bad Request')
    t.match(res.validation_errors, [{ path: 'device_scale', message: /between 0.1 and 3/ }])
  })
})
