/**
 * Answers with stored image bytes the way every image URL does: a strong ETag (304 on a
 * matching If-None-Match) and immutable public caching, since an image URL never changes
 * what it names.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { StoredImage } from '../images/image-service.js'

export function sendImage(request: FastifyRequest, reply: FastifyReply, image: StoredImage, download?: string): FastifyReply {
  const etag = `"${image.etag}"`
  reply.headers({
    etag,
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    'content-type': image.mime,
  })
  if (download) reply.header('content-disposition', `attachment; filename="${download}.${image.ext}"`)
  const inm = request.headers['if-none-match']
  if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.code(304).send()
  return reply.send(image.bytes)
}
