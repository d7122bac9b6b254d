/**
 * Stage 1b: what laying the tree out will cost satori, estimated in one walk before it starts,
 * and the page refused (422) when that passes the worker's memory budget. Inputs inside every
 * documented limit took a worker to its 2 GB data limit in satori alone: 40,000 characters in
 * one text block, 30,000 emoji, `::before`/`::after` on thousands of elements.
 *
 * The model is linear in what satori creates (boxes, glyphs, emoji pictures, image data copied
 * into the SVG) plus one quadratic term: for every text node satori takes
 * `[...Intl.Segmenter.segment(text)]`, and in Node 20 each segment object it returns keeps a
 * copy of the whole text (measured: 418 MB for the graphemes of a 20,400-character string), so
 * a text node of n characters costs about n² bytes per segmentation. Each constant below was
 * measured in a fresh process (peak RSS over a warmed-up renderer, layout stage alone).
 */
import { SVG_TEXT_RUNS, type SvgTextRun } from '../document/svg-text.js'
import * as csstree from '../../css/css-tree.js'
import { LRUCache } from 'lru-cache'
import type { SatoriElement } from '../document/html-to-tree.js'
import { walkTree } from '../document/tree-walk.js'
import type { RenderLimits } from '../job.js'
import { formatBytes, memoryBudget, overBudget } from './memory-budget.js'

/**
 * Per element or generated box: measured 2,400 inline-block divs +64 MB (27 KB each), 4,800
 * empty `::before`/`::after` boxes on them +117 MB more (24 KB each).
 */
const BYTES_PER_BOX = 32 * 1024
/**
 * Per character laid out (glyph outline written as SVG path text, ~700 bytes of it, and the
 * shaping around it): measured 20,000 / 40,000 / 80,000 characters in 100-character items
 * +83 / +148 / +233 MB.
 */
const BYTES_PER_CHAR = 2.5 * 1024
/**
 * Bytes per character² of one text node. Measured on a single `<p>`: Latin text of 10,000 /
 * 20,000 / 40,000 characters +143 / +545 / +1,886 MB (about 1.1 n²); a two-byte string (the
 * same text after one `é—`) 10,000 characters +270 MB (2.5 n²); CJK, one word a character,
 * 5,000 / 10,000 characters +75 / +330 MB (3.2 n²).
 */
const QUADRATIC_ONE_BYTE = 1.2
const QUADRATIC_TWO_BYTE = 3.2
/** Per emoji (a Twemoji SVG written into the page as an image): measured 3,000 / 6,000 in 50-emoji items +46 / +173 MB. */
const BYTES_PER_EMOJI = 30 * 1024
/** Image data written into the SVG once per use: the string, its flattening and the crop's copy. */
const COPIES_PER_IMAGE_BYTE = 3
const SVG_TEXT_BYTES_PER_CHAR = 500
/**
 * Characters a `counter()` in `content` is taken to produce; an `attr(x)` produces the longest
 * value of `x` on the page, at least this (a 50,000-character attribute counted as 16 ran a
 * worker out of heap after 6 s instead of being refused up front).
 */
const GENERATED_FUNCTION_CHARS = 16
/** GC and allocator slack over the sum (the measured figures above are peaks, not live sizes). */
const HEADROOM = 1.15

const EMOJI = /\p{Extended_Pictographic}/gu
const TWO_BYTE = /[^\u0000-\u00ff]/

export interface LayoutEstimate {
  bytes: number
  boxes: number
  generatedBoxes: number
  chars: number
  longestText: number
  emoji: number
  imageBytes: number
}

/** Which elements a compound selector could match, at most: counts by tag, class and id. */
interface ElementIndex {
  total: number
  tags: Map<string, number>
  classes: Map<string, number>
  ids: Map<string, number>
}

/** A rule that adds boxes (`::before`/`::after` with content) or image data (`url()`) to what it matches. */
interface CostRule {
  /** Per selector of the list: the simple selectors of its subject compound. */
  subjects: Array<Array<{ kind: 'tag' | 'class' | 'id'; name: string }>>
  generated: GeneratedContent | null
  urlBytes: number
}

/** A `content` value: its strings (counters as placeholder text) and the attributes it reads. */
interface GeneratedContent {
  text: string
  attrs: string[]
}

const RULES = new LRUCache<string, CostRule[]>({ maxSize: 4 * 1024 * 1024, sizeCalculation: (_v, k) => k.length || 1 })

function contentText(value: csstree.CssNode): GeneratedContent | null {
  let text = ''
  const attrs: string[] = []
  let any = false
  csstree.walk(value, (node) => {
    if (node.type === 'String') {
      text += node.value
      any = true
    } else if (node.type === 'Function' && /^counters?$/i.test(node.name)) {
      text += 'x'.repeat(GENERATED_FUNCTION_CHARS)
      any = true
    } else if (node.type === 'Function' && /^attr$/i.test(node.name)) {
      const name = node.children.first?.type === 'Identifier' ? node.children.first.name.toLowerCase() : ''
      attrs.push(name)
      any = true
    }
  })
  return any ? { text, attrs } : null
}

/** The rules of a sheet that matter here, parsed once per sheet text (templates repeat theirs). */
function costRules(sheet: string): CostRule[] {
  if (!/before|after|url\(/i.test(sheet)) return []
  const cached = RULES.get(sheet)
  if (cached) return cached
  const rules: CostRule[] = []
  const ast = csstree.parse(sheet, { parseValue: true, parseCustomProperty: false, onParseError: () => {} })
  csstree.walk(ast, {
    visit: 'Rule',
    enter(rule) {
      if (rule.prelude.type !== 'SelectorList') return
      let generated: GeneratedContent | null = null
      let urlBytes = 0
      rule.block.children.forEach((d) => {
        if (d.type !== 'Declaration') return
        if (d.property.toLowerCase() === 'content') generated = contentText(d.value)
        csstree.walk(d.value, (n) => {
          if (n.type === 'Url') urlBytes += n.value.length
        })
      })
      if (generated === null && urlBytes === 0) return
      const subjects: CostRule['subjects'] = []
      let pseudo = false
      rule.prelude.children.forEach((selector) => {
        if (selector.type !== 'Selector') return
        // The subject compound: the simple selectors after the last combinator.
        let compound: CostRule['subjects'][number] = []
        selector.children.forEach((s) => {
          if (s.type === 'Combinator') compound = []
          else if (s.type === 'TypeSelector' && s.name !== '*') compound.push({ kind: 'tag', name: s.name.toLowerCase() })
          else if (s.type === 'ClassSelector') compound.push({ kind: 'class', name: s.name })
          else if (s.type === 'IdSelector') compound.push({ kind: 'id', name: s.name })
          else if ((s.type === 'PseudoElementSelector' || s.type === 'PseudoClassSelector') && /^(before|after)$/i.test(s.name)) pseudo = true
        })
        subjects.push(compound)
      })
      rules.push({ subjects, generated: pseudo ? generated : null, urlBytes })
    },
  })
  RULES.set(sheet, rules)
  return rules
}

/** At most how many elements the rule's selectors match: the rarest simple selector of each subject. */
function matchesAtMost(rule: CostRule, index: ElementIndex): number {
  let sum = 0
  for (const compound of rule.subjects) {
    let n = index.total
    for (const s of compound) {
      const map = s.kind === 'tag' ? index.tags : s.kind === 'class' ? index.classes : index.ids
      n = Math.min(n, map.get(s.name) ?? 0)
    }
    sum += n
  }
  return Math.min(sum, index.total)
}

/** Roughly the length of an element written out as markup (inline SVG becomes a data URI). */
function serializedSize(root: SatoriElement): number {
  let size = 0
  walkTree(root, (node) => {
    if (typeof node === 'string') {
      size += node.length
      return
    }
    size += 2 * node.type.length + 5
    for (const [k, v] of Object.entries(node.props)) {
      if (k === 'children') continue
      if (k === SVG_TEXT_RUNS) {
        // Drawn as outlines before satori writes the SVG: ~475 bytes of path data per character (measured, Roboto).
        for (const run of v as SvgTextRun[]) size += run.text.length * SVG_TEXT_BYTES_PER_CHAR
        continue
      }
      size += k.length + 4 + (typeof v === 'string' ? v.length : typeof v === 'object' && v ? JSON.stringify(v).length : 8)
    }
  })
  return size
}

const quadratic = (text: string) => text.length * text.length * (TWO_BYTE.test(text) ? QUADRATIC_TWO_BYTE : QUADRATIC_ONE_BYTE)
/**
 * The longest value of each of `names` on the page's elements, for what `attr()` in generated
 * content writes. A second walk, run only for sheets that use `attr()` (most pages do not).
 */
function longestAttributes(root: SatoriElement, names: ReadonlySet<string>): Map<string, number> {
  const longest = new Map<string, number>()
  walkTree(root, (node) => {
    if (typeof node === 'string') return
    if (node.type === 'style' || node.type === 'svg') return false
    for (const [k, v] of Object.entries(node.props)) {
      const name = k === 'className' ? 'class' : k.toLowerCase()
      if (typeof v === 'string' && names.has(name)) longest.set(name, Math.max(longest.get(name) ?? 0, v.length))
    }
  })
  return longest
}

export function estimateLayout(root: SatoriElement): LayoutEstimate {
  const index: ElementIndex = { total: 0, tags: new Map(), classes: new Map(), ids: new Map() }
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)
  const sheets: string[] = []
  let chars = 0
  let longestText = 0
  let quad = 0
  let emoji = 0
  let imageBytes = 0
  walkTree(root, (node) => {
    if (typeof node === 'string') {
      chars += node.length
      longestText = Math.max(longestText, node.length)
      quad += quadratic(node)
      if (TWO_BYTE.test(node)) emoji += node.match(EMOJI)?.length ?? 0
      return
    }
    const { props } = node
    if (node.type === 'style') {
      if (typeof props.children === 'string') sheets.push(props.children)
      return false
    }
    index.total++
    bump(index.tags, node.type)
    if (node.type === 'svg') {
      // Inline SVG is not laid out: satori writes it into the page as one image.
      imageBytes += serializedSize(node)
      return false
    }
    if (typeof props.className === 'string') for (const c of props.className.split(/\s+/)) if (c) bump(index.classes, c)
    if (typeof props.id === 'string') bump(index.ids, props.id)
    if (node.type === 'img' && typeof props.src === 'string') imageBytes += props.src.length
    const style = props.style as Record<string, unknown> | undefined
    if (style) for (const v of Object.values(style)) if (typeof v === 'string' && v.includes('url(')) imageBytes += v.length
  })
  let generatedBoxes = 0
  const sheetRules = sheets.map(costRules)
  const attrNames = new Set(sheetRules.flat().flatMap((r) => r.generated?.attrs ?? []))
  const longestAttr = attrNames.size ? longestAttributes(root, attrNames) : new Map<string, number>()
  for (const rules of sheetRules) {
    for (const rule of rules) {
      const n = matchesAtMost(rule, index)
      if (rule.generated !== null) {
        const { text, attrs } = rule.generated
        const length = text.length + attrs.reduce((sum, a) => sum + Math.max(GENERATED_FUNCTION_CHARS, longestAttr.get(a) ?? 0), 0)
        const twoByte = TWO_BYTE.test(text)
        generatedBoxes += n
        chars += n * length
        longestText = Math.max(longestText, length)
        quad += n * length * length * (twoByte ? QUADRATIC_TWO_BYTE : QUADRATIC_ONE_BYTE)
      }
      imageBytes += n * rule.urlBytes
    }
  }
  const boxes = index.total + generatedBoxes
  const bytes =
    (boxes * BYTES_PER_BOX + chars * BYTES_PER_CHAR + quad + emoji * BYTES_PER_EMOJI + imageBytes * COPIES_PER_IMAGE_BYTE) * HEADROOM
  return { bytes: Math.round(bytes), boxes: index.total, generatedBoxes, chars, longestText, emoji, imageBytes }
}

/** Refuses a page whose layout would pass the render's memory budget; returns the estimate otherwise. */
export function guardLayoutCost(root: SatoriElement, limits: Pick<RenderLimits, 'memoryBudgetBytes'>): LayoutEstimate {
  const estimate = estimateLayout(root)
  const budget = memoryBudget(limits)
  if (estimate.bytes <= budget) return estimate
  const drivers = [
    estimate.longestText > 2000 ? `a text of ${estimate.longestText.toLocaleString('en')} characters in one block` : '',
    `${estimate.chars.toLocaleString('en')} characters`,
    `${(estimate.boxes + estimate.generatedBoxes).toLocaleString('en')} boxes` +
      (estimate.generatedBoxes ? ` (${estimate.generatedBoxes.toLocaleString('en')} from ::before/::after)` : ''),
    estimate.emoji ? `${estimate.emoji.toLocaleString('en')} emoji` : '',
    estimate.imageBytes > 1024 * 1024 ? `${formatBytes(estimate.imageBytes)} of image data` : '',
  ].filter(Boolean)
  throw overBudget(
    'lay out',
    estimate.bytes,
    budget,
    drivers.join(', '),
    estimate.longestText > 2000 ? 'Split long text into paragraphs, or send less of it.' : 'Send less text, fewer elements or fewer emoji.',
  )
}
