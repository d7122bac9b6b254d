/**
 * Signed render-on-GET URLs (public: the token is the credential):
 *   GET /v1/image/create-and-render/:user_id/:token[/:format]?<create parameters>
 *   GET /v1/image/:template_id/:token[/:format]?<template values>
 * They sit beside GET /v1/image/:file without ambiguity: the router tells them apart by the
 * number of segments and by the static `create-and-render`, which wins over a parameter.
 * The token is checked against the raw query of the request line (request.raw.url), never the
 * parsed one: re-serialising would change what was signed.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { FastifyReply, FastifyRequest } from 'fastify'
import * as z from 'zod'
import type { SignedImage, SignedRenders } from '../../../signing/signed-renders.js'
import { rawQueryOf } from '../../../signing/signature.js'
import { sendImage } from '../../send-image.js'
import { clientGone } from '../../client-gone.js'

export interface SignedUrlRoutesOptions {
  signed: SignedRenders
}

const token = z.string().meta({ description: 'HMAC-SHA256 of the raw query string, keyed with the API key, lower-case hex' })
const format = z.string().meta({ description: 'png (default), jpg, jpeg or webp' })

function answer(request: FastifyRequest, reply: FastifyReply, signed: SignedImage): FastifyReply {
  reply.header('x-vellum-image-id', signed.id)
  return sendImage(request, reply, signed.image)
}

const createAndRender = z.object({ user_id: z.string().meta({ description: 'the signing user' }), token })
const templated = z.object({ template_id: z.string().meta({ description: 't-<uuid>' }), token })

export const signedUrlRoutes: FastifyPluginAsyncZod<SignedUrlRoutesOptions> = async (app, { signed }) => {
  const createSummary = 'Render (first request, charged) or serve the image a signed URL names; the query holds the create parameters'
  const templatedSummary = 'Render (first request, charged) or serve a templated image a signed URL names; the query holds the template values'
  const raw = (request: FastifyRequest) => rawQueryOf(request.raw.url ?? '')

  app.get(
    '/image/create-and-render/:user_id/:token',
    { schema: { summary: createSummary, security: [], tags: ['signed urls'], params: createAndRender } },
    async (request, reply) => answer(request, reply, await signed.createAndRender(request.params.user_id, request.params.token, undefined, raw(request), clientGone(reply))),
  )
  app.get(
    '/image/create-and-render/:user_id/:token/:format',
    { schema: { summary: createSummary, security: [], tags: ['signed urls'], params: createAndRender.extend({ format }) } },
    async (request, reply) =>
      answer(request, reply, await signed.createAndRender(request.params.user_id, request.params.token, request.params.format, raw(request), clientGone(reply))),
  )
  app.get(
    '/image/:template_id/:token',
    { schema: { summary: templatedSummary, security: [], tags: ['signed urls', 'templates'], params: templated } },
    async (request, reply) => answer(request, reply, await signed.templated(request.params.template_id, request.params.token, undefined, raw(request), clientGone(reply))),
  )
  app.get(
    '/image/:template_id/:token/:format',
    { schema: { summary: templatedSummary, security: [], tags: ['signed urls', 'templates'], params: templated.extend({ format }) } },
    async (request, reply) =>
      answer(request, reply, await signed.templated(request.params.template_id, request.params.token, request.params.format, raw(request), clientGone(reply))),
  )
}
