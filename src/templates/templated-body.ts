/**
 * A create body that names a template becomes an ordinary create body: the template's html
 * (filled with the values), css and render options, plus the request's own `format` and
 * `dedupe_duration_s`. Bodies without `template_id` pass through untouched.
 */
import type { UserRow } from '../store/port.js'
import { validationError } from '../errors/catalogue.js'
import type { TemplateService } from './template-service.js'
import { assertValuesDepth } from './template-limits.js'

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== ''

/** template_version as a body sends it: a number, a numeric string, or nothing. */
function versionOf(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined
  const n = typeof v === 'string' ? Number(v) : v
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw validationError([{ path: 'template_version', message: `template_version must be a version number from the template (got ${JSON.stringify(v)})` }])
  }
  return n
}

export async function untemplated(templates: TemplateService, user: UserRow, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (!nonEmpty(body.template_id)) return body
  const t = await templates.owned(user, body.template_id.trim(), versionOf(body.template_version))
  return { ...templates.body(t, body.template_values), format: body.format, dedupe_duration_s: body.dedupe_duration_s }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Objects merge by key, recursively; arrays, scalars and explicit null replace (§3.7). */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over
  const out: Record<string, unknown> = { ...base }
  // defineProperty, not assignment: a `__proto__` key in the values stays a plain key.
  for (const [k, v] of Object.entries(over)) {
    const merged = mergeValues(Object.hasOwn(base, k) ? base[k] : undefined, v)
    Object.defineProperty(out, k, { value: merged, enumerable: true, writable: true, configurable: true })
  }
  return out
}

/**
 * One variation of POST /v1/image/batch/templated with the defaults applied: a variation without
 * `template_id` inherits the default id and version; one with its own id starts from its own
 * version (latest unless given). Values merge recursively, once both are known to be no deeper
 * than `valuesDepth` (MAX_TEMPLATE_VALUES_DEPTH).
 */
export function templatedVariation(defaults: Record<string, unknown>, variation: Record<string, unknown>, valuesDepth: number): Record<string, unknown> {
  const ownId = nonEmpty(variation.template_id)
  const base = parseJson(defaults.template_values)
  const over = parseJson(variation.template_values)
  assertValuesDepth(base, valuesDepth, 'default_options.template_values')
  assertValuesDepth(over, valuesDepth)
  return {
    template_id: ownId ? variation.template_id : defaults.template_id,
    template_version: ownId ? variation.template_version : (variation.template_version ?? defaults.template_version),
    template_values: mergeValues(base, over),
    format: variation.format ?? defaults.format,
  }
}

/** Form data carries template_values as JSON text. */
function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v
  try {
    return JSON.parse(v)
  } catch {
    return v // reported by the template service as "must be a JSON object"
  }
}
