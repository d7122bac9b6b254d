/** The public URL of a stored image, as create and list answers give it. */
import type { FastifyRequest } from 'fastify'

export function baseUrl(publicUrl: string | undefined, request: FastifyRequest): string {
  return publicUrl ?? `${request.protocol}://${request.host}`
}

export function imageUrl(publicUrl: string | undefined, request: FastifyRequest, id: string, format?: string): string {
  const ext = format === 'jpeg' ? 'jpg' : format
  return `${baseUrl(publicUrl, request)}/v1/image/${id}${ext ? `.${ext}` : ''}`
}

export const IMAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
