/**
 * The id of a request: the client's `x-request-id` when it is a sane token (so a proxy's or a
 * client's id follows the request into our logs), otherwise a new UUID. Anything else a client
 * sends there (long, or with characters that would forge log lines) is replaced, not trusted.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

const SANE = /^[A-Za-z0-9._:@/+=-]{1,128}$/

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id']
  return typeof given === 'string' && SANE.test(given) ? given : randomUUID()
}
