/**
 * Signed render-on-GET URLs against a real app (SQLite, render workers): tokens over the raw
 * query, content-derived ids (one URL, one image, one charge), cached answers, 401s, values
 * that try to inject markup, users whose key predates the vault, and key rotation.
 */
import t from 'tap'
import { join } from 'node:path'
import { build, decodePng, coverage } from '../../helper.js'
import { sign } from '../../../src/signing/signature.js'
import { digestKey, keyRecord, newSalt } from '../../../src/auth/api-keys.js'

const KEY = 'signer-key-0001'

t.test('signed URLs', async (t) => {
  const h = await build(t)
  await h.addUser('signer', KEY, 1000)
  const auth = h.auth('signer', KEY)
  const used = () => h.container.usage.usedThisMonth('signer', Date.now())
  let renders = 0
  const pool = h.container.pool
  const run = pool.run.bind(pool)
  pool.run = (job) => {
    renders++
    return run(job)
  }

  const tpl = (await h.app.inject({
    method: 'POST', url: '/v1/template', headers: { authorization: auth },
    payload: { html: '<div style="width:{{w}}px;height:30px;background:{{colour}};display:flex">{{title}}</div>', device_scale: 1 },
  })).json() as { template_id: string; template_version: number }

  t.test('templated: first GET renders and charges, later ones are served with immutable caching', async (t) => {
    const query = 'colour=%2300ff00&title=Hi&w=90'
    const url = `/v1/image/${tpl.template_id}/${sign(KEY, query)}?${query}`
    const before = await used()
    const first = await h.app.inject({ url })
    t.equal(first.statusCode, 200, first.body)
    t.equal(first.headers['content-type'], 'image/png')
    t.equal(first.headers['cache-control'], 'public, max-age=31536000, immutable')
    t.match(first.headers.etag, /^"[0-9a-f]+"$/)
    const png = decodePng(first.rawPayload)
    t.same([png.width, png.height], [90, 30])
    t.ok(coverage(png, [0, 255, 0]) > 0.8)
    t.equal(await used(), before + 1, 'charged once')
    const id = first.headers['x-vellum-image-id'] as string

    const again = await h.app.inject({ url })
    t.equal(again.headers['x-vellum-image-id'], id, 'the same URL is the same image')
    t.same(again.rawPayload, first.rawPayload)
    t.equal(await used(), before + 1, 'served from the store: no charge')
    const notModified = await h.app.inject({ url, headers: { 'if-none-match': first.headers.etag as string } })
    t.equal(notModified.statusCode, 304)
    t.equal((await h.app.inject({ url: `/v1/image/${id}` })).statusCode, 200, 'an ordinary image URL too')

    const webp = await h.app.inject({ url: `/v1/image/${tpl.template_id}/${sign(KEY, query)}/webp?${query}` })
    t.equal(webp.statusCode, 200)
    t.equal(webp.headers['content-type'], 'image/webp')
    t.equal(webp.headers['x-vellum-image-id'], id, 'the format is a view of the same image')
    t.equal(await used(), before + 1)

    const resized = 'colour=%2300ff00&title=Hi&w=90&__ro_width=45'
    const small = await h.app.inject({ url: `/v1/image/${tpl.template_id}/${sign(KEY, resized)}?${resized}` })
    t.equal(small.statusCode, 200, small.body)
    t.equal(decodePng(small.rawPayload).width, 45, 'render options ride in the signed query')
    const cropped = 'colour=%2300ff00&title=Hi&w=90&crop_width=30&x_origin=end&dpi=144'
    const crop = await h.app.inject({ url: `/v1/image/${tpl.template_id}/${sign(KEY, cropped)}?${cropped}` })
    t.equal(crop.statusCode, 200, crop.body)
    t.same([decodePng(crop.rawPayload).width, decodePng(crop.rawPayload).height], [30, 30], 'crop options too')
    const badDpi = 'colour=red&dpi=5'
    t.equal((await h.app.inject({ url: `/v1/image/${tpl.template_id}/${sign(KEY, badDpi)}?${badDpi}` })).statusCode, 400, 'validated like everything else')
  })

  t.test('tampered, foreign or malformed tokens: 401 Invalid token (no Basic challenge)', async (t) => {
    const query = 'colour=%230000ff&title=Hi&w=50'
    const token = sign(KEY, query)
    const attempts = [
      `/v1/image/${tpl.template_id}/${token}?colour=%23ff0000&title=Hi&w=50`,
      `/v1/image/${tpl.template_id}/${token}?${query}&w=500`,
      `/v1/image/${tpl.template_id}/${sign('another-key', query)}?${query}`,
      `/v1/image/${tpl.template_id}/${token.slice(0, 63)}0?${query}`,
      `/v1/image/create-and-render/signer/${sign(KEY, 'html=x')}?${query}`,
    ]
    for (const url of attempts) {
      const res = await h.app.inject({ url })
      t.equal(res.statusCode, 401, url)
      t.same(res.json(), { statusCode: 401, error: 'Unauthorized', message: 'Invalid token' })
      t.notOk(res.headers['www-authenticate'], 'a browser showing the image gets no login dialog')
    }
    t.equal((await h.app.inject({ url: `/v1/image/t-00000000-0000-4000-8000-000000000000/${token}?${query}` })).statusCode, 404)
  })

  t.test('a value cannot inject markup through a signed URL', async (t) => {
    const evil = encodeURIComponent('<div style="width:400px;height:400px;background:#ff0000"></div>')
    const query = `colour=%23ffffff&title=${evil}&w=60`
    const res = await h.app.inject({ url: `/v1/image/${tpl.template_id}/${sign(KEY, query)}?${query}` })
    t.equal(res.statusCode, 200, res.body)
    const png = decodePng(res.rawPayload)
    t.ok(coverage(png, [255, 0, 0]) < 0.01, 'escaped: drawn as text, no red box')
    const names = '__proto__=%7B%22w%22%3A500%7D&constructor=x&colour=%23ffffff&title=ok&w=20'
    const plain = await h.app.inject({ url: `/v1/image/${tpl.template_id}/${sign(KEY, names)}?${names}` })
    t.equal(plain.statusCode, 200, plain.body)
    t.equal(decodePng(plain.rawPayload).width, 20, '__proto__ and constructor are plain names, not a way to change w')
  })

  t.test('100 concurrent first hits: one render, one charge, one image', async (t) => {
    const query = 'colour=%23ff8800&title=Concurrent&w=70'
    const url = `/v1/image/${tpl.template_id}/${sign(KEY, query)}?${query}`
    const before = { used: await used(), renders }
    const answers = await Promise.all(Array.from({ length: 100 }, () => h.app.inject({ url })))
    t.same([...new Set(answers.map((a) => a.statusCode))], [200])
    t.equal(new Set(answers.map((a) => a.headers['x-vellum-image-id'])).size, 1)
    t.equal(new Set(answers.map((a) => a.headers.etag)).size, 1)
    t.equal(renders - before.renders, 1, 'one render')
    t.equal((await used()) - before.used, 1, 'one charge')
  })

  t.test('create-and-render: the create parameters in the signed query; template_version pins', async (t) => {
    const html = encodeURIComponent('<div style="width:40px;height:20px;background:#0000ff"></div>')
    // The TS client 0.9 writes url first, as "undefined" for an HTML request.
    const query = `url=undefined&device_scale=1&html=${html}`
    const res = await h.app.inject({ url: `/v1/image/create-and-render/signer/${sign(KEY, query)}/jpg?${query}` })
    t.equal(res.statusCode, 200, res.body)
    t.equal(res.headers['content-type'], 'image/jpeg')
    const png = await h.app.inject({ url: `/v1/image/create-and-render/signer/${sign(KEY, query)}?${query}` })
    t.equal(decodePng(png.rawPayload).width, 40)
    const noHtml = 'device_scale=1'
    const missing = await h.app.inject({ url: `/v1/image/create-and-render/signer/${sign(KEY, noHtml)}?${noHtml}` })
    t.same(missing.json(), { statusCode: 400, error: 'Bad Request', message: 'HTML is Required' })
    t.equal((await h.app.inject({ url: `/v1/image/create-and-render/nobody/${sign(KEY, query)}?${query}` })).statusCode, 401)

    const v2 = (await h.app.inject({
      method: 'POST', url: `/v1/template/${tpl.template_id}`, headers: { authorization: auth },
      payload: { html: '<div style="width:20px;height:20px;background:{{colour}}"></div>', device_scale: 1 },
    })).json().template_version as number
    const pinned = `template_version=${tpl.template_version}&colour=%23000000&title=x&w=33`
    const old = await h.app.inject({ url: `/v1/image/${tpl.template_id}/${sign(KEY, pinned)}?${pinned}` })
    t.equal(decodePng(old.rawPayload).width, 33, 'the pinned version')
    const latest = `colour=%23000000&title=x&w=33`
    t.equal(decodePng((await h.app.inject({ url: `/v1/image/${tpl.template_id}/${sign(KEY, latest)}?${latest}` })).rawPayload).width, 20, `latest is ${v2}`)
  })

  t.test('keys from before the vault, and key rotation', async (t) => {
    const salt = newSalt()
    await h.container.users.create({ id: 'legacy', salt, digest: digestKey(salt, 'legacy-key-1'), sealed: null, monthlyLimit: 10, now: Date.now() })
    const query = `html=${encodeURIComponent('<p>x</p>')}`
    const res = await h.app.inject({ url: `/v1/image/create-and-render/legacy/${sign('legacy-key-1', query)}?${query}` })
    t.equal(res.statusCode, 401)
    t.match(res.json().message, /^Invalid token: the API key of user legacy was issued before .*vellum users rotate-key legacy/)
    t.equal((await h.app.inject({ url: '/v1/usage', headers: { authorization: h.auth('legacy', 'legacy-key-1') } })).statusCode, 200, 'Basic auth still works')

    const canSign = async () => (await h.container.users.list()).find((u) => u.id === 'legacy')!.canSign
    t.equal(await canSign(), false, '`vellum users list` shows it')
    await h.container.users.setKey('legacy', keyRecord(h.container.vault, 'legacy', 'legacy-key-2'))
    t.equal(await canSign(), true)
    t.equal((await h.app.inject({ url: `/v1/image/create-and-render/legacy/${sign('legacy-key-2', query)}?${query}` })).statusCode, 200, 'the new key signs')
    t.equal((await h.app.inject({ url: `/v1/image/create-and-render/legacy/${sign('legacy-key-1', query)}?${query}` })).statusCode, 401, 'the old key no longer signs')
    t.equal((await h.app.inject({ url: '/v1/usage', headers: { authorization: h.auth('legacy', 'legacy-key-1') } })).statusCode, 401, 'nor authenticates')
  })

  t.test('a signed URL whose image was deleted answers 410, however often it was served before', async (t) => {
    const query = 'colour=%23123456&title=Gone&w=25'
    const url = `/v1/image/${tpl.template_id}/${sign(KEY, query)}?${query}`
    const first = await h.app.inject({ url })
    t.equal(first.statusCode, 200)
    t.equal((await h.app.inject({ url })).statusCode, 200, 'served from the cache')
    const id = first.headers['x-vellum-image-id'] as string
    t.equal((await h.app.inject({ method: 'DELETE', url: `/v1/image/${id}`, headers: { authorization: auth } })).statusCode, 202)
    const gone = await h.app.inject({ url })
    t.equal(gone.statusCode, 410, gone.body)
    t.equal((await h.app.inject({ url: `/v1/image/${tpl.template_id}/${sign(KEY, query)}/webp?${query}` })).statusCode, 410, 'every format of it')
  })

  t.test('a URL already served (its check remembered) still fails once the key rotates or the token differs', async (t) => {
    await h.addUser('rotor', 'rotor-key-1', 10)
    const query = `html=${encodeURIComponent('<p>y</p>')}&device_scale=1`
    const url = (key: string) => `/v1/image/create-and-render/rotor/${sign(key, query)}?${query}`
    t.equal((await h.app.inject({ url: url('rotor-key-1') })).statusCode, 200)
    t.equal((await h.app.inject({ url: url('rotor-key-1') })).statusCode, 200, 'served again from the remembered check')
    t.equal((await h.app.inject({ url: url('another') })).statusCode, 401, 'another token for the same query')
    const upper = `/v1/image/create-and-render/rotor/${sign('rotor-key-1', query).toUpperCase()}?${query}`
    t.equal((await h.app.inject({ url: upper })).statusCode, 200, 'the same token in upper case (the route lower-cases)')
    await h.container.users.setKey('rotor', keyRecord(h.container.vault, 'rotor', 'rotor-key-2'))
    t.equal((await h.app.inject({ url: url('rotor-key-1') })).statusCode, 401, 'the old key no longer signs, cached or not')
    t.equal((await h.app.inject({ url: url('rotor-key-2') })).statusCode, 200, 'the new key signs the same image')
    await h.container.users.revoke('rotor', Date.now())
    t.equal((await h.app.inject({ url: url('rotor-key-2') })).statusCode, 401, 'revoked')
  })

  t.test('a URL answered before reads nothing from the store while nothing changed; any change, from any process, is seen at once', async (t) => {
    await h.addUser('quiet', 'quiet-key-1', 10)
    const query = 'colour=%23aa00aa&title=Quiet&w=33'
    const qt = (await h.app.inject({
      method: 'POST', url: '/v1/template', headers: { authorization: h.auth('quiet', 'quiet-key-1') },
      payload: { html: '<div style="width:{{w}}px;height:20px;background:{{colour}}">{{title}}</div>', device_scale: 1 },
    })).json() as { template_id: string }
    const url = (key: string) => `/v1/image/${qt.template_id}/${sign(key, query)}?${query}`
    t.equal((await h.app.inject({ url: url('quiet-key-1') })).statusCode, 200, 'rendered and committed (on the commit thread)')
    // The commit thread is another connection: its commit moved the change stamp, so this GET
    // checks once more and remembers the URL under the new stamp.
    t.equal((await h.app.inject({ url: url('quiet-key-1') })).statusCode, 200)
    const { users, templates } = h.container.store
    const [find, head] = [users.find.bind(users), templates.head.bind(templates)]
    let reads = 0
    users.find = (id: string) => (reads++, find(id))
    templates.head = (id: string, v?: number) => (reads++, head(id, v))
    t.teardown(() => {
      users.find = find
      templates.head = head
    })
    for (let i = 0; i < 10; i++) t.equal((await h.app.inject({ url: url('quiet-key-1') })).statusCode, 200)
    t.equal(reads, 0, 'ten GETs of a URL answered before: no store read')
    t.equal((await h.app.inject({ url: url('wrong-key') })).statusCode, 401, 'another token is checked in full')

    // Another process on the same file (the CLI, a second server) revokes the signer.
    const { openSqliteStore } = await import('../../../src/store/sqlite/sqlite-store.js')
    const other = openSqliteStore(join(h.dataDir, 'vellum.db'))
    await other.users.revoke('quiet', Date.now())
    await other.close()
    t.equal((await h.app.inject({ url: url('quiet-key-1') })).statusCode, 401, 'revoked elsewhere: 401 on the next GET')
    t.ok(reads > 0, 'read again once the store changed')
  })
})
