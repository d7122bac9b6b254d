/**
 * POST /v1/image, POST /v1/image/:template_id[/:template_version], POST /v1/image/batch and
 * POST /v1/image/batch/templated: render, store and charge. The body is validated by the route
 * schema before the handler runs; a batch's variations are each merged with `default_options`
 * and parsed by the same create schema, so every error names its part. A body naming a
 * template is first turned into html by the template service (templates/templated-body.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import * as z from 'zod'
import { AppError, scopeError } from '../../../errors/catalogue.js'
import type { ImageService } from '../../../images/image-service.js'
import type { Config } from '../../../config/schema.js'
import { checkSource, createImageBody, parseCreateImage, toCreateRequest, type CreateImageRequest } from '../../schemas/create-image.js'
import { userOf } from '../../authenticate.js'
import { imageUrl } from '../../image-urls.js'
import type { StageTimings } from '../../../render/job.js'
import type { TemplateService } from '../../../templates/template-service.js'
import { templatedVariation, untemplated } from '../../../templates/templated-body.js'
import type { UserRow } from '../../../store/port.js'
import { clientGone } from '../../client-gone.js'

export interface CreateImageRoutesOptions {
  config: Config
  images: ImageService
  templates: TemplateService
}

const created = z.object({ url: z.string(), id: z.string() })

/** Header-safe list of what the renderer dropped or clamped (ASCII, bounded). */
function droppedHeader(warnings: string[]): string | undefined {
  if (warnings.length === 0) return undefined
  const text = warnings.join(' | ').replace(/[^\x20-\x7e]/g, '?')
  return text.length > 2000 ? `${text.slice(0, 1997)}...` : text
}

function usageHeaders(reply: FastifyReply, c: { consumed: number; used: number; limit: number }): void {
  reply.headers({
    'x-renders-allowed': String(c.limit),
    'x-renders-used': String(c.used),
    'x-renders-consumed': String(c.consumed),
    'x-is-overage': 'False',
  })
}

/** The render's stages as a Server-Timing header (browsers' dev tools and the playground show it). */
function serverTiming(t: StageTimings & { store: number }): string {
  const stages: Array<[string, number]> = [['parse', t.parse], ['layout', t.layout], ['raster', t.rasterize], ['encode', t.encode], ['store', t.store]]
  return stages.map(([name, ms]) => `${name};dur=${ms}`).join(', ')
}

const batchBody = (max: number) =>
  z.object({
    default_options: z
      .record(z.string(), z.unknown(), { error: 'default_options must be an object of create-image options' })
      .nullish(),
    variations: z
      .array(z.record(z.string(), z.unknown(), { error: 'each variation must be an object of create-image options' }), {
        error: 'variations must be an array of create-image options',
      })
      .min(1, { error: 'variations must hold at least one image' })
      .max(max, { error: `variations holds more than ${max} images (MAX_BATCH_SIZE)` }),
  })

/** Runs one part of a batch, naming that part in any 4xx it raises. */
async function scoped<T>(prefix: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw err instanceof AppError ? scopeError(err, prefix) : err
  }
}

export const createImageRoutes: FastifyPluginAsyncZod<CreateImageRoutesOptions> = async (app, { config, images, templates }) => {
  const parse = async (user: UserRow, body: Record<string, unknown>): Promise<CreateImageRequest> => {
    const plain = await untemplated(templates, user, body)
    const req = parseCreateImage(plain, config.defaults)
    checkSource(plain, req, config.limits)
    return req
  }

  /** Renders one request and answers like the hosted API (usage headers, url and id). */
  const answer = async (request: FastifyRequest, reply: FastifyReply, req: CreateImageRequest) => {
    const result = await images.create(userOf(request), req, clientGone(reply))
    usageHeaders(reply, result)
    const dropped = droppedHeader(result.warnings)
    if (dropped) reply.header('x-vellum-dropped-css', dropped)
    if (result.timings) reply.header('server-timing', serverTiming(result.timings))
    return { url: imageUrl(config.publicUrl, request, result.id, req.format), id: result.id }
  }

  const batch = async (request: FastifyRequest, reply: FastifyReply, reqs: CreateImageRequest[]) => {
    const user = userOf(request)
    const { ids, used } = await images.createBatch(user, reqs, clientGone(reply))
    usageHeaders(reply, { consumed: ids.length, used, limit: user.monthlyLimit })
    return { images: ids.map((id, i) => ({ url: imageUrl(config.publicUrl, request, id, reqs[i]!.format), id })) }
  }

  app.post(
    '/image',
    { schema: { summary: 'Create an image from HTML and CSS', tags: ['images'], body: createImageBody, response: { 200: created } } },
    async (request, reply) => {
      if (request.body.template_id?.trim()) return answer(request, reply, await parse(userOf(request), request.body))
      const req = toCreateRequest(request.body, config.defaults)
      checkSource(request.body, req, config.limits)
      return answer(request, reply, req)
    },
  )

  const templateId = z.object({ template_id: z.string().meta({ description: 'the template id (t-<uuid>)' }) })
  const versionError = { error: 'template_version must be a version number' }
  const templateVersion = templateId.extend({ template_version: z.coerce.number(versionError).int(versionError).min(0, versionError) })
  const templated = {
    summary: 'Create an image from a template and template_values (the latest version, or the one in the path)',
    tags: ['images', 'templates'],
    body: createImageBody,
    response: { 200: created },
  }
  app.post('/image/:template_id', { schema: { ...templated, params: templateId } }, async (request, reply) => {
    const body = { ...request.body, template_id: request.params.template_id, template_version: undefined }
    return answer(request, reply, await parse(userOf(request), body))
  })
  app.post('/image/:template_id/:template_version', { schema: { ...templated, params: templateVersion } }, async (request, reply) => {
    const body = { ...request.body, template_id: request.params.template_id, template_version: request.params.template_version }
    return answer(request, reply, await parse(userOf(request), body))
  })

  app.post(
    '/image/batch',
    {
      schema: {
        summary: 'Create up to MAX_BATCH_SIZE images at once; all are rendered and charged together, or none',
        tags: ['images'],
        body: z.preprocess((v) => v ?? {}, batchBody(config.limits.batchSize)),
        response: { 200: z.object({ images: z.array(created) }) },
      },
    },
    async (request, reply) => {
      const user = userOf(request)
      const defaults = request.body.default_options ?? {}
      // A bad default is reported once, as itself, rather than on every variation that inherits it.
      await scoped('default_options', () => parseCreateImage(defaults, config.defaults))
      // One after another: the first bad variation is the one reported.
      const reqs: CreateImageRequest[] = []
      for (const [i, v] of request.body.variations.entries()) reqs.push(await scoped(`variations[${i}]`, () => parse(user, { ...defaults, ...v })))
      return batch(request, reply, reqs)
    },
  )

  app.post(
    '/image/batch/templated',
    {
      schema: {
        summary: 'Create up to MAX_BATCH_SIZE images from templates; variations inherit the default template and merge its values',
        tags: ['images', 'templates'],
        body: z.preprocess((v) => v ?? {}, batchBody(config.limits.batchSize)),
        response: { 200: z.object({ images: z.array(created) }) },
      },
    },
    async (request, reply) => {
      const user = userOf(request)
      const defaults = request.body.default_options ?? {}
      const reqs: CreateImageRequest[] = []
      for (const [i, v] of request.body.variations.entries()) {
        const req = await scoped(`variations[${i}]`, () => {
          const merged = templatedVariation(defaults, v, config.templates.valuesDepth)
          if (typeof merged.template_id !== 'string' || merged.template_id.trim() === '') {
            const given = [v.template_id, defaults.template_id].find((id) => id !== undefined && id !== null && id !== '')
            const message =
              given === undefined
                ? 'template_id is required (in the variation or in default_options)'
                : `template_id must be a template's id, a string such as "t-…" (got ${JSON.stringify(given)})`
            throw new AppError('VALIDATION', message, { issues: [{ path: 'template_id', message }] })
          }
          return parse(user, merged)
        })
        reqs.push(req)
      }
      return batch(request, reply, reqs)
    },
  )
}
