/**
 * Each distinct style attribute of a document is parsed and rewritten once: the parsed form is
 * shared (the cascades only read it), the rewritten form handed out as a fresh object (later
 * stages add to an element's style), with rem resolved against the page's root size.
 */
import t from 'tap'
import { InlineStyles, parseStyleAttribute } from '../../../src/render/document/inline-styles.js'
import { CssRewriter } from '../../../src/render/document/css-rewrite.js'

t.test('one parse per distinct text, shared', async (t) => {
  const styles = new InlineStyles(new CssRewriter(), 16)
  const a = styles.parsed('color: red; font-size: 12px')
  t.same(a, { color: 'red', fontSize: '12px' })
  t.equal(styles.parsed('color: red; font-size: 12px'), a, 'the same object for the same text')
  t.not(styles.parsed('color: blue'), a)
})

t.test('the rewrite is a fresh copy each time, so one element’s additions never reach another', async (t) => {
  const styles = new InlineStyles(new CssRewriter(), 16)
  const first = styles.rewritten('display: flex; columns: 2')
  const second = styles.rewritten('display: flex; columns: 2')
  t.same(first, second)
  t.not(first, second)
  first.color = 'red'
  t.equal(styles.rewritten('display: flex; columns: 2').color, undefined)
  t.equal(first.columnCount, '2', 'rewritten as satori needs it (css-rewrite splits `columns`)')
})

t.test('rem resolves against the root size the document has', async (t) => {
  t.same(new InlineStyles(new CssRewriter(), 20).rewritten('margin: 2rem'), { margin: '40px' })
  t.same(new InlineStyles(new CssRewriter(), 16).rewritten('margin: 2rem'), { margin: '2rem' }, 'the default root is left to satori')
})

t.test('an unparsable attribute is dropped, as a browser drops it', async (t) => {
  // style-to-js throws on an unterminated comment.
  t.same(parseStyleAttribute('color: red; /* never closed'), {})
  t.same(new InlineStyles(new CssRewriter(), 16).rewritten('color: red; /* never closed'), {})
})

t.test('a custom property with an empty value is kept, as Tailwind writes --tw-ring-inset', async (t) => {
  const { parseStyleAttribute } = await import('../../../src/render/document/inline-styles.js')
  t.same(parseStyleAttribute('--i: ;box-shadow:var(--i) 0 0 0 4px red'), { boxShadow: 'var(--i) 0 0 0 4px red', '--i': ' ' })
  t.same(parseStyleAttribute('--a:1px;--b:;color:red'), { '--a': '1px', color: 'red', '--b': ' ' }, 'with or without a space')
  t.same(parseStyleAttribute('color:red'), { color: 'red' }, 'no custom property: as style-to-js reads it')
  const { createRenderer } = await import('../../../src/render/pipeline.js')
  const { renderJob, decodePng, pixel } = await import('../../helper.js')
  const png = decodePng(
    Buffer.from(
      (await createRenderer().render(renderJob('<div style="--i: ;margin:10px;width:40px;height:20px;box-shadow:var(--i) 0 0 0 4px #f00"></div>', { viewportWidth: 80, viewportHeight: 50 })))
        .png,
    ),
  )
  t.same(pixel(png, 16, 28).slice(0, 3), [255, 0, 0], 'the ring is drawn 4 px outside the box (body margin 8 + margin 10): the var() resolved to nothing')
})
