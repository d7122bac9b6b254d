/**
 * The single exit for every failure: known errors leave in the hosted API's shape
 * `{statusCode, error, message}`; Fastify's own 4xx (body too large, bad JSON, wrong content
 * type) are reworded to name the limit or the fix; anything else is logged with the request
 * id and answered as a bare 500 with no internals.
 */
import type { FastifyError, FastifyInstance } from 'fastify'
import { AppError, titleFor, validationError } from '../errors/catalogue.js'

/** `/variations/1/html` → `variations[1].html`; the body itself → `body`. */
function issuePath(instancePath: string): string {
  const parts = instancePath.split('/').filter(Boolean)
  if (parts.length === 0) return 'body'
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('')
}

export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    let appError: AppError | undefined = err instanceof AppError ? err : undefined
    if (!appError) {
      switch (err.code) {
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
          appError = new AppError('BODY_TOO_LARGE', `The request body is larger than ${bodyLimit} bytes (BODY_LIMIT_BYTES)`)
          break
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
          appError = new AppError(
            'UNSUPPORTED_MEDIA_TYPE',
            `Unsupported Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')}: send application/json or application/x-www-form-urlencoded`,
          )
          break
        case 'FST_ERR_CTP_INVALID_JSON_BODY':
          appError = new AppError('INVALID_JSON', `The request body is not valid JSON: ${err.message}`)
          break
        case 'FST_ERR_VALIDATION':
          // A route schema refused the body, query or params: each zod issue keeps its message,
          // its path reads like JS (`variations[1].html`).
          appError = validationError(
            (err.validation ?? []).map((v) => ({ path: issuePath(v.instancePath), message: v.message ?? 'is not valid' })),
          )
          break
        default:
          if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
            return reply
              .code(err.statusCode)
              .send({ statusCode: err.statusCode, error: titleFor(err.statusCode), message: err.message })
          }
      }
    }
    if (!appError) {
      request.log.error({ err }, 'unhandled error')
      appError = new AppError('INTERNAL')
    } else if (appError.status >= 500) {
      request.log.warn({ code: appError.code, cause: (appError.cause as Error | undefined)?.message }, appError.message)
    }
    if (appError.headers) reply.headers(appError.headers)
    // Not on a signed URL's 401: a browser showing an og:image would pop a login dialog.
    if (appError.code === 'UNAUTHORIZED') reply.header('www-authenticate', 'Basic realm="vellum", charset="UTF-8"')
    return reply.code(appError.status).send(appError.toBody())
  })

  app.setNotFoundHandler((request, reply) => {
    const err = new AppError('NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`)
    return reply.code(404).send(err.toBody())
  })
}
