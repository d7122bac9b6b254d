/**
 * An AbortSignal that fires when the response closes unsent: the client hung up (a crawler's
 * timeout on an og:image URL, a cancelled fetch). A render still queued for that request alone
 * is then dropped and nothing is charged, so an overloaded server does not spend its workers on
 * answers nobody reads (image-service.ts).
 */
import type { FastifyReply } from 'fastify'

export function clientGone(reply: FastifyReply): AbortSignal {
  const gone = new AbortController()
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort()
  })
  return gone.signal
}
