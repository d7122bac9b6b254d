/**
 * Right-to-left and mixed text is ordered by UAX #9 (bidi-js): the rule-L2 reordering, the
 * marks that keep satori's own per-line reordering of text alone right, the rebuilt inline
 * content of right-to-left blocks, the right-to-left runs set apart in left-to-right inline
 * content, the direction cascade and the marker of right-to-left list items. Checked on strings,
 * on the built tree and on pixels.
 */
import t from 'tap'
import { PNG } from 'pngjs'
import { htmlToTree, type SatoriChild, type SatoriElement } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { embeddingLevels, firstStrongDirection, markNeutrals, rightToLeftRuns, visualOrder } from '../../../src/render/document/bidi.js'
import { reorderInline, RUN_TAG } from '../../../src/render/document/bidi-inline.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { renderJob } from '../../helper.js'

const limits = { elements: 5000, depth: 200 }
const LRM = '\u200e'

/** `text` in visual order, left to right, by UAX #9 levels and rule L2 (one line). */
function visual(text: string, base: 'ltr' | 'rtl'): string {
  const levels = embeddingLevels(text, base)
  return visualOrder([...text].map((ch, i) => ({ ch, level: levels[i]! })))
    .map((c) => c.ch)
    .join('')
}

/** Texts of an element's items in the order satori draws them (a right-to-left row: from the right). */
function itemTexts(items: SatoriElement[]): string[] {
  const textOf = (n: SatoriChild): string => {
    if (typeof n === 'string') return n
    const c = n.props.children
    return (Array.isArray(c) ? c : c === undefined ? [] : [c]).map(textOf).join('')
  }
  return items.map((i) => textOf(i).replace(/\u00a0/g, '_').replace(/[\u200e\u200f]/g, ''))
}

function body(html: string, css = ''): SatoriElement {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  return (root.props.children as SatoriElement[]).find((c) => c.type === 'body')!
}
const first = (el: SatoriElement) => (el.props.children as SatoriElement[])[0]!

t.test('UAX #9 levels and rule L2 (strings from the algorithm’s own examples)', async (t) => {
  // Capitals stand for right-to-left letters in UAX #9's examples; here real Hebrew letters.
  t.equal(visual('car means מכונית.', 'ltr'), 'car means תינוכמ.', 'L paragraph, R word reversed in place')
  t.equal(visual('מכונית means car.', 'rtl'), '.means car תינוכמ', 'R paragraph: the L run keeps its order, the period at the left')
  t.equal(visual('בשעה 09:30', 'rtl'), '09:30 העשב', 'W4: 09:30 stays left to right in a right-to-left line')
  t.equal(visual('מחיר ₪120', 'rtl'), '₪120 ריחמ', 'W5: the currency sign goes with its number')
  t.same(visualOrder([{ level: 1, id: 'a' }, { level: 2, id: 'b' }, { level: 2, id: 'c' }, { level: 1, id: 'd' }]).map((x) => x.id), ['d', 'b', 'c', 'a'])
  t.equal(firstStrongDirection('  12 שלום abc'), 'rtl')
  t.equal(firstStrongDirection('12 — abc שלום'), 'ltr')
  t.equal(firstStrongDirection('123'), 'ltr', 'no strong character: left to right')
})

t.test('marks: a neutral UAX #9 puts left to right gets a LEFT-TO-RIGHT MARK, nothing else does', async (t) => {
  t.equal(markNeutrals('בשעה 09:30'), `בשעה 09:${LRM}30`)
  t.equal(markNeutrals('מחיר: ₪120'), `מחיר: ₪${LRM}120`, 'the colon after Hebrew stays right to left')
  t.equal(markNeutrals('12/06/2026 בבוקר'), `12/${LRM}06/${LRM}2026 בבוקר`)
  t.equal(markNeutrals('שלום, עולם.'), 'שלום, עולם.', 'punctuation of right-to-left text: untouched (same string)')
  t.equal(markNeutrals('אימייל a@b.com 😀!'), `אימייל a@${LRM}b.${LRM}com 😀!`, 'an emoji is never split')
  t.equal(markNeutrals('plain text'), 'plain text')
})

t.test('inline content of a right-to-left block becomes a right-to-left flex row of words', async (t) => {
  const p = first(body('<p dir="rtl">שלום <b>big world</b> עולם 12 x</p>'))
  t.match(p.props.style, { display: 'flex', flexDirection: 'row', flexWrap: 'wrap', alignItems: 'baseline', justifyContent: 'flex-start' })
  const items = p.props.children as SatoriElement[]
  // Drawn from the right: שלום; the run "big world" (turned around: world first); עולם; then
  // 12 and x, which a space at the paragraph's level keeps apart: "x 12 עולם big world שלום".
  t.same(itemTexts(items), ['שלום_', '_world', 'big', '_עולם_', '12', '_', 'x'])
  t.equal(items.every((i) => i.type === RUN_TAG), true, 'every item is a run (no author selector matches it)')
  const b = items.find((i) => itemTexts([i])[0]!.includes('big'))!
  t.equal((b.props.style as Record<string, string>).direction, 'ltr')
  t.equal(first(b).type, 'b', 'the word keeps its inline element')
  t.match(first(b).props.style, { display: 'flex' })
})

t.test('reorderInline: logical order of right-to-left words, left-to-right runs turned around', async (t) => {
  const items = reorderInline(['אחת ', { type: 'b', props: { children: 'one two' } }, ' שתיים'])!
  t.same(itemTexts(items), ['אחת_', '_two', 'one', '_שתיים'])
  t.same(
    items.map((i) => (i.props.style as Record<string, string>).direction),
    ['rtl', 'ltr', 'ltr', 'rtl'],
  )
  t.equal(reorderInline(['text alone']), null, 'text alone is left to satori')
  t.equal(reorderInline(['a', { type: 'div', props: { children: 'block' } }]), null, 'a block child: not inline content')
  const withBreak = reorderInline(['א ב', { type: 'br', props: {} }, 'ג'])!
  t.same(itemTexts(withBreak), ['א', '_ב', '', 'ג'], 'a break ends the line (a full-width item)')
})

t.test('direction: dir, dir="auto", CSS direction (author rules beat the attribute), inherited', async (t) => {
  const isRow = (el: SatoriElement) => (el.props.style as Record<string, string> | undefined)?.flexDirection === 'row'
  const inherited = first(first(body('<div dir="rtl"><p>שלום <b>x</b></p></div>')))
  t.ok(isRow(inherited), 'inherited from dir on an ancestor')
  t.ok(isRow(first(body('<p class="r">שלום <b>x</b></p>', '.r { direction: rtl }'))), 'a rule')
  t.notOk(isRow(first(body('<p dir="rtl" class="l">שלום <b>x</b></p>', '.l { direction: ltr }'))), 'an author rule beats dir')
  const auto = first(body('<p dir="auto">  שלום <b>x</b></p>'))
  t.equal(auto.props.dir, 'rtl', 'dir=auto resolved from the first strong character, for satori')
  t.ok(isRow(auto))
  t.equal(first(body('<p dir="auto">hello שלום</p>')).props.dir, 'ltr')
  t.notOk(isRow(first(body('<p>hello <b>שלום</b></p>'))), 'left-to-right blocks are left to satori')
  const pre = first(body('<pre dir="rtl">שלום <b>x</b></pre>'))
  t.notOk(isRow(pre), 'preserved whitespace: left alone')
  t.same(first(body('<p dir="rtl">בשעה 09:30</p>')).props.children, [`בשעה 09:${LRM}30`], 'text alone: marked')
})

t.test('text-align of a right-to-left row', async (t) => {
  const justify = (css: string) => (first(body(`<p dir="rtl" class="a">שלום <b>x</b></p>`, css)).props.style as Record<string, string>).justifyContent
  t.equal(justify(''), 'flex-start', 'start is the right')
  t.equal(justify('.a { text-align: center }'), 'center')
  t.equal(justify('.a { text-align: left }'), 'flex-end')
  t.equal(justify('body { text-align: end }'), 'flex-end', 'inherited')
})

t.test('right-to-left list items: a marker item first (at the right), numbers counted', async (t) => {
  const lists = body('<ul dir="rtl"><li>א</li></ul><ol dir="rtl" start="3"><li>א</li><li>ב</li></ol><ul dir="rtl" style="list-style: none"><li>א</li></ul>')
  const [ul, ol, none] = lists.props.children as SatoriElement[]
  const li = first(ul!)
  const items = li.props.children as SatoriElement[]
  t.equal(items[0]!.type, 'vellum-bidi-marker')
  t.match(first(items[0]!).props.style, { borderRadius: '50%', backgroundColor: 'currentColor' }, 'a disc')
  const second = (ol!.props.children as SatoriElement[])[1]!
  t.same(itemTexts([(second.props.children as SatoriElement[])[0]!]), ['4._'], 'the second item of an ol starting at 3')
  t.equal(itemTexts((first(none!).props.children as SatoriElement[])).length, 1, 'list-style none: no marker item')
})

t.test('pixels: inline elements and numbers land where the bidi algorithm puts them', async (t) => {
  const renderer = createRenderer()
  const png = async (html: string) => PNG.sync.read(Buffer.from((await renderer.render(renderJob(html, { selector: 'p' }))).png))
  /** Mean x of the pixels of one pure colour. */
  const meanX = (img: PNG, rgb: [number, number, number]) => {
    let sum = 0
    let n = 0
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const i = (img.width * y + x) * 4
        if (Math.abs(img.data[i]! - rgb[0]) < 40 && Math.abs(img.data[i + 1]! - rgb[1]) < 40 && Math.abs(img.data[i + 2]! - rgb[2]) < 40) {
          sum += x
          n++
        }
      }
    }
    return n ? sum / n : NaN
  }
  const style = 'width:400px;margin:0;font-size:30px;color:#000'
  const img = await png(`<p dir="rtl" style="${style}"><span style="color:#f00">שלום</span> <b style="color:#00f">big</b> <span style="color:#0a0">world</span> עולם</p>`)
  const red = meanX(img, [255, 0, 0])
  const blue = meanX(img, [0, 0, 255])
  const green = meanX(img, [0, 170, 0])
  t.ok(red > green && green > blue, `the first Hebrew word at the right, then the Latin run left to right (red ${red}, green ${green}, blue ${blue})`)
  t.ok(red > 300, 'the line starts at the right edge')

  // Text alone (satori's own per-line reordering, kept right by the marks) and the same text
  // rebuilt as inline content (an empty <b> makes it so: items ordered here by UAX #9) are two
  // independent paths: they draw the same picture, 09:30 and 12/06 in left-to-right order.
  const alone = await png(`<p dir="rtl" style="${style}">בשעה 09:30 עד 12/06</p>`)
  const rebuilt = await png(`<p dir="rtl" style="${style}">בשעה 09:30 עד 12/06<b></b></p>`)
  t.same([alone.width, alone.height], [rebuilt.width, rebuilt.height])
  let differing = 0
  for (let i = 0; i < alone.data.length; i += 4) if (Math.abs(alone.data[i]! - rebuilt.data[i]!) > 64) differing++
  // The paths place words within a pixel of each other (a space is a flex gap in one, a glyph
  // advance in the other), so anti-aliased edges differ; the digits written swapped differ by far more.
  const swapped = await png(`<p dir="rtl" style="${style}">בשעה 30:09 עד 06/12<b></b></p>`)
  let changed = 0
  for (let i = 0; i < alone.data.length; i += 4) if (Math.abs(alone.data[i]! - swapped.data[i]!) > 64) changed++
  t.ok(differing * 3 < changed, `the two paths agree (${differing} edge pixels differ) far better than swapped digits (${changed})`)
})

t.test('inline children by the cascade: a box of its own stays whole, a block leaves the line to satori', async (t) => {
  const p = first(body('<p dir="rtl">שלום <span class="tag">שני מילים</span> עולם <i>x y</i></p>', '.tag { background: #fc0; padding: 0 4px }'))
  const items = p.props.children as SatoriElement[]
  t.same(itemTexts(items), ['שלום_', 'שני מילים', '_עולם_', '_y', 'x'], 'the decorated span is one item; the <i> is split into words')
  t.same(items.map((i) => (typeof first(i) === 'string' ? 'text' : first(i).type)), ['text', 'span', 'text', 'i', 'i'])
  t.notOk((first(items[1]!).props.style as Record<string, string> | undefined)?.display, 'the whole span keeps its own display')
  const blocky = first(body('<p dir="rtl">שלום <span class="b">x</span></p>', '.b { display: block }'))
  t.notOk((blocky.props.style as Record<string, string> | undefined)?.flexDirection, 'a block-level child: the paragraph is left to satori')
  const badge = first(body('<p dir="rtl">שלום <span style="display:inline-block">בשעה 09:30</span></p>'))
  const inline = (badge.props.children as SatoriElement[])[1]!
  t.same(first(inline).props.children, [`בשעה 09:${LRM}30`], 'an inline-block is one item, its text marked as text alone')
})

t.test('white-space: nowrap keeps the rebuilt row on one line', async (t) => {
  const wrap = (html: string, css = '') => (first(body(html, css)).props.style as Record<string, string>).flexWrap
  t.equal(wrap('<p dir="rtl">שלום <b>x</b></p>'), 'wrap')
  t.equal(wrap('<p dir="rtl" style="white-space: nowrap">שלום <b>x</b></p>'), 'nowrap')
  t.equal(wrap('<p dir="rtl" class="n">שלום <b>x</b></p>', 'body { white-space: nowrap }'), 'nowrap', 'inherited')
})

t.test('characters outside the BMP (emoji) are neutral, not two strong left-to-right halves', async (t) => {
  t.same([...embeddingLevels('א 👍🏽 x', 'rtl')], [1, 1, 1, 1, 1, 1, 1, 2], 'the emoji and its skin tone take the level around them')
  const items = reorderInline(['😀 שלום 👍🏽 ', { type: 'b', props: { children: 'x' } }])!
  t.same(itemTexts(items), ['😀', '_שלום', '_👍🏽_', 'x'], 'drawn from the right in logical order, the Latin word last')
})

t.test('inline SVG, q and elements with generated content are one item each', async (t) => {
  const kinds = (html: string, css = '') =>
    (first(body(html, css)).props.children as SatoriElement[]).map((i) => (typeof first(i) === 'string' ? 'text' : first(i).type))
  t.same(kinds('<p dir="rtl">שלום <svg width="10" height="10"><rect width="10" height="10"/></svg> עולם</p>'), ['text', 'svg', 'text'])
  t.same(kinds('<p dir="rtl">שלום <q>שני מילים</q></p>'), ['text', 'q'])
  t.same(kinds('<p dir="rtl">שלום <i class="h">שני מילים</i></p>', '.h::before { content: "#" }'), ['text', 'i'])
  t.same(kinds('<p dir="rtl">שלום <i>שני מילים</i></p>', '.h::before { content: "#" }'), ['text', 'i', 'i'], 'without it: cut into words')
})

t.test('a right-to-left table cell is rebuilt inside the wrapper that places it vertically', async (t) => {
  const table = first(body('<table dir="rtl"><tr><th>שלום <b>x</b></th><td>בשעה 09:30</td></tr></table>'))
  const row = first(first(table))
  const [th, td] = row.props.children as SatoriElement[]
  t.match(th!.props.style, { display: 'flex', flexDirection: 'column' }, 'the cell still centres its content')
  t.match(first(th!).props.style, { display: 'flex', flexDirection: 'row', justifyContent: 'center' }, 'the wrapper is the row (th centres)')
  t.same(first(td!).props.children, [`בשעה 09:${LRM}30`], 'text alone in a cell: marked')
})

t.test('rightToLeftRuns: the runs of left-to-right text, neutrals at the paragraph level outside them', async (t) => {
  const runs = (text: string) => rightToLeftRuns(text)?.map((r) => (r.embedded ? `[${r.text}]` : r.text))
  t.same(runs('Hello שלום world'), ['Hello ', '[שלום]', ' world'], 'the spaces on both sides stay left-to-right text')
  t.same(runs(' مرحبا بكم ok'), [' ', '[مرحبا بكم]', ' ok'], 'words of the script and the space between them: one run, shaped right to left')
  t.same(runs('(שלום)'), ['(', '[שלום]', ')'], 'brackets around the run take the paragraph’s direction (N0)')
  t.same(runs('then שלום, עולם and'), ['then ', '[עולם]', ' ', '[,]', '[שלום]', ' and'], 'a comma between two words is inside the run: pieces in visual order')
  t.same(runs(' שלום עולם 123 ok'), [' ', '[123]', ' ', '[שלום עולם]', ' ok'], 'a number inside the run (level 2) at its visual place, left to right')
  t.same(runs('שלום (א) עולם'), ['[עולם]', ' ', '[(]', '[א]', '[)]', ' ', '[שלום]'], 'brackets inside the run are mirrored (L4)')
  t.same(runs(' مرحبا – 2024 – done'), [' ', '[2024]', ' ', '[–]', ' ', '[مرحبا]', ' – done'], 'an Arabic number (W2: AN) belongs to the run, the last dash does not')
  t.same(runs('שלום 👍🏽 עולם'), ['[עולם]', ' ', '[👍🏽]', ' ', '[שלום]'], 'an emoji between two words keeps its sequence (turned around by grapheme)')
  t.same(runs('שלום ?! עולם'), ['[עולם]', ' ', '[!?]', ' ', '[שלום]'], 'neutrals inside the run read right to left')
  t.equal(rightToLeftRuns('plain text 123'), undefined)
  t.equal(rightToLeftRuns('😀 ok'), undefined, 'an emoji alone is no run')
})

t.test('left-to-right inline content: right-to-left runs become inline elements, text alone is left to satori', async (t) => {
  const children = (html: string) => first(body(html)).props.children
  const isolated = (c: SatoriChild) => typeof c === 'object' && c !== null && c.type === 'vellum-bidi-isolate'
  const p = children('<p><b>A:</b> שלום world</p>') as SatoriChild[]
  t.same(p.filter(isolated).map((c) => (c as SatoriElement).props.children), ['שלום'])
  t.match((p.find(isolated) as SatoriElement).props.style, { display: 'inline' })
  t.equal(p.filter((c) => typeof c === 'string').join('|'), ' | world', 'the spaces stay text around the run')
  t.same(children('<p>Hello שלום world</p>'), ['Hello שלום world'], 'text alone: satori’s own bidi ordering, unchanged')
  const li = first(first(body('<ul><li>Item שלום one</li></ul>'))).props.children as SatoriChild[]
  t.ok(Array.isArray(li) && li.some(isolated), 'a list item’s text is inline content (its marker is an inline box)')
  const b = (children('<p>x <b>שלום world</b></p>') as SatoriChild[]).find((c) => typeof c === 'object' && (c as SatoriElement).type === 'b') as SatoriElement
  t.ok((b.props.children as SatoriChild[]).some(isolated), 'an inline element’s own text too')
  const caps = first(body('<p style="font-variant: small-caps">Mix שלום <b>x</b> עולם</p>'))
  const capsText = (caps.props.children as SatoriChild[])[0] as SatoriElement
  t.ok((capsText.props.children as SatoriChild[]).some(isolated), 'small caps: the span made of the text sets its runs apart too')
  const rtl = first(body('<p dir="rtl">שלום <b>world</b> עולם</p>'))
  t.notOk(JSON.stringify(rtl).includes('vellum-bidi-isolate'), 'right-to-left blocks are rebuilt by their own plan')
})

t.test('pixels: a right-to-left word in left-to-right inline content draws as it does in text alone', async (t) => {
  const renderer = createRenderer()
  const png = async (html: string) => PNG.sync.read(Buffer.from((await renderer.render(renderJob(html, { selector: 'p' }))).png))
  const style = 'width:500px;margin:0;font-size:30px;color:#000'
  const differ = (a: PNG, b: PNG) => {
    t.same([a.width, a.height], [b.width, b.height])
    let n = 0
    for (let i = 0; i < a.data.length; i += 4) if (Math.abs(a.data[i]! - b.data[i]!) > 64) n++
    return n
  }
  for (const [script, text, misplaced] of [
    ['Hebrew', 'Hello שלום, עולם world', 'Hello  עולם ,שלוםworld'],
    ['Arabic', 'Hello مرحبا بكم world', 'Hello  مرحبا بكمworld'],
  ] as const) {
    // satori's text alone orders the line by its own bidi; an empty <b> makes the same text inline
    // content, which drew the space after the word before it (the third picture, written out).
    const alone = await png(`<p style="${style}">${text}</p>`)
    const inline = await png(`<p style="${style}">${text}<b></b></p>`)
    const wrong = await png(`<p style="${style}">${misplaced}</p>`)
    const same = differ(alone, inline)
    const changed = differ(alone, wrong)
    t.ok(same * 5 < changed, `${script}: inline content matches text alone (${same} pixels differ) far better than the misplaced space (${changed})`)
  }
})

t.test('an inline box of its own draws its text at the paragraph levels: a percent sign after Arabic digits on their left', async (t) => {
  const box = (text: string): SatoriElement => ({ type: 'span', props: { style: { backgroundColor: '#fee2e2' }, children: text } })
  const byBox = (el: SatoriElement) => (el.type === 'span' ? 'box' : 'split')
  /** The reordered item holding the box: its direction and its text as satori gets it. */
  const drawn = (before: string, text: string, after: string) => {
    const items = reorderInline([before, box(text), after], false, byBox)!
    const item = items.find((i) => first(i).type === 'span')!
    return { direction: (item.props.style as Record<string, string>).direction, text: first(item).props.children }
  }
  // ٢٠ are Arabic numbers (level 2) and ٪ (ET, not next to a European number, W5) is neutral
  // between them and an Arabic word (N1: right to left, level 1): drawn left of the digits, so the
  // box runs right to left. Alone the box's text would start with a number: left to right.
  t.same(drawn('خصم ', '٢٠٪', ' على'), { direction: 'rtl', text: ['٢٠٪'] })
  // After an Arabic word 20 is an Arabic number too (W2): the same, where alone `20%` is all European.
  t.same(drawn('خصم ', '20%', ' على'), { direction: 'rtl', text: ['20%'] })
  // After a Hebrew word 20% stays European (W5 makes the sign one): left to right, the sign marked
  // so that satori's per-piece algorithm keeps it right of the digits.
  t.same(drawn('הנחה ', '20%', ' על'), { direction: 'ltr', text: [`20%${LRM}`] })
  t.same(drawn('خصم ', 'Sale!', ' على'), { direction: 'rtl', text: ['Sale!'] }, 'a neutral at the end of a Latin word in Arabic: right to left, on its left')
  // An inline-block is a paragraph of its own (in the block's direction): ٢٠٪ alone gives the same
  // levels, and 20% alone is European.
  const block = (text: string) => {
    const items = reorderInline(['خصم ', { type: 'span', props: { style: { display: 'inline-block' }, children: text } }, ' على'])!
    const item = items.find((i) => first(i).type === 'span')!
    return { direction: (item.props.style as Record<string, string>).direction, text: first(item).props.children }
  }
  t.same(block('٢٠٪'), { direction: 'rtl', text: ['٢٠٪'] })
  t.same(block('20%'), { direction: 'ltr', text: [`20%${LRM}`] })
})

t.test('pixels: a percent sign in an inline box of its own is where text alone puts it (Chromium: left of the digits)', async (t) => {
  const renderer = createRenderer()
  const png = async (html: string) => PNG.sync.read(Buffer.from((await renderer.render(renderJob(html, { selector: 'p' }))).png))
  const differ = (a: PNG, b: PNG) => {
    let n = 0
    for (let i = 0; i < a.data.length; i += 4) if (Math.abs(a.data[i]! - b.data[i]!) > 64) n++
    return n
  }
  const style = 'width:300px;margin:0;font-size:30px;color:#000'
  // A white background on a white page: the box is one item of the rebuilt row, its pixels text's.
  for (const number of ['٢٠٪', '20%']) {
    const alone = await png(`<p dir="rtl" lang="ar" style="${style}">خصم ${number} على</p>`)
    const boxed = await png(`<p dir="rtl" lang="ar" style="${style}">خصم <span style="background:#fff">${number}</span> على</p>`)
    const block = await png(`<p dir="rtl" lang="ar" style="${style}">خصم <span style="display:inline-block">${number}</span> على</p>`)
    // Text alone draws the sign left of the digits (checked against Chromium in fidelity case 113);
    // the sign written first is drawn on their right, the picture of the digits and sign drawn as
    // one left-to-right item.
    const wrong = await png(`<p dir="rtl" lang="ar" style="${style}">خصم ${number.slice(-1)}${number.slice(0, -1)} على</p>`)
    t.same([boxed.width, boxed.height], [alone.width, alone.height])
    const changed = differ(alone, wrong)
    t.ok(differ(alone, boxed) * 5 < changed, `${number} in a box: as text alone (${differ(alone, boxed)} pixels differ), not the sign on the right (${changed})`)
    if (number === '٢٠٪') t.ok(differ(alone, block) * 5 < changed, `${number} in an inline-block: as text alone (${differ(alone, block)} pixels differ)`)
  }
})
