/**
 * Thai, Lao, Khmer and Myanmar text gets a ZERO WIDTH SPACE between dictionary words, where
 * lines may wrap, so that satori breaks it where Chromium does; other text is untouched. Checked
 * on strings, on the built tree and on rendered pixels.
 */
import t from 'tap'
import { withDictionaryBreaks, ZWSP } from '../../../src/render/document/dictionary-breaks.js'
import { htmlToTree, type SatoriChild } from '../../../src/render/document/html-to-tree.js'
import { userAgentCssFor } from '../../../src/render/document/user-agent-css.js'
import { createRenderer } from '../../../src/render/pipeline.js'
import { decodePng, pixel, renderJob } from '../../helper.js'

const THAI = 'ยินดีต้อนรับสู่งานประชุมนักพัฒนาประจำปี มีการบรรยายกว่า 300 หัวข้อ'
const shown = (s: string) => s.replaceAll(ZWSP, '|')

t.test('a mark between the dictionary words of SA runs, nowhere else', async (t) => {
  t.equal(shown(withDictionaryBreaks(THAI)), 'ยินดี|ต้อนรับ|สู่|งาน|ประชุม|นัก|พัฒนา|ประจำ|ปี มี|การ|บรรยาย|กว่า 300 หัวข้อ', 'Thai: not beside a space or a digit')
  t.equal(shown(withDictionaryBreaks('ພາສາລາວເປັນພາສາທີ່ສວຍງາມ')), 'ພາສາ|ລາວ|ເປັນ|ພາສາ|ທີ່|ສວຍງາມ', 'Lao')
  t.equal(shown(withDictionaryBreaks('ភាសាខ្មែរគឺជាភាសាផ្លូវការ')), 'ភាសាខ្មែរ|គឺជា|ភាសាផ្លូវការ', 'Khmer')
  t.equal(shown(withDictionaryBreaks('မြန်မာဘာသာစကားသည်လှပသည်')), 'မြန်မာဘာသာ|စကား|သည်|လှပ|သည်', 'Myanmar')
  t.equal(shown(withDictionaryBreaks('ราคา300บาท (ลด50%) ฿1,200')), 'ราคา300บาท (ลด50%) ฿1,200', 'digits, brackets and signs keep UAX #14 as before')
  t.equal(shown(withDictionaryBreaks('Vellum ยินดีต้อนรับ!')), 'Vellum ยินดี|ต้อนรับ!', 'Latin beside Thai')
})

t.test('text without SA characters is returned as it is, byte for byte', async (t) => {
  for (const text of ['Hello world, a long English sentence.', 'नमस्ते, आज का मौसम', '東京都の天気', 'שלום עולם 09:30', 'Ünïcödé ✓ 👩🏽‍💻', '', '   \n  ', ZWSP]) {
    t.equal(withDictionaryBreaks(text), text, JSON.stringify(text))
  }
})

t.test('marks fall between grapheme clusters only, and are the only change', async (t) => {
  const graphemes = new Intl.Segmenter('th', { granularity: 'grapheme' })
  const samples = [
    THAI,
    'สวัสดีครับ ยินดีต้อนรับสู่กรุงเทพมหานคร น้ำท่วมขังถนนหลายสายหลังฝนตกหนักตั้งแต่เมื่อคืนนี้',
    'ผู้เข้าร่วมงานสามารถลงทะเบียนล่วงหน้าผ่านเว็บไซต์ได้ตั้งแต่วันนี้ ดีๆ ไปไหนมาฯ กำลังจะทำ',
    'ພາສາລາວເປັນພາສາທີ່ສວຍງາມ ຂ້ອຍຮັກເຈົ້າຫລາຍໆ',
    'ភាសាខ្មែរគឺជាភាសាផ្លូវការរបស់ព្រះរាជាណាចក្រកម្ពុជា ស្ត្រីខ្មែរ',
    'မြန်မာဘာသာစကားသည်လှပသည် ကျွန်တော်မြန်မာစကားပြောတတ်ပါသည်',
  ]
  for (const text of samples) {
    const out = withDictionaryBreaks(text)
    t.equal(out.replaceAll(ZWSP, ''), text, 'removing the marks gives the text back')
    t.ok(out.length > text.length, `marks in ${text.slice(0, 12)}…`)
    const clusterStarts = new Set([...graphemes.segment(text)].map((g) => g.index))
    let offset = 0
    for (let i = 0; i < out.length; i++) {
      if (out[i] !== ZWSP) continue
      const at = i - offset++
      if (!clusterStarts.has(at)) t.fail(`a mark inside a cluster at ${at} of ${text}`)
    }
  }
})

t.test('long runs are segmented in windows with the result of one call', async (t) => {
  const words = new Intl.Segmenter('th', { granularity: 'word' })
  const sentences = [
    'ผู้เข้าร่วมงานสามารถลงทะเบียนล่วงหน้าผ่านเว็บไซต์ได้ตั้งแต่วันนี้ราคาพิเศษสำหรับนักศึกษาและสมาชิกชมรม',
    'ข่าวสารล่าสุดเกี่ยวกับเทคโนโลยีปัญญาประดิษฐ์ในประเทศไทยน้ำท่วมขังถนนหลายสายหลังฝนตกหนักตั้งแต่เมื่อคืนนี้',
    'မြန်မာဘာသာစကားသည်လှပသည်ကျွန်တော်မြန်မာစကားပြောတတ်ပါသည်',
  ]
  for (const sentence of sentences) {
    const run = sentence.repeat(4000 / sentence.length) // thousands of characters without a space
    const once = [...words.segment(run)].map((s) => s.segment).join(ZWSP)
    const windowed = withDictionaryBreaks(run)
    // Not t.equal: a failure would print the whole run twice.
    t.ok(windowed === once, `${run.length} characters: the marks of segmenting the whole run at once (${windowed.length - run.length} vs ${once.length - run.length})`)
  }
})

const limits = { elements: 5000, depth: 200 }

/** The text of the tree built for `html`, marks shown as `|`. */
function treeText(html: string, css = ''): string {
  const { root } = htmlToTree(html, { userAgentCss: userAgentCssFor, authorCss: css, limits })
  let text = ''
  const walk = (node: SatoriChild): void => {
    if (typeof node === 'string') {
      text += node
      return
    }
    if (node.type === 'style') return
    const children = node.props.children
    for (const child of Array.isArray(children) ? children : children === undefined ? [] : [children]) walk(child)
  }
  walk(root)
  return shown(text)
}

const WORDS = 'ยินดีต้อนรับ'
const MARKED = 'ยินดี|ต้อนรับ'

t.test('where lines may wrap, by the cascade', async (t) => {
  t.equal(treeText(`<p>${WORDS}</p>`), MARKED, 'plain text, no lang')
  t.equal(treeText(`<p lang="en">${WORDS}</p>`), MARKED, 'whatever the lang, as Chromium')
  t.equal(treeText(`<p style="white-space:nowrap">${WORDS}</p>`), WORDS, 'nowrap inline style')
  t.equal(treeText(`<div style="white-space:nowrap"><p><b>${WORDS}</b></p></div>`), WORDS, 'nowrap inherited')
  t.equal(treeText(`<p class="n">${WORDS}</p>`, '.n { white-space: nowrap }'), WORDS, 'nowrap by a rule')
  t.equal(treeText(`<p class="n">${WORDS}</p>`, '.n { text-wrap: nowrap }'), WORDS, 'text-wrap: nowrap')
  t.equal(treeText(`<p class="n">${WORDS}</p>`, 'p { white-space: nowrap } .n { white-space: normal }'), MARKED, 'a more specific rule wraps again')
  t.equal(treeText(`<div style="white-space:nowrap"><p style="white-space:normal">${WORDS}</p></div>`), MARKED, 'normal inside nowrap')
  t.equal(treeText(`<pre>${WORDS}</pre>`), WORDS, '<pre>')
  t.equal(treeText(`<p style="white-space:pre">${WORDS}</p>`), WORDS, 'white-space: pre')
  t.equal(treeText(`<pre>${WORDS}</pre>`, 'pre { white-space: pre-wrap }'), MARKED, 'a <pre> made pre-wrap')
  t.equal(treeText(`<p style="white-space:pre-line">${WORDS}</p>`), MARKED, 'pre-line')
  t.equal(treeText(`<nobr>${WORDS}</nobr>`), WORDS, '<nobr>')
  t.equal(treeText(`<table><tr><td nowrap>${WORDS}</td><td>${WORDS}</td></tr></table>`), `${WORDS}${MARKED}`, '<td nowrap>, and its neighbour')
  t.equal(treeText(`<p class="n">${WORDS}</p>`, '@media (min-width: 1px) { .n { white-space: nowrap } }'), MARKED, 'a nowrap rule that may not apply: marked (satori keeps nowrap lines whole itself)')
})

t.test('not where satori breaks SA text itself or would space the marks', async (t) => {
  t.equal(treeText(`<p style="word-break:keep-all">${WORDS}</p>`), WORDS, 'keep-all (satori breaks at Intl.Segmenter words; Chromium breaks SA text there too)')
  t.equal(treeText(`<div style="word-break:break-all"><p>${WORDS}</p></div>`), WORDS, 'break-all, inherited')
  t.equal(treeText(`<p style="word-break:break-word">${WORDS}</p>`), MARKED, 'break-word')
  t.equal(treeText(`<p class="s">${WORDS}</p>`, '.s { letter-spacing: 2px }'), WORDS, 'letter-spacing')
  t.equal(treeText(`<p class="s">${WORDS}</p>`, '.s { letter-spacing: 0 }'), MARKED, 'letter-spacing: 0')
  t.equal(treeText(`<p style="font-variant:small-caps">Thai ${WORDS}</p>`), `THAI ${MARKED}`, 'small caps keep the marks')
})

t.test('a Thai paragraph wraps inside its box instead of overflowing it', async (t) => {
  const renderer = createRenderer()
  const text = 'ผู้เข้าร่วมงานสามารถลงทะเบียนล่วงหน้าผ่านเว็บไซต์ได้ตั้งแต่วันนี้'
  const page = (style: string) =>
    `<div style="width:400px;background:#fff"><p lang="th" style="width:200px;margin:0;font:20px sans-serif;color:#000;${style}">${text}</p></div>`
  /** The lines of ink left of x = 204 (bands of rows apart by more than a mark's gap), and whether any ink lies right of it. */
  const ink = async (style: string) => {
    const png = decodePng(Buffer.from((await renderer.render(renderJob(page(style)))).png))
    let lines = 0
    let lastInk = -Infinity
    let beyond = false
    for (let y = 0; y < png.height; y++) {
      let row = false
      for (let x = 0; x < png.width; x++) {
        if (pixel(png, x, y)[0] >= 128) continue
        if (x >= 204) beyond = true
        else row = true
      }
      if (!row) continue
      if (y - lastInk > 4) lines++
      lastInk = y
    }
    return { lines, beyond, height: png.height }
  }
  const wrapped = await ink('')
  t.notOk(wrapped.beyond, 'no ink right of the 200px box')
  t.ok(wrapped.lines >= 3, `${wrapped.lines} lines`)
  const nowrap = await ink('white-space:nowrap')
  t.ok(nowrap.beyond, 'with white-space: nowrap it still overflows, as in Chromium')
  t.ok(nowrap.height < wrapped.height, 'on one line')
})
