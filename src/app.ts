/**
 * buildApp(): the HTTP application over a container, without listening. The process entry
 * (server.ts) listens; tests drive it through inject() or a real socket.
 */
import { createRequire } from 'node:module'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify'
import formbody from '@fastify/formbody'
import type { Container } from './container.js'
import { installErrorHandling } from './http/error-handler.js'
import { AppError, titleFor } from './errors/catalogue.js'
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import { authenticator } from './http/authenticate.js'
import { v1Routes } from './http/routes/v1/index.js'
import { healthRoutes } from './http/routes/health.js'
import { registerOpenApi } from './http/routes/openapi.js'
import { metricsRoutes } from './http/routes/metrics.js'
import { playgroundRoutes } from './http/routes/playground.js'
import { requestIdOf } from './http/request-id.js'

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version

/** Requests between onRequest and their response (or abort), and a wait for none. */
class InFlight {
  readonly #open = new WeakSet<object>()
  #count = 0
  #waiters: Array<() => void> = []

  start(request: object): void {
    this.#open.add(request)
    this.#count++
  }

  end(request: object): void {
    if (!this.#open.delete(request)) return
    if (--this.#count === 0) for (const wake of this.#waiters.splice(0)) wake()
  }

  idle(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve))
  }
}

export async function buildApp(
  container: Container,
  options: { loggerInstance?: FastifyBaseLogger } = {},
): Promise<FastifyInstance> {
  const { config } = container
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: false }),
    bodyLimit: config.limits.bodyBytes,
    requestTimeout: config.requestTimeoutMs,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
    // x-request-id: the client's when it sends a sane one, else a new UUID; echoed on every
    // answer and carried by every log line of the request (pino's reqId).
    requestIdHeader: false,
    genReqId: requestIdOf,
    // The router's own refusals (a path segment over 100 characters, a malformed escape in the
    // path) are answered before any hook runs: in the API's error shape and with the request's
    // id, not Fastify's `{error, code, message}`.
    frameworkErrors: (err, request, reply: FastifyReply) => {
      const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : (err.statusCode ?? 400)
      const message =
        err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A segment of the URL path is longer than 100 characters: no image or template id is that long' : err.message
      void reply
        .header('x-request-id', request.id)
        .header('access-control-allow-origin', '*')
        .code(status)
        .send({ statusCode: status, error: titleFor(status), message })
    },
  })
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })
  await app.register(formbody, { bodyLimit: config.limits.bodyBytes })
  // JSON and form data only, like the hosted API: anything else is a clear 415.
  app.removeContentTypeParser('text/plain')
  // Some official clients (Ruby) send `Content-Type: application/json` on bodiless GET and
  // DELETE requests; an empty JSON body means "no body" rather than an error.
  const json = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, undefined)
    json(request, body as string, (err, value) => {
      // Fastify's parser refuses `__proto__` (and `constructor.prototype`) keys on purpose and
      // says only "not valid JSON"; JSON that parses was refused for that key, so say that.
      if (err && isJson(body as string)) {
        return done(new AppError('INVALID_JSON', 'The request body uses the key "__proto__" (or "constructor" holding "prototype"), which is refused: rename that key'), undefined)
      }
      done(err, value)
    })
  })

  // The hosted API answers every origin; browsers calling it directly expect the same.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('access-control-allow-origin', '*')
    if (request.method === 'OPTIONS') {
      reply
        .header('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type')
        .header('access-control-max-age', '86400')
        .code(204)
        .send()
    }
  })

  // While the server drains, every response closes its connection: a keep-alive connection
  // whose request was in flight when the stop began would otherwise hold the close open until
  // the client drops it (new requests on open connections get 503, return503OnClosing).
  let draining = false
  app.addHook('preClose', async () => {
    draining = true
  })
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close')
  })
  // Fastify runs onClose hooks while requests may still be in flight; the render pool and the
  // database they use close only once every request has been answered (or its client left).
  const inFlight = new InFlight()
  // A request ends when its response closes: sent, or its connection gone. A client that hung up
  // while its render ran got neither onResponse nor onRequestAbort, and the drain then waited
  // for it until SHUTDOWN_TIMEOUT_MS and exited 1 (`curl -m 1` on an 8 s render, then SIGTERM).
  app.addHook('onRequest', async (request, reply) => {
    inFlight.start(request)
    reply.raw.once('close', () => inFlight.end(request))
  })
  app.addHook('onClose', async () => {
    await inFlight.idle()
    await container.close()
  })
  installErrorHandling(app, config.limits.bodyBytes)
  // Request schemas are zod, declared on each route: validated before the handler runs (the
  // error handler turns failures into the API's validation_errors), and the same schemas make
  // the OpenAPI document.
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  await registerOpenApi(app, VERSION)
  await app.register(healthRoutes, { store: container.store, pool: container.pool, loaded: container.warmedUp })
  if (config.metrics.enabled) await app.register(metricsRoutes, { metrics: container.metrics, token: config.metrics.token })
  await app.register(playgroundRoutes)
  await app.register(v1Routes, { prefix: '/v1', container, authenticate: authenticator(container.users) })
  return app
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
