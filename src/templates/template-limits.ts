/**
 * What keeps a template and its values from holding the API's event loop: Handlebars parses,
 * compiles and renders on it, and each of those can be made to take seconds by inputs well
 * inside the byte limits (measured on the built server):
 * - nesting: Handlebars' parser is worse than linear in block depth (1,000 nested sections
 *   parse in 130 ms, 3,000 in over a second, 10,000 held the server 61 s and then overflowed
 *   the stack);
 * - expressions: 25,000 `{{a}}` (125 KB) take 0.8 s to compile;
 * - output: eight sections nested over `@root` and a ten-item list render 10^8 bytes (10 s)
 *   before the html size could be checked;
 * - values nested thousands deep overflow the stack of the JSON and merge steps (a 500).
 * The template is read with Handlebars' own lexer (its tokens, not a pattern over the text),
 * which stops at the first limit passed, so the check costs at most a few milliseconds.
 */
import Handlebars from 'handlebars'
import { validationError } from '../errors/catalogue.js'

export interface TemplateShapeLimits {
  /** Sections (and sub-expressions) inside one another (MAX_TEMPLATE_NESTING). */
  nesting: number
  /** `{{…}}` of any kind in one template (MAX_TEMPLATE_EXPRESSIONS). */
  expressions: number
}

interface Lexer {
  setInput(input: string): void
  lex(): number | string | undefined
}

// Handlebars' Jison parser: its lexer and the names of its token ids.
const parser = (Handlebars as unknown as { Parser: { lexer: Lexer; terminals_: Record<number, string> } }).Parser
const TOKEN = Object.fromEntries(Object.entries(parser.terminals_).map(([id, name]) => [name, Number(id)])) as Record<string, number>
const OPENS = new Set(['OPEN_BLOCK', 'OPEN_INVERSE', 'OPEN_RAW_BLOCK', 'OPEN_PARTIAL_BLOCK', 'OPEN_SEXPR'].map((n) => TOKEN[n]))
const CLOSES = new Set(['OPEN_ENDBLOCK', 'END_RAW_BLOCK', 'CLOSE_SEXPR'].map((n) => TOKEN[n]))
const EXPRESSIONS = new Set(
  ['OPEN', 'OPEN_UNESCAPED', 'OPEN_BLOCK', 'OPEN_INVERSE', 'OPEN_INVERSE_CHAIN', 'INVERSE', 'OPEN_ENDBLOCK', 'OPEN_PARTIAL', 'OPEN_PARTIAL_BLOCK', 'OPEN_RAW_BLOCK'].map(
    (n) => TOKEN[n],
  ),
)
const EOF = TOKEN.EOF

/**
 * Why `html` is over a limit, or undefined. A template the lexer cannot read is left to the
 * parser, which reports where.
 */
export function templateShapeProblem(html: string, limits: TemplateShapeLimits): string | undefined {
  parser.lexer.setInput(html)
  let depth = 0
  let expressions = 0
  try {
    for (let token = parser.lexer.lex(); token !== EOF && token !== undefined; token = parser.lexer.lex()) {
      if (OPENS.has(token as number) && ++depth > limits.nesting) {
        return `its sections are nested more than ${limits.nesting} deep (MAX_TEMPLATE_NESTING)`
      }
      if (CLOSES.has(token as number)) depth = Math.max(0, depth - 1)
      if (EXPRESSIONS.has(token as number) && ++expressions > limits.expressions) {
        return `it has more than ${limits.expressions} {{…}} expressions (MAX_TEMPLATE_EXPRESSIONS)`
      }
    }
  } catch {
    return undefined
  } finally {
    parser.lexer.setInput('')
  }
  return undefined
}

/** template_values nested deeper than `max` (MAX_TEMPLATE_VALUES_DEPTH): a 400 naming `path`, before anything recursive reads them. */
export function assertValuesDepth(values: unknown, max: number, path = 'template_values'): void {
  const stack: [unknown, number][] = [[values, 1]]
  while (stack.length) {
    const [value, depth] = stack.pop()!
    if (typeof value !== 'object' || value === null) continue
    if (depth > max) throw validationError([{ path, message: `${path} is nested more than ${max} levels deep (MAX_TEMPLATE_VALUES_DEPTH)` }])
    for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
  }
}

/**
 * The bytes a render writes, counted as it goes: each section's output is counted once, less
 * what the sections inside it already counted, so the total is the html's size so far and a
 * render that would pass `maxBytes` stops there instead of building all of it.
 */
export class OutputBudget {
  #total = 0
  // Bytes counted by the sections inside each section being rendered.
  readonly #inner: number[] = [0]

  constructor(private readonly maxBytes: number) {}

  /** `fn` renders one section (one item of a list, or its inverse). */
  section(fn: () => string): string {
    this.#inner.push(0)
    let out: string
    try {
      out = fn()
    } catch (err) {
      this.#inner.pop()
      throw err
    }
    const inner = this.#inner.pop()!
    this.#total += out.length - inner
    this.#inner[this.#inner.length - 1]! += out.length
    this.#check(this.#total)
    return out
  }

  /** The whole render's output: refused on its length before anything reads its characters. */
  whole(out: string): string {
    this.#check(out.length)
    return out
  }

  #check(length: number): void {
    // UTF-16 length: never more than the UTF-8 bytes, so past the limit in length is past it in bytes.
    if (length > this.maxBytes) {
      throw validationError([{ path: 'template_values', message: `filling the template writes more than ${this.maxBytes} bytes of html (MAX_HTML_BYTES)` }])
    }
  }
}
