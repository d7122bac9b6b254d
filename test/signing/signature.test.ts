/**
 * Token computation and verification against every golden vector of the wire reference (§5.6),
 * and queries encoded the way each official client encodes them: the raw bytes are signed, so
 * order and escaping must survive as sent.
 */
import t from 'tap'
import { createHmac } from 'node:crypto'
import { legacyMessage, queryPairs, rawQueryOf, sign, verify } from '../../src/signing/signature.js'

const GOLDEN: Array<[key: string, message: string, token: string]> = [
  ['your-api-key-here', 'html=%3Cdiv%3EHello%3C%2Fdiv%3E', 'ac5553c5a9031e09f4580101080045e7e4cbd1734aa1b53a94f1006c3496ca21'],
  ['test-secret', 'headline=Hello+world&template_version=42', '8033706d06983bca46abc5edc6f7dd041c58f2e9c80bc0c5d4a3d2f2bd5b4040'],
  ['test', 'title=Flexbox+for+life%21', '699fe5119b7b2bae4c863f86049d3756133afc1a203d460fed63311045510b2e'],
  ['test', 'title=Flexbox for life!', 'dd59fca7573133c27c5adc0fc9e4d246f27064db3cd182f03f3b3df8e9ea1b77'],
  [
    'test-key',
    'url=https%3A%2F%2Fexample.com%2Fa+path&additional_header_origins=https%3A%2F%2Fb.com&headers=X-A%3A1&transparent_background=false&viewport_height=630&viewport_width=1200',
    '2b5824bcd9ba81ccb9d601bd321433118f8ea01eb3f2c3bd425a42971a747f1f',
  ],
  ['test-key', 'template_version=7&author=%7B%22name%22%3A%22Jeff%22%7D&b=true&n=3&title=Launch', '8ef251914e7b0af21978a65780892e29ba9ed8d893554d3df000a27a796e0203'],
  ['test-key', '', '2711cc23e9ab1b8a9bc0fe991238da92671624a9ebdaf1c1abec06e7e9a14f9b'],
]

t.test('every golden vector of §5.6 signs and verifies', async (t) => {
  for (const [key, message, token] of GOLDEN) {
    t.equal(sign(key, message), token, `HMAC(${key}, ${JSON.stringify(message).slice(0, 40)})`)
    t.ok(verify(key, message, token), 'verifies')
    t.notOk(verify(`${key}x`, message, token), 'not with another key')
    t.notOk(verify(key, `${message}&x=1`, token), 'not with another query')
  }
})

t.test('the legacy token (Ruby 0.1: over the decoded query) verifies the encoded URL', async (t) => {
  // The reference's URL: …/t-123/dd59fca7…?title=Flexbox%20for%20life%21
  const raw = 'title=Flexbox%20for%20life%21'
  t.equal(legacyMessage(raw), 'title=Flexbox for life!')
  t.ok(verify('test', raw, 'dd59fca7573133c27c5adc0fc9e4d246f27064db3cd182f03f3b3df8e9ea1b77'))
  t.ok(verify('test', 'title=Flexbox+for+life%21', '699fe5119b7b2bae4c863f86049d3756133afc1a203d460fed63311045510b2e'), 'the current token too')
  t.notOk(verify('test', 'title=Flexbox%20for%20life%3F', 'dd59fca7573133c27c5adc0fc9e4d246f27064db3cd182f03f3b3df8e9ea1b77'))
})

t.test('tokens: lower-case hex of 64 characters only', async (t) => {
  const token = sign('k', 'a=1')
  t.notOk(verify('k', 'a=1', token.toUpperCase()), 'upper case is not what clients produce (the route lower-cases)')
  t.notOk(verify('k', 'a=1', token.slice(0, 63)))
  t.notOk(verify('k', 'a=1', `${token}0`))
  t.notOk(verify('k', 'a=1', 'z'.repeat(64)))
})

/** What Go's url.Values.Encode writes: keys sorted, QueryEscape (space +, ~ literal, * as %2A). */
function goEncode(values: Record<string, string>): string {
  const esc = (s: string) =>
    encodeURIComponent(s)
      .replace(/%20/g, '+')
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return Object.keys(values)
    .sort()
    .map((k) => `${esc(k)}=${esc(values[k]!)}`)
    .join('&')
}

/** What the .NET client writes: its own order, unreserved A-Za-z0-9-._~ literal, the rest %XX upper-case (space %20). */
function dotnetEncode(pairs: Array<[string, string]>): string {
  const esc = (s: string) =>
    [...Buffer.from(s, 'utf8')]
      .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
      .join('')
  return pairs.map(([k, v]) => `${esc(k)}=${esc(v)}`).join('&')
}

t.test('queries encoded the Go way and the .NET way verify as sent and decode to the same values', async (t) => {
  const key = 'client-key'
  const values = { title: 'Hello *world* ~ café & co', n: '3', author: '{"name":"Jeff"}' }
  const go = goEncode(values)
  t.match(go, /author=.*&n=3&title=Hello\+%2Aworld%2A\+~\+caf%C3%A9\+%26\+co$/, 'Go: sorted, + for space, %2A, ~ literal')
  const dotnet = dotnetEncode([['title', values.title], ['n', values.n], ['author', values.author]])
  t.match(dotnet, /^title=Hello%20%2Aworld%2A%20~%20caf%C3%A9%20%26%20co&n=3&author=/, '.NET: its own order, %20 for space')
  for (const [name, raw] of [['go', go], ['dotnet', dotnet]] as const) {
    const token = createHmac('sha256', key).update(raw).digest('hex')
    t.ok(verify(key, raw, token), `${name}: verifies over the raw bytes`)
    t.same(Object.fromEntries(queryPairs(raw)), values, `${name}: decodes to the values`)
    // Any re-serialisation (another order or escaping) would not verify: the server never makes one.
    const reordered = raw.split('&').reverse().join('&')
    t.notOk(verify(key, reordered, token), `${name}: order matters`)
  }
})

t.test('rawQueryOf takes the request line as sent', async (t) => {
  t.equal(rawQueryOf('/v1/image/t-1/abc?b=2&a=%7E'), 'b=2&a=%7E')
  t.equal(rawQueryOf('/v1/image/t-1/abc'), '')
  t.equal(rawQueryOf('/x?'), '')
  t.same(queryPairs('a=1&a=2&b&c=x%2By+z'), [['a', '1'], ['a', '2'], ['b', ''], ['c', 'x+y z']])
})
