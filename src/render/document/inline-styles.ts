/**
 * The `style` attributes of one document, each distinct text parsed once and rewritten for satori
 * once. Cards repeat their inline styles (a template's badges, rows and list items): the dense
 * bench card has 65 style attributes in 11 distinct texts, and parsing each twice (the tree and
 * the small cascades read it) with its rewrite was ~7 ms of its ~100 ms render (cpuprofile).
 */
import styleToJs from 'style-to-js'
import * as csstree from '../../css/css-tree.js'
import type { CssRewriter } from './css-rewrite.js'
import { DEFAULT_ROOT_PX, remToPxStyle } from './root-font-size.js'

/** A style attribute as camelCased declarations; an unparsable one is dropped, as a browser drops it. */
export function parseStyleAttribute(value: string): Record<string, string> {
  let out: Record<string, string>
  try {
    out = styleToJs(value, { reactCompat: true }) as Record<string, string>
  } catch {
    return {}
  }
  return value.includes('--') ? withEmptyCustomProperties(value, out) : out
}

/**
 * `--tw-ring-inset: ;` is a valid custom property whose value is empty (CSS Variables §2), and
 * Tailwind's ring and shadow utilities build on such ones; style-to-js drops a declaration with
 * an empty value, so `var(--tw-ring-inset)` in the same attribute failed and took its whole
 * `box-shadow` with it. They are read back from css-tree's parse of the attribute.
 */
function withEmptyCustomProperties(value: string, parsed: Record<string, string>): Record<string, string> {
  let list: csstree.CssNode
  try {
    list = csstree.parse(value, { context: 'declarationList', parseValue: false, onParseError: () => {} })
  } catch {
    return parsed
  }
  let out = parsed
  csstree.walk(list, {
    visit: 'Declaration',
    enter(node) {
      if (!node.property.startsWith('--') || node.property in out) return
      const raw = node.value.type === 'Raw' ? node.value.value : csstree.generate(node.value)
      if (raw.trim() === '') out = { ...out, [node.property]: ' ' }
    },
  })
  return out
}

export class InlineStyles {
  readonly #parsed = new Map<string, Record<string, string>>()
  readonly #rewritten = new Map<string, Record<string, unknown>>()

  constructor(
    private readonly css: CssRewriter,
    /** The root font size in px, once known: rem in inline styles resolve against it. */
    private readonly rootPx: number,
  ) {}

  /** The declarations of `text`, shared by every element with that text: read, never change. */
  parsed(text: string): Record<string, string> {
    let parsed = this.#parsed.get(text)
    if (!parsed) this.#parsed.set(text, (parsed = parseStyleAttribute(text)))
    return parsed
  }

  /** `text` rewritten for satori with rem resolved: a fresh object, which later stages add to. */
  rewritten(text: string): Record<string, unknown> {
    let rewritten = this.#rewritten.get(text)
    if (!rewritten) {
      const inline = this.css.inline(this.parsed(text))
      rewritten = this.rootPx === DEFAULT_ROOT_PX ? inline : remToPxStyle(inline, this.rootPx)!
      this.#rewritten.set(text, rewritten)
    }
    return { ...rewritten }
  }
}
