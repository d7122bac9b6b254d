/**
 * Templates as the hosted API keeps them: ids `t-<uuid>`, immutable versions stamped in epoch
 * milliseconds, owned by one user, deleted whole. Rendering a template turns it and the
 * request's values into an ordinary create-image body (html from Handlebars, the template's
 * css and render options), so everything after that (validation, dedupe, quota, the render
 * itself) is the one path every image takes.
 */
import { randomUUID } from 'node:crypto'
import type { TemplateHead, TemplateRecord, TemplateStore, UserRow } from '../store/port.js'
import { AppError, validationError, type ValidationIssue } from '../errors/catalogue.js'
import type { TemplateEngine } from './template-engine.js'
import { assertValuesDepth } from './template-limits.js'

export interface TemplateInput {
  html: string
  css?: string
  name?: string
  description?: string
  /** Render options (create-image names), already validated. */
  options: Record<string, unknown>
}

export interface TemplateLimits {
  htmlBytes: number
  cssBytes: number
  valuesBytes: number
  /** MAX_TEMPLATE_VALUES_DEPTH */
  valuesDepth: number
}

export const TEMPLATE_ID = /^t-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export class TemplateService {
  constructor(
    private readonly deps: {
      templates: TemplateStore
      engine: TemplateEngine
      limits: TemplateLimits
      now?: () => number
    },
  ) {}

  #now(): number {
    return this.deps.now?.() ?? Date.now()
  }

  #check(input: TemplateInput): void {
    const { limits } = this.deps
    if (input.html.trim() === '') throw new AppError('HTML_REQUIRED')
    const issues: ValidationIssue[] = []
    const htmlBytes = Buffer.byteLength(input.html)
    if (htmlBytes > limits.htmlBytes) {
      issues.push({ path: 'html', message: `html is ${htmlBytes} bytes; the limit is ${limits.htmlBytes} bytes (MAX_TEMPLATE_HTML_BYTES)` })
    }
    const cssBytes = Buffer.byteLength(input.css ?? '')
    if (cssBytes > limits.cssBytes) {
      issues.push({ path: 'css', message: `css is ${cssBytes} bytes; the limit is ${limits.cssBytes} bytes (MAX_TEMPLATE_CSS_BYTES)` })
    }
    if (issues.length) throw validationError(issues)
    const compiled = this.deps.engine.check(input.html)
    if (!compiled.ok) throw validationError([{ path: 'html', message: `html is not a valid template: ${compiled.message}` }])
  }

  async #insert(user: UserRow, id: string, version: number, input: TemplateInput): Promise<{ template_id: string; template_version: number }> {
    await this.deps.templates.insert({
      id,
      version,
      userId: user.id,
      html: input.html,
      css: input.css ?? null,
      name: input.name ?? null,
      description: input.description ?? null,
      options: JSON.stringify(input.options),
      createdAt: this.#now(),
    })
    return { template_id: id, template_version: version }
  }

  async create(user: UserRow, input: TemplateInput): Promise<{ template_id: string; template_version: number }> {
    this.#check(input)
    return this.#insert(user, `t-${randomUUID()}`, this.#now(), input)
  }

  /** A new version: now in epoch ms, or one past the latest when two land in the same millisecond. */
  async addVersion(user: UserRow, id: string, input: TemplateInput): Promise<{ template_id: string; template_version: number }> {
    const latest = await this.owned(user, id)
    this.#check(input)
    return this.#insert(user, id, Math.max(this.#now(), latest.version + 1), input)
  }

  /** The user's template (latest or the given version), or 404: another user's id reads as unknown. */
  async owned(user: UserRow, id: string, version?: number): Promise<TemplateRecord> {
    const t = await this.find(id, version)
    if (!t || t.userId !== user.id) throw templateNotFound(id, version)
    return t
  }

  /** Any user's template's id, version and owner, for signed URLs (whose key is the owner's). */
  async head(id: string, version?: number): Promise<TemplateHead | undefined> {
    if (!TEMPLATE_ID.test(id)) return undefined
    return this.deps.templates.head(id, version)
  }

  /** Any user's template, for signed URLs (whose key is the owner's). */
  async find(id: string, version?: number): Promise<TemplateRecord | undefined> {
    if (!TEMPLATE_ID.test(id)) return undefined
    return version === undefined ? this.deps.templates.latest(id) : this.deps.templates.version(id, version)
  }

  async list(user: UserRow, count: number, maxVersion?: number): Promise<Page> {
    return page(await this.deps.templates.listLatest(user.id, count + 1, maxVersion), count)
  }

  async versions(user: UserRow, id: string, count: number, maxVersion?: number): Promise<Page> {
    await this.owned(user, id)
    return page(await this.deps.templates.versions(id, count + 1, maxVersion), count)
  }

  async delete(user: UserRow, id: string): Promise<void> {
    if (!TEMPLATE_ID.test(id) || !(await this.deps.templates.delete(id, user.id, this.#now()))) throw templateNotFound(id)
  }

  /** Names the template reads, so a signed query can tell its values from render options. */
  variables(t: TemplateRecord): ReadonlySet<string> {
    return this.deps.engine.get(`${t.id}:${t.version}`, t.html).variables
  }

  /**
   * The create-image body of one render: the template's options, its css, and its html filled
   * with `values` (untrusted: Handlebars escapes them unless the author wrote `{{{ }}}`).
   */
  body(t: TemplateRecord, values: unknown): Record<string, unknown> {
    const checked = this.checkValues(values)
    const html = this.deps.engine.get(`${t.id}:${t.version}`, t.html).render(checked)
    return { ...(JSON.parse(t.options) as Record<string, unknown>), html, css: t.css ?? undefined }
  }

  /** template_values: a JSON object (form data sends it as a JSON string), within MAX_TEMPLATE_VALUES_BYTES. */
  checkValues(values: unknown): Record<string, unknown> {
    if (values === undefined || values === null || values === '') return {}
    if (typeof values === 'string') {
      try {
        values = JSON.parse(values)
      } catch {
        throw validationError([{ path: 'template_values', message: 'template_values must be a JSON object' }])
      }
    }
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw validationError([{ path: 'template_values', message: 'template_values must be a JSON object' }])
    }
    assertValuesDepth(values, this.deps.limits.valuesDepth)
    const bytes = Buffer.byteLength(JSON.stringify(values))
    if (bytes > this.deps.limits.valuesBytes) {
      throw validationError([
        { path: 'template_values', message: `template_values is ${bytes} bytes; the limit is ${this.deps.limits.valuesBytes} bytes (MAX_TEMPLATE_VALUES_BYTES)` },
      ])
    }
    return values as Record<string, unknown>
  }
}

export interface Page {
  items: TemplateRecord[]
  next: number | null
}

function page(rows: TemplateRecord[], count: number): Page {
  const items = rows.slice(0, count)
  return { items, next: rows.length > count ? items[items.length - 1]!.version : null }
}

export function templateNotFound(id: string, version?: number): AppError {
  return new AppError('TEMPLATE_NOT_FOUND', version === undefined ? `Template ${id} not found` : `Template ${id} has no version ${version}`)
}
