/**
 * The official TypeScript client of the hosted API, pointed at a running Vellum: only the base
 * URL changes (the client hard-codes it in an ordinary class field).
 */
import t from 'tap'
import sharp from 'sharp'
import { HtmlCssToImageClient, CreateHtmlCssImageRequest, CreateTemplatedImageRequest, type CreateUrlImageRequest } from '@html-css-to-image/client'
import { build, decodePng, coverage } from '../helper.js'

const html = (colour: string) => `<div style="width:120px;height:60px;background:${colour}"></div>`

function client(base: string, id: string, key: string): HtmlCssToImageClient {
  const c = new HtmlCssToImageClient(id, key)
  ;(c as unknown as { baseUrl: string }).baseUrl = base
  return c
}

t.test('@html-css-to-image/client against a live server', async (t) => {
  const h = await build(t)
  await h.addUser('ts-user', 'ts-client-key-1')
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

t.test('@html-css-to-image/client: templates and signed URLs against a live server', async (t) => {
  const h = await build(t)
  await h.addUser('tpl-client', 'tpl-client-key-1')
  const base = await h.app.listen({ port: 0, host: '127.0.0.1' })
  const hcti = client(base, 'tpl-client', 'tpl-client-key-1')
  // The client has no template management calls: those go over plain HTTP with the same credentials.
  const api = async (method: string, path: string, body?: object) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: h.auth('tpl-client', 'tpl-client-key-1'), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
    return { status: res.status, json: res.status === 204 ? undefined : await res.json() }
  }
  const card = '<div style="width:{{w}}px;height:40px;background:{{colour}};display:flex">{{title}}</div>'
  const created = await api('POST', '/v1/template', { html: card, name: 'card', device_scale: 1 })
  t.equal(created.status, 200)
  const id = created.json.template_id as string
  const version = await api('POST', `/v1/template/${id}`, { html: card.replace('height:40px', 'height:50px'), name: 'card v2', device_scale: 1 })
  t.equal(version.status, 200)
  const listed = await api('GET', '/v1/template')
  t.same(listed.json.data.map((d: { id: string; version: number }) => [d.id, d.version]), [[id, version.json.template_version]])
  t.equal((await api('GET', `/v1/template/${id}`)).json.data.length, 2)

  const fetchPng = async (url: string) => {
    const res = await fetch(url)
    t.equal(res.status, 200, url)
    return Buffer.from(await res.arrayBuffer())
  }

  t.test('createImage with template_id', async (t) => {
    const res = await hcti.createImage(new CreateTemplatedImageRequest({ template_id: id, template_values: { w: 64, colour: '#ff0000', title: 'x' } }))
    t.equal(res.success, true)
    if (!res.success) return
    const png = decodePng(await fetchPng(res.url))
    t.same([png.width, png.height], [64, 50], 'the latest version')
    const pinned = await hcti.createImage(
      new CreateTemplatedImageRequest({ template_id: id, template_version: created.json.template_version, template_values: { w: 64, colour: '#ff0000' }, format: 'webp' }),
    )
    if (!pinned.success) return t.fail('pinned create failed')
    t.ok(pinned.url.endsWith('.webp'))
    t.equal((await sharp(await fetchPng(pinned.url)).metadata()).height, 40, 'the pinned version')
  })

  t.test('templated batches: through createImageBatch and /v1/image/batch/templated', async (t) => {
    const batch = await hcti.createImageBatch(
      [
        new CreateTemplatedImageRequest({ template_id: id, template_values: { w: 30, colour: '#00ff00' } }),
        new CreateTemplatedImageRequest({ template_id: id, template_values: { w: 31, colour: '#0000ff' } }),
      ] as unknown as CreateHtmlCssImageRequest[],
    )
    t.equal(batch.success, true, JSON.stringify(batch))
    if (!batch.success) return
    t.equal(decodePng(await fetchPng(batch.images[1]!.url)).width, 31)
    const templated = await api('POST', '/v1/image/batch/templated', {
      default_options: { template_id: id, template_values: { colour: '#00ff00', w: 20 } },
      variations: [{ template_values: { w: 21 } }, { template_values: {} }],
    })
    t.equal(templated.status, 200)
    t.same(await Promise.all(templated.json.images.map(async (i: { url: string }) => decodePng(await fetchPng(i.url)).width)), [21, 20])
  })

  t.test('generateTemplatedImageUrl and generateCreateAndRenderUrl, fetched as PNG and WebP', async (t) => {
    const values = { w: 48, colour: '#ff8800', title: 'Launch <b>day</b>', meta: { a: 1 } }
    const pngUrl = hcti.generateTemplatedImageUrl(id, values)
    t.ok(pngUrl.startsWith(`${base}/v1/image/${id}/`))
    const png = decodePng(await fetchPng(pngUrl))
    t.same([png.width, png.height], [48, 50])
    t.ok(coverage(png, [255, 136, 0]) > 0.5)
    const webpUrl = hcti.generateTemplatedImageUrl(id, values, created.json.template_version, 'webp')
    const webp = await sharp(await fetchPng(webpUrl)).metadata()
    t.same([webp.format, webp.width, webp.height], ['webp', 48, 40], 'pinned version, as WebP')

    const html = new CreateHtmlCssImageRequest({ html: '<div style="width:36px;height:18px;background:#0000ff"></div>', device_scale: 1 })
    const direct = hcti.generateCreateAndRenderUrl(html as unknown as CreateUrlImageRequest)
    t.ok(direct.startsWith(`${base}/v1/image/create-and-render/tpl-client/`))
    const directPng = decodePng(await fetchPng(direct))
    t.same([directPng.width, directPng.height], [36, 18])
    html.format = 'webp'
    const directWebp = await sharp(await fetchPng(hcti.generateCreateAndRenderUrl(html as unknown as CreateUrlImageRequest))).metadata()
    t.equal(directWebp.format, 'webp')

    const tampered = pngUrl.replace('w=48', 'w=4800')
    t.not(tampered, pngUrl)
    const res = await fetch(tampered)
    t.equal(res.status, 401)
    t.same(await res.json(), { statusCode: 401, error: 'Unauthorized', message: 'Invalid token' })
  })
})
