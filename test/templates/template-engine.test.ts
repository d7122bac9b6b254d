/** The Handlebars dialect as configured: escaped values, no helpers, no prototype access, a bounded cache. */
import t from 'tap'
import { TemplateEngine } from '../../src/templates/template-engine.js'

t.test('values are escaped unless the author wrote {{{ }}}; missing values render empty', async (t) => {
  const engine = new TemplateEngine({ cacheSize: 2 })
  const tpl = engine.get('a:1', '<p title="{{v}}">{{v}}</p>{{{raw}}}[{{missing}}]')
  t.equal(
    tpl.render({ v: '<img src=x onerror=alert(1)> "q" \'s\' & `b` =', raw: '<b>ok</b>' }),
    '<p title="&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &quot;q&quot; &#x27;s&#x27; &amp; &#x60;b&#x60; &#x3D;">&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &quot;q&quot; &#x27;s&#x27; &amp; &#x60;b&#x60; &#x3D;</p><b>ok</b>[]',
  )
  t.same([...tpl.variables].sort(), ['missing', 'raw', 'v'])
})

t.test('no prototype access, no helpers', async (t) => {
  const engine = new TemplateEngine({ cacheSize: 2 })
  t.equal(engine.get('p:1', '[{{constructor}}][{{__proto__}}][{{v.constructor.name}}][{{toString}}]').render({ v: {} }), '[][][][]')
  t.equal(engine.get('s:1', '{{#items}}<i>{{n}}</i>{{/items}}{{^items}}none{{/items}}').render({ items: [{ n: 1 }, { n: 2 }] }), '<i>1</i><i>2</i>')
  t.equal(engine.get('s:1', '').render({}), 'none', 'cached by version key: the compiled version is reused, not the new text')
  for (const html of ['{{#if a}}x{{/if}}', '{{#each a}}x{{/each}}', '{{#with a}}x{{/with}}', '{{log a}}', '{{lookup a "b"}}', '{{custom a}}']) {
    const checked = engine.check(html)
    t.equal(checked.ok, false, html)
    if (!checked.ok) t.match(checked.message, /template helpers are not available/)
  }
  t.equal(engine.check('{{a}} {{b.c}}').ok, true)
})

t.test('templated batch values merge by key, recursively; __proto__ stays a plain key', async (t) => {
  const { mergeValues } = await import('../../src/templates/templated-body.js')
  t.same(mergeValues({ a: { b: 1, c: 2 }, list: [1, 2], s: 'x' }, { a: { c: 3 }, list: [3], s: null }), { a: { b: 1, c: 3 }, list: [3], s: null })
  const merged = mergeValues({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>
  t.equal(Object.getPrototypeOf(merged), Object.prototype, 'the prototype is untouched')
  t.same(Object.keys(merged), ['__proto__'])
  t.equal(({} as Record<string, unknown>).polluted, undefined)
})
