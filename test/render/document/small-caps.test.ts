/**
 * font-variant: small-caps (and font-variant-caps, and the font shorthand's variant) draws
 * lower-case letters as capitals at 0.7em, inherited, reset by a later `font` shorthand.
 */
import t from 'tap'
import { htmlToTree, type SatoriChild, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { smallCapsText } from '../../../src/render/document/small-caps.js'

const limits = { elements: 5000, depth: 200 }

/** The text of the page with small-cap runs written as [RUN]. */
function text(html: string, css = ''): string {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  const out: string[] = []
  const walk = (node: SatoriChild, small: boolean): void => {
    if (typeof node === 'string') {
      out.push(small ? `[${node}]` : node)
      return
    }
    if (typeof node !== 'object' || node === null || node.type === 'style') return
    const isSmall = (node.props.style as Record<string, unknown> | undefined)?.fontSize === '0.7em'
    const c = node.props.children as SatoriChild[] | SatoriChild | undefined
    for (const child of Array.isArray(c) ? c : c === undefined ? [] : [c]) walk(child, isSmall)
  }
  walk(root, false)
  return out.join('').replace(/\s+/g, ' ').trim()
}

t.test('splitting: lower-case runs become capitals at 0.7em, the rest stays', async (t) => {
  t.same(smallCapsText('ABC 123'), 'ABC 123', 'nothing lower-case: the text itself')
  const split = smallCapsText('Hello, Ωmega straße') as SatoriElement
  t.same(
    (split.props.children as SatoriChild[]).map((c) => (typeof c === 'string' ? c : `[${(c as SatoriElement).props.children}]`)).join(''),
    'H[ELLO], Ω[MEGA] [STRASSE]',
  )
})

t.test('from rules, inline styles and the shorthand; inherited; reset by a later font shorthand', async (t) => {
  t.equal(text('<p class="sc">Big <b>bold</b></p>', '.sc { font-variant: small-caps }'), 'B[IG] [BOLD]', 'a rule, inherited by <b>')
  t.equal(text('<p style="font-variant-caps: small-caps">Hi</p>'), 'H[I]', 'font-variant-caps inline')
  t.equal(text('<p class="f">Hi</p>', '.f { font: small-caps 600 20px Roboto }'), 'H[I]', 'the shorthand')
  t.equal(text('<div style="font-variant: small-caps"><p class="r">No</p>Yes</div>', '.r { font: 16px Roboto }'), 'NoY[ES]', 'a font shorthand resets it (the paragraph), the rest keeps it')
  t.equal(text('<p>plain text</p>', 'p { font: 16px Roboto }'), 'plain text', 'no small caps anywhere: untouched')
})
