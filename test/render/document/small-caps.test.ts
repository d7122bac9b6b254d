/**
 * font-variant: small-caps (and font-variant-caps, and the font shorthand's variant) draws
 * lower-case letters as capitals at round(0.7 × the element's size) px, as Chromium's synthetic
 * small caps, inherited, reset by a later `font` shorthand.
 */
import t from 'tap'
import { htmlToTree, type SatoriChild, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { smallCapsText } from '../../../src/render/document/small-caps.js'

const limits = { elements: 5000, depth: 200 }

/** The text of the page with small-cap runs written as [RUN] (or [RUN:size] with `sizes`). */
function text(html: string, css = '', sizes = false): string {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  const out: string[] = []
  const walk = (node: SatoriChild, small: boolean): void => {
    if (typeof node === 'string') {
      out.push(small ? `[${node}]` : node)
      return
    }
    if (typeof node !== 'object' || node === null || node.type === 'style') return
    const size = (node.props.style as Record<string, unknown> | undefined)?.fontSize
    const isSmall = node.type === 'span' && typeof size === 'string' && /^(\d+px|0\.7em)$/.test(size) && typeof node.props.children === 'string'
    const c = node.props.children as SatoriChild[] | SatoriChild | undefined
    if (isSmall && sizes) {
      out.push(`[${String(c)}:${size}]`)
      return
    }
    for (const child of Array.isArray(c) ? c : c === undefined ? [] : [c]) walk(child, isSmall)
  }
  walk(root, false)
  return out.join('').replace(/\s+/g, ' ').trim()
}

t.test('splitting: lower-case runs become capitals, the rest stays', async (t) => {
  t.same(smallCapsText('ABC 123', 16), 'ABC 123', 'nothing lower-case: the text itself')
  const split = smallCapsText('Hello, Ωmega straße', 22) as SatoriElement
  t.same((split.props.children as SatoriElement[])[1]!.props.style, { fontSize: '15px' }, 'round(0.7 × 22) px')
  t.same((smallCapsText('Hi', undefined) as SatoriElement).props.children, ['H', { type: 'span', props: { style: { fontSize: '0.7em' }, children: 'I' } }], 'an unknown size: 0.7em')
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

t.test('the size is round(0.7 × the element\'s computed size), as Chromium\'s synthetic small caps', async (t) => {
  // Chromium: a 22px line of small caps measures 434.75px; with 0.7em spans (15.4px) 442.1px.
  t.equal(text('<p class="sc">The End</p>', '.sc { font-variant: small-caps; font-size: 22px }', true), 'T[HE:15px] E[ND:15px]', '22px → 15px')
  t.equal(text('<h1 style="font-variant: small-caps">Noto</h1>', '', true), 'N[OTO:22px]', 'h1 from the user-agent sheet: 2em of 16px → 22px')
  t.equal(text('<p>With <span style="font-variant: small-caps">Caps</span></p>', '', true), 'With C[APS:11px]', 'the initial 16px → 11px')
  t.equal(text('<p class="f">Hi</p>', '.f { font: small-caps 600 20px Roboto }', true), 'H[I:14px]', 'the size in the shorthand')
  t.equal(text('<div style="font-size:20px"><span style="font-size:1.5em;font-variant:small-caps">Em</span></div>', '', true), 'E[M:21px]', 'em of the parent: 30px → 21px')
  t.equal(text('<p class="r">Rem</p>', 'html { font-size: 10px } .r { font-size: 2rem; font-variant: small-caps }', true), 'R[EM:14px]', 'rem of the root: 20px → 14px')
  t.equal(text('<p style="font-variant:small-caps">a <small>small</small></p>', '', true), '[A:11px] [SMALL:9px]', 'small is 0.8333em: 13.33px → 9px')
  t.equal(text('<p style="font-variant:small-caps;font-size:calc(1em + 2px)">Calc</p>', '', true), 'C[ALC:0.7em]', 'a size not known here: 0.7em')
})
