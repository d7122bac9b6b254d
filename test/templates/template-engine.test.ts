/** The Handlebars dialect as configured: escaped values, no helpers, no prototype access, a bounded cache. */
import t from 'tap'
import { TemplateEngine } from '../../src/templates/template-engine.js'
import { AppError } from '../../src/errors/catalogue.js'
import { assertValuesDepth } from '../../src/templates/template-limits.js'

const engineWith = (cacheSize: number, outputBytes = 512 * 1024, shape = { nesting: 32, expressions: 2000 }) => new TemplateEngine({ cacheSize, shape, outputBytes })

t.test('values are escaped unless the author wrote {{{ }}}; missing values render empty', async (t) => {
  const engine = engineWith(2)
  const tpl = engine.get('a:1', '<p title="{{v}}">{{v}}</p>{{{raw}}}[{{missing}}]')
  t.equal(
    tpl.render({ v: '<img src=x onerror=alert(1)> "q" \'s\' & `b` =', raw: '<b>ok</b>' }),
    '<p title="&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &quot;q&quot; &#x27;s&#x27; &amp; &#x60;b&#x60; &#x3D;">&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &quot;q&quot; &#x27;s&#x27; &amp; &#x60;b&#x60; &#x3D;</p><b>ok</b>[]',
  )
  t.same([...tpl.variables].sort(), ['missing', 'raw', 'v'])
})

t.test('no prototype access, no helpers', async (t) => {
  const engine = engineWith(2)
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

t.test('nesting and the number of expressions are read with Handlebars\' lexer, before its parser', async (t) => {
  const engine = engineWith(2)
  const deep = engine.check('{{#a}}'.repeat(10_000) + 'x' + '{{/a}}'.repeat(10_000))
  t.same(deep, { ok: false, message: 'its sections are nested more than 32 deep (MAX_TEMPLATE_NESTING)' }, '10,000 levels held the server 61 s, then overflowed the stack')
  t.same(engine.check('{{#a}}'.repeat(32) + 'x' + '{{/a}}'.repeat(32)).ok, true, 'at the limit')
  t.same(engine.check('{{#a}}{{#b}}{{/b}}{{/a}}'.repeat(400)).ok, true, 'siblings are not nesting')
  t.same(engineWith(2, 1000, { nesting: 2, expressions: 100 }).check('{{a (b (c (d x)))}}'), { ok: false, message: 'its sections are nested more than 2 deep (MAX_TEMPLATE_NESTING)' }, 'sub-expressions count as nesting')
  t.same(engine.check('{{a}}'.repeat(2001)), { ok: false, message: 'it has more than 2000 {{…}} expressions (MAX_TEMPLATE_EXPRESSIONS)' })
  t.same(engine.check('{{a}}'.repeat(2000)).ok, true)
  t.same(engine.check('\\{{a}} {{!-- {{#x}} --}} plain {text}'.repeat(3000)).ok, true, 'escaped mustaches and comments are not expressions')
  t.match(engine.check('{{#a}}x'), { ok: false, message: /Parse error/ }, 'what the lexer lets through, the parser still reports')

  const lenient = engineWith(2, 1000, { nesting: 100, expressions: 10_000 })
  const saved = lenient.get('old:1', '{{#a}}'.repeat(40) + '{{/a}}'.repeat(40))
  t.equal(saved.render({}), '', 'a version saved under higher limits still renders where they hold')
  t.throws(() => engine.get('old:1', '{{#a}}'.repeat(40) + '{{/a}}'.repeat(40)), { name: 'AppError', message: /template_id: the template cannot be rendered: its sections are nested more than 32 deep/ })
})

t.test('a render stops once its sections have written more html than MAX_HTML_BYTES', async (t) => {
  const engine = engineWith(4, 10_000)
  const fanOut = engine.get('f:1', '{{#@root.a}}'.repeat(8) + 'x' + '{{/@root.a}}'.repeat(8))
  t.throws(() => fanOut.render({ a: Array(10).fill(1) }), { name: 'AppError', message: 'template_values: filling the template writes more than 10000 bytes of html (MAX_HTML_BYTES)' }, '10^8 bytes, not built')
  t.equal(engine.get('f:2', '{{#@root.a}}'.repeat(3) + 'x' + '{{/@root.a}}'.repeat(3)).render({ a: Array(10).fill(1) }), 'x'.repeat(1000), 'the same template within the budget')

  // The budget counts the html exactly: nested sections once, not once per level.
  const list = engine.get('l:1', '<ul>{{#items}}<li>{{name}}{{#tags}}[{{.}}]{{/tags}}{{^tags}}-{{/tags}}</li>{{/items}}</ul>')
  const items = [{ name: 'a', tags: ['x', 'y'] }, { name: 'b', tags: [] }, { name: 'c' }]
  t.equal(list.render({ items }), '<ul><li>a[x][y]</li><li>b-</li><li>c-</li></ul>', 'sections render as Handlebars renders them')
  // All of this template's html is written by its sections: at the limit only if nested ones count once.
  const sectionsOnly = '{{#items}}<li>{{name}}{{#tags}}[{{.}}]{{/tags}}{{^tags}}-{{/tags}}</li>{{/items}}'
  const inner = '<li>a[x][y]</li><li>b-</li><li>c-</li>'.length
  t.equal(engineWith(1, inner).get('l:1', sectionsOnly).render({ items }).length, inner, 'exactly at the limit')
  t.throws(() => engineWith(1, inner - 1).get('l:1', sectionsOnly).render({ items }), { name: 'AppError' }, 'one byte over')
  // The html around the sections counts too.
  t.equal(engineWith(1, inner + 9).get('l:1', '<ul>' + sectionsOnly + '</ul>').render({ items }).length, inner + 9, 'with the html around it, exactly at the limit')
  t.throws(() => engineWith(1, inner + 8).get('l:1', '<ul>' + sectionsOnly + '</ul>').render({ items }), { name: 'AppError' }, 'with the html around it, one byte over')
  // Outside any section: 1999 copies of one 64 KB value are a 131-million-character rope that
  // costs little until something reads it (the byte count did: 262 MB). Refused on its length.
  const copies = engineWith(1, 5 * 1024 * 1024).get('c:1', '{{{x}}}'.repeat(1999))
  t.throws(() => copies.render({ x: 'é'.repeat(64 * 1024) }), { name: 'AppError', message: /writes more than 5242880 bytes of html \(MAX_HTML_BYTES\)/ }, 'expressions outside sections count')
  t.equal(copies.render({ x: 'é' }).length, 1999, 'the same template with a short value')
  t.equal(engine.get('b:1', '{{#flag}}on{{/flag}}{{^flag}}off{{/flag}}{{#obj}}{{v}}{{/obj}}').render({ flag: true, obj: { v: 7 } }), 'on7', 'true and objects as Handlebars treats them')
})

t.test('values Handlebars cannot print, or nested past MAX_TEMPLATE_VALUES_DEPTH, are a 400 on template_values', async (t) => {
  const engine = engineWith(2)
  const err = (() => {
    try {
      engine.get('v:1', '<p>{{title}}</p>').render({ title: { toString: 'x' } })
    } catch (e) {
      return e
    }
  })()
  t.ok(err instanceof AppError)
  t.match(err, { code: 'VALIDATION', issues: [{ path: 'template_values', message: /could not be filled with these values/ }] })
  t.equal(engine.get('v:1', '').render({ title: { a: 1 } }), '<p>[object Object]</p>', 'an ordinary object prints as Handlebars prints it')

  let deep: unknown = 'leaf'
  for (let i = 0; i < 100_000; i++) deep = { a: deep }
  t.throws(() => assertValuesDepth({ x: deep }, 32), { name: 'AppError', message: 'template_values is nested more than 32 levels deep (MAX_TEMPLATE_VALUES_DEPTH)' }, 'no stack to overflow')
  let ok: unknown = 1
  for (let i = 0; i < 31; i++) ok = [ok]
  t.doesNotThrow(() => assertValuesDepth({ x: ok }, 32), 'the object and 31 levels inside it: 32')
  t.throws(() => assertValuesDepth({ x: [ok] }, 32, 'default_options.template_values'), { message: /^default_options\.template_values is nested/ })
})
