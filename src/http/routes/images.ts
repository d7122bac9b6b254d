/**
 * The image endpoints of the hosted API: create, batch create, delete, batch delete (all with
 * Basic auth) and the public fetch of a stored image.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { AppError, scopeError, validationError } from '../../errors/catalogue.js'
import type { ImageService, Created } from '../../images/image-service.js'
import type { OutputFormat } from '../../images/variants.js'
import { checkSource, parseCreateImage, zodIssues, type CreateImageRequest } from '../schemas/create-image.js'
import type { Config } from '../../config/schema.js'

export interface ImageRoutesDeps {
  config: Config
  images: ImageService
  authenticate: (request: FastifyRequest) => Promise<void>
}

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const FILE = /^([0-9a-fA-F-]{36})(?:\.([A-Za-z]+))?$/

function baseUrl(config: Config, request: FastifyRequest): string {
  return config.publicUrl ?? `${request.protocol}://${request.host}`
}

function imageUrl(config: Config, request: FastifyRequest, id: string, format?: string): string {
  const ext = format === 'jpeg' ? 'jpg' : format
  return `${baseUrl(config, request)}/v1/image/${id}${ext ? `.${ext}` : ''}`
}

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

const batchSchema = (max: number) =>
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

const deleteBatchSchema = (max: number) =>
  z.object({
    ids: z
      .array(z.string({ error: 'ids must be image id strings' }), { error: 'ids must be an array of image ids' })
      .min(1, { error: 'ids must hold at least one id' })
      .max(max, { error: `ids holds more than ${max} ids (MAX_BATCH_SIZE)` }),
  })

const fetchQuery = (maxSide: number) =>
  z.object({
    width: z.coerce
      .number({ error: `width must be an integer between 1 and ${maxSide}` })
      .int({ error: `width must be an integer between 1 and ${maxSide}` })
      .min(1, { error: `width must be an integer between 1 and ${maxSide}` })
      .max(maxSide, { error: `width must be an integer between 1 and ${maxSide} (MAX_RESIZE_SIDE)` })
      .optional(),
    height: z.coerce
      .number({ error: `height must be an integer between 1 and ${maxSide}` })
      .int({ error: `height must be an integer between 1 and ${maxSide}` })
      .min(1, { error: `height must be an integer between 1 and ${maxSide}` })
      .max(maxSide, { error: `height must be an integer between 1 and ${maxSide} (MAX_RESIZE_SIDE)` })
      .optional(),
    dl: z.string().optional(),
  })

/** Runs one part of a batch, naming that part in any 4xx it raises. */
function scoped<T>(prefix: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw err instanceof AppError ? scopeError(err, prefix) : err
  }
}

export function imageRoutes(app: FastifyInstance, deps: ImageRoutesDeps): void {
  const { config, images, authenticate } = deps
  // Schemas are built once: constructing zod schemas per request costs more than serving a cached image.
  const batchBody = batchSchema(config.limits.batchSize)
  const deleteBatchBody = deleteBatchSchema(config.limits.batchSize)
  const fetchQueryParams = fetchQuery(config.limits.resizeSide)
  const parse = (body: unknown): CreateImageRequest => {
    const req = parseCreateImage(body, config.defaults)
    checkSource((body ?? {}) as Record<string, unknown>, req, config.limits)
    return req
  }

  app.post('/v1/image', { onRequest: authenticate }, async (request, reply) => {
    const req = parse(request.body)
    const created: Created = await images.create(request.user!, req)
    usageHeaders(reply, created)
    const dropped = droppedHeader(created.warnings)
    if (dropped) reply.header('x-vellum-dropped-css', dropped)
    return { url: imageUrl(config, request, created.id, req.format), id: created.id }
  })

  app.post('/v1/image/batch', { onRequest: authenticate }, async (request, reply) => {
    const parsed = batchBody.safeParse(request.body ?? {})
    if (!parsed.success) throw validationError(zodIssues(parsed.error))
    const defaults = parsed.data.default_options ?? {}
    // A bad default is reported once, as itself, rather than on every variation that inherits it.
    scoped('default_options', () => parseCreateImage(defaults, config.defaults))
    const reqs = parsed.data.variations.map((v, i) => scoped(`variations[${i}]`, () => parse({ ...defaults, ...v })))
    const { ids, used } = await images.createBatch(request.user!, reqs)
    usageHeaders(reply, { consumed: ids.length, used, limit: request.user!.monthlyLimit })
    return { images: ids.map((id, i) => ({ url: imageUrl(config, request, id, reqs[i]!.format), id })) }
  })

  app.delete('/v1/image/batch', { onRequest: authenticate }, async (request, reply) => {
    const parsed = deleteBatchBody.safeParse(request.body ?? {})
    if (!parsed.success) throw validationError(zodIssues(parsed.error))
    for (const raw of parsed.data.ids) {
      const id = raw.toLowerCase()
      if (ID.test(id)) images.delete(request.user!, id)
    }
    return reply.code(202).send()
  })

  app.delete<{ Params: { id: string } }>('/v1/image/:id', { onRequest: authenticate }, async (request, reply) => {
    const id = request.params.id.toLowerCase()
    if (!ID.test(id)) throw new AppError('IMAGE_NOT_FOUND')
    if (!images.delete(request.user!, id)) {
      const existing = images.find(id)
      if (existing && existing.userId === request.user!.id && existing.deletedAt !== null) throw new AppError('IMAGE_DELETED')
      throw new AppError('IMAGE_NOT_FOUND')
    }
    return reply.code(202).send()
  })

  app.get<{ Params: { file: string }; Querystring: Record<string, string> }>('/v1/image/:file', async (request, reply) => {
    const m = FILE.exec(request.params.file)
    if (!m || !ID.test(m[1]!.toLowerCase())) throw new AppError('IMAGE_NOT_FOUND')
    const ext = (m[2] ?? 'png').toLowerCase()
    if (ext === 'pdf') throw new AppError('VALIDATION', 'PDF output is not supported by this server; use .png, .jpg or .webp')
    if (!['png', 'jpg', 'jpeg', 'webp'].includes(ext)) throw new AppError('IMAGE_NOT_FOUND')
    const hasQuery = request.url.includes('?')
    const q = hasQuery ? fetchQueryParams.safeParse(request.query ?? {}) : { success: true as const, data: {} as { width?: number; height?: number; dl?: string } }
    if (!q.success) throw validationError(zodIssues(q.error))
    const id = m[1]!.toLowerCase()
    const image = await images.fetch(id, { format: ext as OutputFormat, width: q.data.width, height: q.data.height })
    const etag = `"${image.etag}"`
    reply.headers({
      etag,
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
      'content-type': image.mime,
    })
    if (q.data.dl === '1' || q.data.dl === 'true') {
      reply.header('content-disposition', `attachment; filename="${id}.${image.ext}"`)
    }
    const inm = request.headers['if-none-match']
    if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.code(304).send()
    return reply.send(image.bytes)
  })
}
