/**
 * A GET load generator, run as its own process by bench/http.ts: `connections` keep-alive
 * connections each issue one request after another for `seconds`, reading every body in full.
 * Why not autocannon: its JavaScript HTTP parser (http-parser-js) saturates a core at about
 * 1,000 responses/s for a 90 KB image while the server sits at a quarter of one, so it measured
 * itself. undici parses with llhttp and keeps up.
 * Usage: get-load <url> <connections> <seconds>; prints {"requests":n,"non2xx":n,"perSecond":x}.
 */
import { Pool } from 'undici'

const [url, connections = '32', seconds = '5'] = process.argv.slice(2)
if (!url) throw new Error('usage: get-load <url> [connections] [seconds]')
const target = new URL(url)
const pool = new Pool(target.origin, { connections: Number(connections), pipelining: 1 })
const path = target.pathname + target.search
const end = Date.now() + Number(seconds) * 1000
let requests = 0
let non2xx = 0
await Promise.all(
  Array.from({ length: Number(connections) }, async () => {
    while (Date.now() < end) {
      const res = await pool.request({ path, method: 'GET' })
      for await (const _chunk of res.body); // read the whole image, as a client would
      if (res.statusCode < 200 || res.statusCode > 299) non2xx++
      requests++
    }
  }),
)
await pool.close()
process.stdout.write(JSON.stringify({ requests, non2xx, perSecond: requests / Number(seconds) }))
