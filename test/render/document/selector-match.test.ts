/** Reading a declared value once the cascade has ranked it (src/render/document/selector-match.ts). */
import t from 'tap'
import { declaredValue } from '../../../src/render/document/selector-match.js'

t.test('declaredValue drops the !important flag however it is spaced, and trims', async (t) => {
  t.equal(declaredValue('red !important'), 'red')
  t.equal(declaredValue(' bold  !IMPORTANT '), 'bold')
  // CSS allows white space between "!" and "important" (CSS Syntax 3, §5.4.6).
  t.equal(declaredValue('"Inter", sans-serif ! important'), '"Inter", sans-serif')
  t.equal(declaredValue('url(a!important)'), 'url(a!important)', 'only a trailing flag')
  t.equal(declaredValue('  12px  '), '12px')
})
