/**
 * Handlebars, the hosted API's template dialect, with the parts that let a template or its
 * values do more than fill in text switched off:
 * - an isolated environment (Handlebars.create()), so nothing registered elsewhere leaks in;
 * - no helpers: `knownHelpersOnly` with every built-in marked unknown makes `{{#if}}`,
 *   `{{#each}}`, `{{lookup}}`, `{{log}}` and any `{{name arg}}` a compile error, reported when
 *   the template is saved; plain sections (`{{#items}}…{{/items}}`) still iterate and test;
 * - no prototype access (Handlebars' default since 4.6, stated here so an upgrade cannot drop
 *   it): `{{constructor}}` or `{{__proto__}}` render empty;
 * - values are data: `{{x}}` is HTML-escaped, only an author's `{{{x}}}` inserts raw markup;
 *   a value that is missing renders empty.
 * Each version compiles once; compiled templates live in a bounded LRU. Nesting, the number of
 * expressions and the html a render writes are bounded (template-limits.ts): all of it runs on
 * the API's event loop.
 */
import Handlebars from 'handlebars'
import { LRUCache } from 'lru-cache'
import { AppError, validationError } from '../errors/catalogue.js'
import { OutputBudget, templateShapeProblem, type TemplateShapeLimits } from './template-limits.js'

const NO_HELPERS = {
  helperMissing: false,
  blockHelperMissing: false,
  each: false,
  if: false,
  unless: false,
  with: false,
  log: false,
  lookup: false,
} as const

// The option types as the package declares them, whatever it names them.
type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>
type RuntimeOptions = NonNullable<Parameters<ReturnType<typeof Handlebars.compile>>[1]>
type Program = ReturnType<typeof Handlebars.parse>
type HelperOptions = Handlebars.HelperOptions

const COMPILE: CompileOptions = { knownHelpersOnly: true, knownHelpers: NO_HELPERS, strict: false, noEscape: false }
const RUNTIME: RuntimeOptions = { allowProtoMethodsByDefault: false, allowProtoPropertiesByDefault: false, helpers: {}, partials: {} }

export interface CompiledTemplate {
  render(values: Record<string, unknown>): string
  /** Handlebars' own function: compiles on its first call, errors as Handlebars throws them. */
  raw(values: Record<string, unknown>): string
  /** Top-level names the template reads (`{{title}}`, `{{#items}}`), to tell values from render options. */
  variables: ReadonlySet<string>
}

/** The names a template reads at its top level (first path segment of each expression). */
function variablesOf(program: Program): Set<string> {
  const names = new Set<string>()
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return
    const n = node as { type?: string; path?: { type?: string; parts?: string[]; data?: boolean }; params?: unknown[] }
    if (n.path?.type === 'PathExpression' && !n.path.data && n.path.parts?.[0]) names.add(n.path.parts[0])
    if (n.type === 'PathExpression') {
      const p = n as { parts?: string[]; data?: boolean }
      if (!p.data && p.parts?.[0]) names.add(p.parts[0])
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit)
      else if (value && typeof value === 'object') visit(value)
    }
  }
  visit(program)
  return names
}

export interface TemplateEngineOptions {
  cacheSize: number
  shape: TemplateShapeLimits
  /** The most html one render may write (MAX_HTML_BYTES). */
  outputBytes: number
}

export class TemplateEngine {
  readonly #env = Handlebars.create()
  readonly #cache: LRUCache<string, CompiledTemplate>
  // Handlebars' own section logic (true/false/list/object), which the budget wraps.
  readonly #sections = this.#env.helpers.blockHelperMissing as (this: unknown, context: unknown, options: HelperOptions) => string

  constructor(private readonly options: TemplateEngineOptions) {
    this.#cache = new LRUCache({ max: Math.max(1, options.cacheSize) })
  }

  /**
   * Compiles for real (Handlebars compiles lazily on first call), so a template that would fail
   * fails when it is saved, with Handlebars' own message (line and column included).
   */
  check(html: string): { ok: true; variables: ReadonlySet<string> } | { ok: false; message: string } {
    const problem = templateShapeProblem(html, this.options.shape)
    if (problem) return { ok: false, message: problem }
    try {
      const compiled = this.#compile(html)
      compiled.raw({})
      return { ok: true, variables: compiled.variables }
    } catch (err) {
      return { ok: false, message: String((err as Error).message).replace(/\s+/g, ' ').replace('You specified knownHelpersOnly, but used the unknown helper', 'template helpers are not available:').trim() }
    }
  }

  /** The compiled template of one version, compiled on first use. */
  get(key: string, html: string): CompiledTemplate {
    let compiled = this.#cache.get(key)
    if (!compiled) {
      // A version saved under higher limits: refused before the parser can hold the event loop.
      const problem = templateShapeProblem(html, this.options.shape)
      if (problem) throw validationError([{ path: 'template_id', message: `the template cannot be rendered: ${problem}` }])
      compiled = this.#compile(html)
      this.#cache.set(key, compiled)
    }
    return compiled
  }

  /** Parses and compiles `html`, already read by templateShapeProblem. */
  #compile(html: string): CompiledTemplate {
    const ast = this.#env.parse(html)
    const fn = this.#env.compile(ast, COMPILE)
    return { render: (values) => this.#render(fn, values), raw: (values) => fn(values, RUNTIME), variables: variablesOf(ast) }
  }

  /**
   * One render with its own output budget: every section (`{{#list}}`, `{{^x}}`) goes through
   * Handlebars' section logic with its bodies counted. A value Handlebars cannot print (an object
   * whose `toString` is a string, from JSON) is the values' fault: a 400, not a 500.
   */
  #render(fn: (values: unknown, options: RuntimeOptions) => string, values: Record<string, unknown>): string {
    const budget = new OutputBudget(this.options.outputBytes)
    const sections = this.#sections
    const helpers = {
      blockHelperMissing(this: unknown, context: unknown, options: HelperOptions) {
        const { fn: body, inverse } = options
        const counted = { ...options, fn: (c: unknown, o?: unknown) => budget.section(() => body(c, o as never)), inverse: (c: unknown, o?: unknown) => budget.section(() => inverse(c, o as never)) }
        return sections.call(this, context, counted as HelperOptions)
      },
    }
    try {
      // The sections are counted as they render; what lies outside them (`{{{x}}}` 2000 times
      // over a 64 KB value) is counted here, on the rope's length, which V8 knows without
      // flattening it: the first byte count would have built the whole string (262 MB for that one).
      return budget.whole(fn(values, { ...RUNTIME, helpers }))
    } catch (err) {
      if (err instanceof AppError) throw err
      throw validationError([{ path: 'template_values', message: `the template could not be filled with these values (${(err as Error).message})` }])
    }
  }
}
