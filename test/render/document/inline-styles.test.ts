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
