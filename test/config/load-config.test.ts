import t from 'tap'
import { loadConfig, ConfigError } from '../../src/config/load-config.js'

t.test('defaults are complete and sane', async (t) => {
  const c = loadConfig({})
  t.equal(c.port, 3000)
  t.equal(c.dataDir, './data')
  t.equal(c.limits.batchSize, 25)
  t.equal(c.defaults.deviceScale, 2)
  t.equal(c.variants.concurrency, 2)
  t.equal(c.publicUrl, undefined)
})

t.test('every bad variable is named at once', async (t) => {
  const err = t.throws(() => loadConfig({ PORT: 'eighty', MAX_BATCH_SIZE: '0', PUBLIC_URL: 'ftp://x', FETCH_ALLOW_PRIVATE: 'perhaps', VARIANT_CONCURRENCY: '0' })) as ConfigError
  t.type(err, ConfigError)
  t.match(err.problems.join('\n'), /PORT: must be an integer between 0 and 65535/)
  t.match(err.problems.join('\n'), /MAX_BATCH_SIZE/)
  t.match(err.problems.join('\n'), /PUBLIC_URL/)
  t.match(err.problems.join('\n'), /FETCH_ALLOW_PRIVATE: must be true or false/)
  t.match(err.problems.join('\n'), /VARIANT_CONCURRENCY: must be an integer between 1 and 64/)
})

t.test('values are read and a trailing slash on PUBLIC_URL is dropped', async (t) => {
  const c = loadConfig({ PORT: '8080', PUBLIC_URL: 'https://img.example.com/', RENDER_WORKERS: '3', PORT_UNUSED: '' })
  t.equal(c.port, 8080)
  t.equal(c.publicUrl, 'https://img.example.com')
  t.equal(c.render.workers, 3)
})

t.test('a worker data limit too small for real renders is refused at boot, 0 and 320+ accepted', async (t) => {
  const err = t.throws(() => loadConfig({ RENDER_MEMORY_MB: '256' })) as ConfigError
  t.match(err.problems.join('\n'), /RENDER_MEMORY_MB: must be 0 \(no limit\) or at least 320/)
  t.equal(loadConfig({ RENDER_MEMORY_MB: '0' }).render.memoryMb, 0)
  t.equal(loadConfig({ RENDER_MEMORY_MB: '384' }).render.memoryMb, 384)
})

t.test('how long workers keep freed pixel memory: a second by default, 0 to 60 s', async (t) => {
  t.equal(loadConfig({}).render.freedMemoryKeepMs, 1000)
  t.equal(loadConfig({ RENDER_FREED_MEMORY_KEEP_MS: '0' }).render.freedMemoryKeepMs, 0)
  const err = t.throws(() => loadConfig({ RENDER_FREED_MEMORY_KEEP_MS: '-1' })) as ConfigError
  t.match(err.problems.join('\n'), /RENDER_FREED_MEMORY_KEEP_MS: must be an integer between 0 and 60000/)
})
