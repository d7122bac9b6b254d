/**
 * css-tree's generator writes only the whitespace tokenising needs, so `0 #93c5fd` came out as
 * `0#93c5fd`, which satori's parser reads as no shadow. Vellum's generate keeps that space; the
 * rest of the output is css-tree's own.
 */
import t from 'tap'
import * as csstree from '../../src/css/css-tree.js'

const roundTrip = (css: string) => csstree.generate(csstree.parse(css))

t.test('a hash colour after a number keeps its space, in values and function arguments', async (t) => {
  t.equal(roundTrip('.s{text-shadow:2px 2px 0 #93c5fd}'), '.s{text-shadow:2px 2px 0 #93c5fd}')
  t.equal(roundTrip('.s{box-shadow:0 0 0 #000,4px 4px 0 #111}'), '.s{box-shadow:0 0 0 #000,4px 4px 0 #111}')
  t.equal(roundTrip('.s{filter:drop-shadow(0 0 #f00)}'), '.s{filter:drop-shadow(0 0 #f00)}')
  t.equal(roundTrip('.s{border:1px solid 50% #ddd}'), '.s{border:1px solid 50% #ddd}', 'after a percentage too')
})

t.test('generating twice adds nothing, and the rest is css-tree’s minimal output', async (t) => {
  const ast = csstree.parse('.s { text-shadow: 1px 1px 0   #fff ; margin : 0 auto }')
  const once = csstree.generate(ast)
  t.equal(csstree.generate(ast), once)
  t.equal(once, '.s{text-shadow:1px 1px 0 #fff;margin:0 auto}')
  t.equal(csstree.generate(csstree.parse('#a .b{color:#fff}')), '#a .b{color:#fff}', 'selectors untouched')
})
