/**
 * POST /v1/image and POST /v1/image/batch: render, store and charge. The body is validated by
 * the route schema before the handler runs; a batch's variations are each merged with
 * `default_options` and parsed by the same create schema, so every error names its part.
 */
import type { FastifyReply } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError, scopeError } from '../../../errors/catalogue.js'
import type { ImageService } from '../../../images/image-service.js'
import type { Config } from '../../../config/schema.js'
import { checkSource, createImageBody, parseCreateImage, toCreateRequest, type CreateImageRequest } from '../../schemas/create-image.js'
import { userOf } from '../../authenticate.js'
import { imageUrl } from '../../image-urls.js'
import type { StageTimings } from '../../../render/job.js'

export interface CreateImageRoutesOptions {
  config: Config
  images: ImageService
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
function scoped<T>(prefix: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw err instanceof AppError ? scopeError(err, prefix) : err
  }
}

export const createImageRoutes: FastifyPluginAsyncZod<CreateImageRoutesOptions> = async (app, { config, images }) => {
  const parse = (body: unknown): CreateImageRequest => {
    const req = parseCreateImage(body, config.defaults)
    checkSource((body ?? {}) as Record<string, unknown>, req, config.limits)
    return req
  }

  app.post(
    '/image',
    { schema: { summary: 'Create an image from HTML and CSS', tags: ['images'], body: createImageBody, response: { 200: created } } },
    async (request, reply) => {
      const req = toCreateRequest(request.body, config.defaults)
      checkSource(request.body, req, config.limits)
      const result = await images.create(userOf(request), req)
      usageHeaders(reply, result)
      const dropped = droppedHeader(result.warnings)
      if (dropped) reply.header('x-vellum-dropped-css', dropped)
      if (result.timings) reply.header('server-timing', serverTiming(result.timings))
      return { url: imageUrl(config.publicUrl, request, result.id, req.format), id: result.id }
    },
  )

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
      scoped('default_options', () => parseCreateImage(defaults, config.defaults))
      const reqs = request.body.variations.map((v, i) => scoped(`variations[${i}]`, () => parse({ ...defaults, ...v })))
      const { ids, used } = await images.createBatch(user, reqs)
      usageHeaders(reply, { consumed: ids.length, used, limit: user.monthlyLimit })
      return { images: ids.map((id, i) => ({ url: imageUrl(config.publicUrl, request, id, reqs[i]!.format), id })) }
    },
  )
}
