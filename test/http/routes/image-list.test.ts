import t from 'tap'
import { build } from '../../helper.js'

t.test('GET /v1/images pages through the user\'s images; GET /v1/images/:id returns the definition', async (t) => {
  const h = await build(t)
  await h.addUser('lister', 'lister-key-1')
  await h.addUser('other', 'other-key-12')
  const auth = h.auth('lister', 'lister-key-1')
  const ids: string[] = []
  for (const colour of ['#f00', '#0f0', '#00f', '#ff0']) {
    const res = await h.app.inject({
      method: 'POST', url: '/v1/image', headers: { authorization: auth },
      payload: { html: `<div style="width:10px;height:10px;background:${colour}"></div>`, css: 'div{}', google_fonts: 'Roboto', device_scale: 1 },
    })
    ids.push(res.json().id)
    await new Promise((r) => setTimeout(r, 5))
  }
  await h.app.inject({ method: 'DELETE', url: `/v1/image/${ids[0]}`, headers: { authorization: auth } })

  const first = await h.app.inject({ url: '/v1/images?count=2', headers: { authorization: auth } })
  t.equal(first.statusCode, 200)
  const p1 = first.json()
  t.same(p1.images.map((i: { id: string }) => i.id), [ids[3], ids[2]], 'newest first')
  t.match(p1.images[0], { url: `http://localhost:80/v1/image/${ids[3]}`, created_at: /^\d{4}-\d\d-\d\dT/ })
  t.equal(p1.has_next_page, true)
  const second = (await h.app.inject({ url: `/v1/images?count=2&page_token=${p1.next_page_token}`, headers: { authorization: auth } })).json()
  t.same(second.images.map((i: { id: string }) => i.id), [ids[1]], 'the deleted image is not listed')
  t.equal(second.has_next_page, false)
  t.equal(second.next_page_token, null)

  const meta = await h.app.inject({ url: `/v1/images/${ids[1]}`, headers: { authorization: auth } })
  t.match(meta.json(), { id: ids[1], image_type: 'html_css', html: /#0f0/, css: 'div{}', google_fonts: 'Roboto', device_scale: 1, width: 10, height: 10 })
  t.equal((await h.app.inject({ url: `/v1/images/${ids[0]}`, headers: { authorization: auth } })).statusCode, 410)
  t.equal((await h.app.inject({ url: `/v1/images/${ids[1]}`, headers: { authorization: h.auth('other', 'other-key-12') } })).statusCode, 404, "another user's image is not visible")
  t.equal((await h.app.inject({ url: '/v1/images?count=51', headers: { authorization: auth } })).statusCode, 400)
  t.equal((await h.app.inject({ url: '/v1/images?page_token=%%%', headers: { authorization: auth } })).statusCode, 400)
  t.equal((await h.app.inject({ url: '/v1/images' })).statusCode, 401)
})
