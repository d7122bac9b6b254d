/**
 * The create-image parameters of the hosted API, as one zod schema. Bodies arrive as JSON or
 * as form data (where every value is a string), and some clients send explicit nulls for
 * "use the default", so scalar fields accept all three spellings. Messages name the field and
 * the allowed range; unknown keys are ignored so newer clients keep working.
 */
import * as z from 'zod'
import { AppError, validationError, type ValidationIssue } from '../../errors/catalogue.js'

const emptyToUndefined = (v: unknown) => (v === null || v === '' ? undefined : v)

const numberIn = (field: string, min: number, max: number, integer = false) =>
  z.preprocess(
    (v) => {
      v = emptyToUndefined(v)
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
      return v
    },
    z
      .number({ error: `${field} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}` })
      .refine((n) => Number.isFinite(n) && n >= min && n <= max && (!integer || Number.isInteger(n)), {
        error: (issue) =>
          `${field} must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max} (got ${String(issue.input)})`,
      })
      // The refinement carries the message; the OpenAPI document gets the range from here.
      .meta({ minimum: min, maximum: max, ...(integer ? { type: 'integer' } : {}) })
      .optional(),
  )

const boolean = (field: string) =>
  z.preprocess(
    (v) => {
      v = emptyToUndefined(v)
      if (v === 'true' || v === '1' || v === 1) return true
      if (v === 'false' || v === '0' || v === 0) return false
      return v
    },
    z.boolean({ error: `${field} must be true or false` }).optional(),
  )

const text = (field: string) =>
  z.preprocess(
    (v) => (v === null ? undefined : v),
    z.string({ error: `${field} must be a string` }).optional(),
  )

const FORMATS = ['png', 'jpg', 'jpeg', 'webp'] as const
export type ImageFormat = (typeof FORMATS)[number]

const format = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : emptyToUndefined(v)),
  z
    .string({ error: 'format must be one of png, jpg, jpeg, webp' })
    .refine((f) => f !== 'pdf', { error: 'format "pdf" is not supported by this server; use png, jpg, jpeg or webp' })
    .refine((f): f is ImageFormat => (FORMATS as readonly string[]).includes(f), {
      error: (issue) => `format must be one of png, jpg, jpeg, webp (got ${JSON.stringify(issue.input)})`,
    })
    .optional(),
)

/** `"Roboto|Open Sans"`, `"Open+Sans"` or `["Roboto", "Open Sans"]` → unique family specs. */
const googleFonts = z.preprocess(
  (v) => {
    v = emptyToUndefined(v)
    if (typeof v === 'string') v = v.split('|')
    if (!Array.isArray(v)) return v
    const seen = new Set<string>()
    for (const item of v) {
      if (typeof item !== 'string') return v
      for (const part of item.split('|')) {
        const family = part.replace(/\+/g, ' ').replace(/\s+/g, ' ').trim()
        if (family) seen.add(family)
      }
    }
    return [...seen]
  },
  z
    .array(
      z
        .string({ error: 'google_fonts must be a string like "Roboto|Open Sans" or an array of family names' })
        .regex(/^[A-Za-z0-9 ]{1,64}(:[A-Za-z0-9,.@;]{1,64})?$/, {
          error: (issue) =>
            `google_fonts entry ${JSON.stringify(issue.input)} is not a font family name (letters, digits and spaces, at most 64)`,
        }),
      { error: 'google_fonts must be a string like "Roboto|Open Sans" or an array of family names' },
    )
    .optional(),
)

export const createImageSchema = z.object({
  html: text('html'),
  css: text('css'),
  url: text('url'),
  template_id: text('template_id'),
  // A JSON object, or its JSON text when the body is form data (checked by the template service).
  template_values: z.unknown().optional().meta({ description: 'values for the template (an object; a JSON string in form data)' }),
  template_version: numberIn('template_version', 0, Number.MAX_SAFE_INTEGER, true),
  google_fonts: googleFonts,
  selector: text('selector'),
  device_scale: numberIn('device_scale', 0.1, 3),
  viewport_width: numberIn('viewport_width', 1, 6000, true),
  viewport_height: numberIn('viewport_height', 1, 6000, true),
  format,
  transparent_background: boolean('transparent_background'),
  disable_twemoji: boolean('disable_twemoji'),
  dedupe_duration_s: numberIn('dedupe_duration_s', 0, 31_536_000, true),
  // Accepted for compatibility, validated for type, ignored: they steer a browser, and there is none.
  ms_delay: numberIn('ms_delay', 0, 20_000, true),
  max_wait_ms: numberIn('max_wait_ms', 0, 10_000, true),
  render_when_ready: boolean('render_when_ready'),
  full_screen: boolean('full_screen'),
  block_consent_banners: boolean('block_consent_banners'),
  viewport_mobile: boolean('viewport_mobile'),
  viewport_touch: boolean('viewport_touch'),
  viewport_landscape: boolean('viewport_landscape'),
  max_render_once: boolean('max_render_once'),
  timezone: text('timezone'),
  color_scheme: text('color_scheme'),
  media_type: text('media_type'),
})

/** The render-relevant part of a request: what identifies an image (format and dedupe excluded). */
export interface RenderParams {
  html: string
  css: string
  googleFonts: string[]
  selector: string | undefined
  deviceScale: number
  viewportWidth: number | undefined
  viewportHeight: number | undefined
  transparentBackground: boolean
  disableTwemoji: boolean
}

export interface CreateImageRequest {
  render: RenderParams
  format: ImageFormat | undefined
  dedupeSeconds: number | undefined
}

/** zod issues as the API's `{path, message}`; paths read like JS (`variations[1].html`). */
export function zodIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join(''),
    message: issue.message,
  }))
}

/**
 * The body of POST /v1/image as declared on the route: an object of create-image options
 * (no body at all reads as `{}`, so the answer is "HTML is Required" rather than a type error).
 */
export const createImageBody = z.preprocess(
  (v) => (v === undefined || v === null ? {} : v),
  z.object(createImageSchema.shape, { error: 'the request body must be a JSON object or form data' }),
)

export type CreateImageInput = z.infer<typeof createImageSchema>

/** Validated options → what the service needs: the render parameters, format and dedupe window. */
export function toCreateRequest(input: CreateImageInput, defaults: { deviceScale: number }): CreateImageRequest {
  return {
    render: {
      html: input.html ?? '',
      css: input.css ?? '',
      googleFonts: input.google_fonts ?? [],
      selector: input.selector?.trim() || undefined,
      deviceScale: input.device_scale ?? defaults.deviceScale,
      viewportWidth: input.viewport_width,
      viewportHeight: input.viewport_height,
      transparentBackground: input.transparent_background ?? false,
      disableTwemoji: input.disable_twemoji ?? false,
    },
    format: input.format,
    dedupeSeconds: input.dedupe_duration_s,
  }
}

/** Parses one create body outside a route schema (a batch variation merged with its defaults). */
export function parseCreateImage(body: unknown, defaults: { deviceScale: number }): CreateImageRequest {
  if (body === undefined || body === null) body = {}
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw validationError([{ path: 'body', message: 'the request body must be a JSON object or form data' }])
  }
  const parsed = createImageSchema.safeParse(body)
  if (!parsed.success) throw validationError(zodIssues(parsed.error))
  return toCreateRequest(parsed.data, defaults)
}

/**
 * Source rules of the hosted API and the size limits, checked once the field types are right.
 * A templated body has been turned into html by then (see templates/templated-body.ts), so the
 * html limit also bounds what a template and its values produce together.
 */
export function checkSource(
  body: Record<string, unknown>,
  req: CreateImageRequest,
  limits: { htmlBytes: number; cssBytes: number },
): void {
  if (typeof body.url === 'string' && body.url.trim() !== '') throw new AppError('URL_NOT_SUPPORTED')
  if (req.render.html.trim() === '') throw new AppError('HTML_REQUIRED')
  const issues: ValidationIssue[] = []
  const htmlBytes = Buffer.byteLength(req.render.html)
  if (htmlBytes > limits.htmlBytes) {
    issues.push({ path: 'html', message: `html is ${htmlBytes} bytes; the limit is ${limits.htmlBytes} bytes (MAX_HTML_BYTES)` })
  }
  const cssBytes = Buffer.byteLength(req.render.css)
  if (cssBytes > limits.cssBytes) {
    issues.push({ path: 'css', message: `css is ${cssBytes} bytes; the limit is ${limits.cssBytes} bytes (MAX_CSS_BYTES)` })
  }
  if (issues.length) throw validationError(issues)
}
