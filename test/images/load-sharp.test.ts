/** sharp in the API process: one instance, libvips' operation cache off (every image is new). */
import t from 'tap'
import { loadSharp } from '../../src/images/load-sharp.js'

t.test('loaded once, with no operation cache', async (t) => {
  const sharp = await loadSharp()
  t.equal(await loadSharp(), sharp, 'the same module on every call')
  const stats = sharp.cache() as { memory: { max: number }; items: { max: number }; files: { max: number } }
  t.equal(stats.memory.max, 0, 'no decoded images kept (the default keeps up to 50 MB)')
  t.equal(stats.items.max, 0)
  t.equal(stats.files.max, 0)
})
