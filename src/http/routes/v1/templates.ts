/**
 * /v1/template: create, add a version, list (latest version of each), list versions, delete,
 * with the hosted API's fields and answers (§3.11 of the reference). The body's render options
 * are validated by the create-image schema's own fields, so a template cannot hold a value an
 * image would refuse.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import * as z from 'zod'
import { userOf } from '../../authenticate.js'
import { createImageSchema } from '../../schemas/create-image.js'
import type { TemplateInput, TemplateService, Page } from '../../../templates/template-service.js'
import type { TemplateRecord } from '../../../store/port.js'

export interface TemplateRoutesOptions {
  templates: TemplateService
}

/** The render options a template keeps (the hosted API's "templates" context). */
const OPTION_FIELDS = [
  'google_fonts',
  'selector',
  'device_scale',
  'viewport_width',
  'viewport_height',
  'transparent_background',
  'disable_twemoji',
  'ms_delay',
  'max_wait_ms',
  'render_when_ready',
  'max_render_once',
  'timezone',
  'color_scheme',
  'media_type',
] as const

const optionShape = Object.fromEntries(OPTION_FIELDS.map((f) => [f, createImageSchema.shape[f]])) as {
  [K in (typeof OPTION_FIELDS)[number]]: (typeof createImageSchema.shape)[K]
}

const optionalText = (field: string, max: number) =>
  z.preprocess(
    (v) => (v === null || v === '' ? undefined : v),
    z.string({ error: `${field} must be a string` }).max(max, { error: `${field} must be at most ${max} characters` }).optional(),
  )

const templateBody = z.preprocess(
  (v) => (v === undefined || v === null ? {} : v),
  z.object(
    {
      html: z.preprocess((v) => (v === null ? undefined : v), z.string({ error: 'html must be a string' }).optional()),
      css: z.preprocess((v) => (v === null ? undefined : v), z.string({ error: 'css must be a string' }).optional()),
      name: optionalText('name', 64),
      description: optionalText('description', 1024),
      ...optionShape,
    },
    { error: 'the request body must be a JSON object or form data' },
  ),
)

type TemplateBody = z.infer<typeof templateBody>

function toInput(body: TemplateBody): TemplateInput {
  const { html, css, name, description, ...rest } = body
  const options = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined))
  return { html: html ?? '', css, name, description, options }
}

const saved = z.object({ template_id: z.string(), template_version: z.number() })

const pageQuery = z.object({
  count: z.coerce
    .number({ error: 'count must be an integer between 1 and 100' })
    .int({ error: 'count must be an integer between 1 and 100' })
    .min(1, { error: 'count must be an integer between 1 and 100' })
    .max(100, { error: 'count must be an integer between 1 and 100' })
    .default(10),
  max_version: z.coerce
    .number({ error: 'max_version must be a version from pagination.next_page_start' })
    .int({ error: 'max_version must be a version from pagination.next_page_start' })
    .min(0, { error: 'max_version must be a version from pagination.next_page_start' })
    .optional()
    .meta({ description: 'pagination.next_page_start of the previous page (exclusive)' }),
})

const iso = (ms: number) => new Date(ms).toISOString()

/** One template version as the hosted API lists it. */
function view(t: TemplateRecord): Record<string, unknown> {
  const o = JSON.parse(t.options) as Record<string, unknown>
  const fonts = o.google_fonts as string[] | undefined
  return {
    id: t.id,
    version: t.version,
    template_type: 'html_css',
    name: t.name,
    description: t.description,
    html: t.html,
    css: t.css,
    google_fonts: fonts?.length ? fonts.join('|') : null,
    device_scale: o.device_scale ?? null,
    viewport_width: o.viewport_width ?? null,
    viewport_height: o.viewport_height ?? null,
    selector: o.selector ?? null,
    transparent_background: o.transparent_background ?? null,
    ms_delay: o.ms_delay ?? null,
    max_wait_ms: o.max_wait_ms ?? null,
    render_when_ready: o.render_when_ready ?? null,
    color_scheme: o.color_scheme ?? null,
    timezone: o.timezone ?? null,
    created_at: iso(t.createdAt),
    updated_at: iso(t.createdAt),
  }
}

const listed = z.object({
  data: z.array(z.record(z.string(), z.unknown())),
  pagination: z.object({ next_page_start: z.number().nullable() }),
})

const pageView = (p: Page) => ({ data: p.items.map(view), pagination: { next_page_start: p.next } })

const idParams = z.object({ template_id: z.string().meta({ description: 't-<uuid>' }) })

export const templateRoutes: FastifyPluginAsyncZod<TemplateRoutesOptions> = async (app, { templates }) => {
  app.post(
    '/template',
    { schema: { summary: 'Create a template (Handlebars html, css, render options)', tags: ['templates'], body: templateBody, response: { 200: saved } } },
    async (request) => templates.create(userOf(request), toInput(request.body)),
  )

  app.post(
    '/template/:template_id',
    {
      schema: {
        summary: 'Add a new version of a template; earlier versions stay renderable',
        tags: ['templates'],
        params: idParams,
        body: templateBody,
        response: { 200: saved },
      },
    },
    async (request) => templates.addVersion(userOf(request), request.params.template_id, toInput(request.body)),
  )

  app.get(
    '/template',
    { schema: { summary: 'List templates (latest version of each), newest first', tags: ['templates'], querystring: pageQuery, response: { 200: listed } } },
    async (request) => pageView(await templates.list(userOf(request), request.query.count, request.query.max_version)),
  )

  app.get(
    '/template/:template_id',
    {
      schema: { summary: 'List the versions of a template, newest first', tags: ['templates'], params: idParams, querystring: pageQuery, response: { 200: listed } },
    },
    async (request) => pageView(await templates.versions(userOf(request), request.params.template_id, request.query.count, request.query.max_version)),
  )

  app.delete(
    '/template/:template_id',
    { schema: { summary: 'Delete a template and all its versions', tags: ['templates'], params: idParams } },
    async (request, reply) => {
      await templates.delete(userOf(request), request.params.template_id)
      return reply.code(204).send()
    },
  )
}
