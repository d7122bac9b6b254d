/**
 * /v1/template and rendering from templates: the hosted API's fields and answers, versions,
 * pagination, deletion, and values treated as untrusted text (escaped unless the author wrote
 * {{{ }}}); real SQLite and real render workers.
 */
import t from 'tap'
import { build, decodePng, coverage } from '../../helper.js'

t.test('templates', async (t) => {
  const h = await build(t, { MAX_TEMPLATE_VALUES_BYTES: 2048, MAX_TEMPLATE_HTML_BYTES: 4096, MAX_TEMPLATE_NESTING: 16, MAX_TEMPLATE_EXPRESSIONS: 200 })
  await h.addUser('tpl-user', 'tpl-user-key-1')
  await h.addUser('other', 'other-user-key-1')
  const auth = h.auth('tpl-user', 'tpl-user-key-1')
  const req = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, authorization = auth) =>
    h.app.inject({ method, url, headers: { authorization }, ...(payload ? { payload } : {}) })

  const box = '<div style="width:80px;height:40px;background:{{colour}};display:flex">{{label}}</div>'
  const created = await req('POST', '/v1/template', { html: box, name: 'box', description: 'a box', device_scale: 1 })
  t.equal(created.statusCode, 200)
  const { template_id: id, template_version: v1 } = created.json()
  t.match(id, /^t-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  t.ok(Math.abs(v1 - Date.now()) < 60_000, 'version is epoch milliseconds')

  t.test('render from the template: body template_id, path, pinned version', async (t) => {
    const res = await req('POST', '/v1/image', { template_id: id, template_values: { colour: '#ff0000' } })
    t.equal(res.statusCode, 200, res.body)
    const png = decodePng((await h.app.inject({ url: `/v1/image/${res.json().id}` })).rawPayload)
    t.same([png.width, png.height], [80, 40], "the template's device_scale 1")
    t.ok(coverage(png, [255, 0, 0]) > 0.95)

    const v2res = await req('POST', `/v1/template/${id}`, { html: box.replace('80px', '60px'), device_scale: 1 })
    t.equal(v2res.statusCode, 200)
    const v2 = v2res.json().template_version as number
    t.ok(v2 > v1, 'a later version')
    t.equal(v2res.json().template_id, id)

    const latest = await req('POST', `/v1/image/${id}`, { template_values: { colour: '#00ff00' }, format: 'webp' })
    t.equal(latest.statusCode, 200, latest.body)
    t.ok(latest.json().url.endsWith('.webp'))
    t.equal(decodePng((await h.app.inject({ url: `/v1/image/${latest.json().id}` })).rawPayload).width, 60, 'latest version')
    const pinned = await req('POST', `/v1/image/${id}/${v1}`, { template_values: JSON.stringify({ colour: '#00ff00' }) })
    t.equal(pinned.statusCode, 200, pinned.body)
    t.equal(decodePng((await h.app.inject({ url: `/v1/image/${pinned.json().id}` })).rawPayload).width, 80, 'the pinned version')
    const form = await h.app.inject({
      method: 'POST', url: `/v1/image/${id}/${v1}`, headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `template_values=${encodeURIComponent(JSON.stringify({ colour: '#00ff00' }))}`,
    })
    t.equal(form.json().id, pinned.json().id, 'form data (values as JSON text) is the same image (dedupe)')

    const missing = await req('POST', '/v1/image', { template_id: id })
    t.equal(missing.statusCode, 200, 'missing values render empty')
    t.equal((await req('POST', `/v1/image/${id}/123`, { template_values: {} })).statusCode, 404, 'unknown version')
    const other = await req('POST', '/v1/image', { template_id: id, template_values: {} }, h.auth('other', 'other-user-key-1'))
    t.equal(other.statusCode, 404, "another user's template is unknown")
    t.match(other.json(), { error: 'Not Found', message: /Template t-.* not found/ })
  })

  t.test('values are untrusted: escaped, unless the author wrote {{{ }}}', async (t) => {
    const tpl = (await req('POST', '/v1/template', {
      html: '<div id="safe" style="width:100px;height:20px">{{v}}</div><div title="{{v}}">x</div>{{{raw}}}',
      device_scale: 1,
    })).json().template_id as string
    const injected = '<div style="width:300px;height:300px;background:#ff0000"></div>'
    const res = await req('POST', '/v1/image', { template_id: tpl, template_values: { v: injected } })
    t.equal(res.statusCode, 200, res.body)
    const img = decodePng((await h.app.inject({ url: `/v1/image/${res.json().id}` })).rawPayload)
    t.ok(coverage(img, [255, 0, 0]) < 0.01, 'no red box was drawn')
    const raw = await req('POST', '/v1/image', { template_id: tpl, template_values: { raw: injected } })
    const rawImg = decodePng((await h.app.inject({ url: `/v1/image/${raw.json().id}` })).rawPayload)
    const redPixels = (png: typeof rawImg) => coverage(png, [255, 0, 0]) * png.width * png.height
    t.ok(redPixels(rawImg) > 80_000, `the author chose raw markup with {{{raw}}}: a 300×300 red box (${redPixels(rawImg)} red pixels)`)
    t.ok(redPixels(img) < 100, 'none from the escaped value')
  })

  t.test('template validation', async (t) => {
    const cases: Array<[object, number, RegExp]> = [
      [{ css: 'p{}' }, 400, /^HTML is Required$/],
      [{ html: '{{#if x}}a{{/if}}' }, 400, /html is not a valid template: template helpers are not available: if/],
      [{ html: '{{lookup a b}}' }, 400, /helpers are not available: lookup/],
      [{ html: '{{#each items}}{{this}}{{/each}}' }, 400, /helpers are not available: each/],
      [{ html: '{{unclosed' }, 400, /html is not a valid template: Parse error/],
      [{ html: 'x'.repeat(5000) }, 400, /html is 5000 bytes; the limit is 4096 bytes \(MAX_TEMPLATE_HTML_BYTES\)/],
      [{ html: '{{a}}', name: 'n'.repeat(65) }, 400, /name must be at most 64 characters/],
      [{ html: '{{a}}', device_scale: 9 }, 400, /device_scale must be a number between 0.1 and 3/],
    ]
    for (const [payload, status, message] of cases) {
      const res = await req('POST', '/v1/template', payload)
      t.equal(res.statusCode, status, JSON.stringify(payload).slice(0, 60))
      t.match(res.json().message, message)
    }
    const section = await req('POST', '/v1/template', { html: '{{#items}}<p>{{name}}</p>{{/items}}' })
    t.equal(section.statusCode, 200, 'plain sections need no helper')
    const big = await req('POST', '/v1/image', { template_id: section.json().template_id, template_values: { items: [{ name: 'x'.repeat(3000) }] } })
    t.equal(big.statusCode, 400)
    t.match(big.json().message, /template_values is \d+ bytes; the limit is 2048 bytes \(MAX_TEMPLATE_VALUES_BYTES\)/)
    const notObject = await req('POST', '/v1/image', { template_id: section.json().template_id, template_values: '[1]' })
    t.match(notObject.json(), { statusCode: 400, message: /template_values must be a JSON object/ })
    t.equal((await req('POST', '/v1/template', { html: '{{a}}' }, h.auth('tpl-user', 'wrong-key-123'))).statusCode, 401)
  })

  t.test('list, versions, pagination, delete', async (t) => {
    const fresh = await build(t)
    await fresh.addUser('lister', 'lister-key-123')
    const a = fresh.auth('lister', 'lister-key-123')
    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
      fresh.app.inject({ method, url, headers: { authorization: a }, ...(payload ? { payload } : {}) })
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await call('POST', '/v1/template', { html: `<p>{{x}} ${i}</p>` })).json().template_id)
    for (let i = 0; i < 2; i++) await call('POST', `/v1/template/${ids[0]}`, { html: `<p>{{x}} v${i}</p>`, name: `v${i}` })

    const page1 = (await call('GET', '/v1/template?count=2')).json()
    t.equal(page1.data.length, 2)
    t.equal(page1.data[0].id, ids[0], 'the template edited last comes first (latest version of each)')
    t.equal(page1.data[0].name, 'v1')
    t.match(page1.data[0], { template_type: 'html_css', html: '<p>{{x}} v1</p>', css: null, created_at: /Z$/ })
    t.type(page1.pagination.next_page_start, 'number')
    const page2 = (await call('GET', `/v1/template?count=2&max_version=${page1.pagination.next_page_start}`)).json()
    t.same(page2.data.map((d: { id: string }) => d.id), [ids[1]])
    t.equal(page2.pagination.next_page_start, null)
    const all = (await call('GET', '/v1/template')).json().data.map((d: { id: string }) => d.id)
    t.same(all, [ids[0], ids[2], ids[1]], 'default count 10, each template once')

    const versions = (await call('GET', `/v1/template/${ids[0]}?count=2`)).json()
    t.same(versions.data.map((d: { name: string | null }) => d.name), ['v1', 'v0'], 'newest first')
    const rest = (await call('GET', `/v1/template/${ids[0]}?count=2&max_version=${versions.pagination.next_page_start}`)).json()
    t.equal(rest.data.length, 1)
    t.equal(rest.pagination.next_page_start, null)
    t.equal((await call('GET', '/v1/template?count=101')).statusCode, 400)

    t.equal((await call('DELETE', `/v1/template/${ids[0]}`)).statusCode, 204)
    t.equal((await call('GET', `/v1/template/${ids[0]}`)).statusCode, 404)
    t.equal((await call('POST', '/v1/image', { template_id: ids[0], template_values: { x: 1 } })).statusCode, 404, 'no new renders')
    t.equal((await call('DELETE', `/v1/template/${ids[0]}`)).statusCode, 404)
    t.equal((await call('POST', `/v1/template/${ids[0]}`, { html: '{{x}}' })).statusCode, 404)
    t.same((await call('GET', '/v1/template')).json().data.map((d: { id: string }) => d.id), [ids[2], ids[1]])
  })

  t.test('templated batch: inheritance and recursive merge of values (§3.7); plain batch takes templates too', async (t) => {
    const tpl = (await req('POST', '/v1/template', {
      html: '<div style="width:{{size.w}}px;height:{{size.h}}px;background:{{colour}}"></div>',
      device_scale: 1,
    })).json()
    const res = await req('POST', '/v1/image/batch/templated', {
      default_options: { template_id: tpl.template_id, template_values: { colour: '#0000ff', size: { w: 50, h: 10 } }, format: 'png' },
      variations: [{ template_values: { size: { w: 70 } } }, { template_values: { colour: '#ff0000' }, format: 'webp' }, {}],
    })
    t.equal(res.statusCode, 200, res.body)
    const images = res.json().images as Array<{ id: string; url: string }>
    t.equal(images.length, 3)
    const first = decodePng((await h.app.inject({ url: `/v1/image/${images[0]!.id}` })).rawPayload)
    t.same([first.width, first.height], [70, 10], 'size.w replaced, size.h kept')
    t.ok(coverage(first, [0, 0, 255]) > 0.95)
    t.ok(images[1]!.url.endsWith('.webp'))
    t.ok(coverage(decodePng((await h.app.inject({ url: `/v1/image/${images[1]!.id}` })).rawPayload), [255, 0, 0]) > 0.95)

    const bad = await req('POST', '/v1/image/batch/templated', { variations: [{ template_values: { a: 1 } }] })
    t.equal(bad.statusCode, 400)
    t.match(bad.json().message, /^variations\[0\]\.template_id is required/)
    const numeric = await req('POST', '/v1/image/batch/templated', { variations: [{ template_id: 5 }] })
    t.equal(numeric.statusCode, 400)
    t.match(numeric.json().message, /^variations\[0\]\.template_id must be a template's id, a string such as "t-…" \(got 5\)/, 'not "required": it was given')
    const unknown = await req('POST', '/v1/image/batch/templated', { variations: [{ template_id: 't-00000000-0000-4000-8000-000000000000' }] })
    t.equal(unknown.statusCode, 404)
    t.equal(unknown.json().validation_errors[0].path, 'variations[0].template_id')

    const plain = await req('POST', '/v1/image/batch', {
      variations: [{ template_id: tpl.template_id, template_values: { colour: '#00ff00', size: { w: 20, h: 20 } } }, { html: '<p>x</p>' }],
    })
    t.equal(plain.statusCode, 200, plain.body)
  })
  t.test('templates and values that would hold the event loop or fail inside Handlebars get a 400 naming the field and the limit', async (t) => {
    const nested = await req('POST', '/v1/template', { html: '{{#a}}'.repeat(300) + 'x' + '{{/a}}'.repeat(300) })
    t.equal(nested.statusCode, 400, 'refused before Handlebars parses it (3,000 levels took over a second, 10,000 a minute)')
    t.match(nested.json().message, /html is not a valid template: its sections are nested more than 16 deep \(MAX_TEMPLATE_NESTING\)/)
    t.equal((await req('POST', '/v1/template', { html: '{{#a}}'.repeat(16) + 'x' + '{{/a}}'.repeat(16) })).statusCode, 200, 'at the limit')
    const many = await req('POST', '/v1/template', { html: '{{a}}'.repeat(201) })
    t.equal(many.statusCode, 400)
    t.match(many.json().message, /more than 200 \{\{…\}\} expressions \(MAX_TEMPLATE_EXPRESSIONS\)/)

    // Eight sections over the same ten-item list: 10^8 bytes of html, built before any size check.
    const fanOut = (await req('POST', '/v1/template', { html: '{{#@root.a}}'.repeat(8) + 'x' + '{{/@root.a}}'.repeat(8) })).json()
    const blown = await req('POST', '/v1/image', { template_id: fanOut.template_id, template_values: { a: Array(10).fill(1) } })
    t.equal(blown.statusCode, 400, blown.body)
    t.match(blown.json().validation_errors, [{ path: 'template_values', message: /writes more than \d+ bytes of html \(MAX_HTML_BYTES\)/ }])

    const card = (await req('POST', '/v1/template', { html: '<p style="width:40px;height:10px">{{title}}</p>' })).json()
    const unprintable = await req('POST', '/v1/image', { template_id: card.template_id, template_values: { title: { toString: 'x' } } })
    t.equal(unprintable.statusCode, 400, 'an object whose toString is a string (Handlebars threw a TypeError: a 500)')
    t.equal(unprintable.json().validation_errors[0].path, 'template_values')

    // Sent as text: JSON.stringify itself overflows the stack on values this deep.
    const raw = (url: string, json: string) => h.app.inject({ method: 'POST', url, headers: { authorization: auth, 'content-type': 'application/json' }, payload: json })
    const deepArray = '['.repeat(5000) + '"leaf"' + ']'.repeat(5000)
    const tooDeep = await raw('/v1/image', `{"template_id":"${card.template_id}","template_values":{"title":${deepArray}}}`)
    t.equal(tooDeep.statusCode, 400, 'values 5,000 deep (a stack overflow in the size check: a 500)')
    t.match(tooDeep.json().message, /template_values is nested more than 32 levels deep \(MAX_TEMPLATE_VALUES_DEPTH\)/)
    const deepObject = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)
    const merged = await raw(
      '/v1/image/batch/templated',
      `{"default_options":{"template_id":"${card.template_id}","template_values":{"x":${deepObject}}},"variations":[{"template_values":{"x":${deepObject}}}]}`,
    )
    t.equal(merged.statusCode, 400, 'both sides of a batch merge 5,000 deep (a stack overflow in the merge: a 500)')
    t.match(merged.json().message, /default_options\.template_values is nested more than 32 levels deep/)
  })
})
