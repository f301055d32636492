/**
 * Types of the resource-server options (DPoP, mTLS, metadata, step-up): the request each
 * adapter's `url` and `certificate` receive, the per-call DPoP parts, `auth.scheme`.
 */
import express from 'express'
import type { FastifyRequest } from 'fastify'
import type { Context } from 'hono'
import { describe, expectTypeOf, it } from 'vitest'
import * as ex from '../../src/adapters/express/index.js'
import * as fa from '../../src/adapters/fastify/index.js'
import * as ho from '../../src/adapters/hono/index.js'
import * as nx from '../../src/adapters/next/index.js'
import { createVerifier, memoryReplayStore, type AuthScheme, type BearerAuth, type DpopOptions, type VerifierOptions } from '../../src/index.js'
import { redisReplayStore } from '../../src/redis/index.js'

const base = { issuer: 'https://idp.example.com/', audience: 'https://api.example.com', jwksUri: 'https://idp.example.com/jwks.json' }

describe('resource-server types', () => {
  it('dpop takes true or its settings; an HMAC proof algorithm does not compile', () => {
    createVerifier({ ...base, dpop: true, acceptBoundAsBearer: false, resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource' })
    createVerifier({ ...base, dpop: { required: true, maxAge: '1m', nonce: { secret: 'x'.repeat(32), lifetime: 60 }, replayStore: memoryReplayStore() } })
    expectTypeOf(redisReplayStore).returns.toExtend<NonNullable<DpopOptions['replayStore']>>()
    // @ts-expect-error RFC 9449 §11.6: asymmetric algorithms only
    const hmac: DpopOptions = { algorithms: ['HS256'] }
    void hmac
  })

  it('a call takes the request parts, and auth says the scheme', async () => {
    const verify = createVerifier({ ...base, dpop: true })
    const auth = await verify('DPoP x', { dpop: { proof: 'p', method: 'GET', url: new URL('https://api.example.com/') }, certificate: () => undefined })
    expectTypeOf(auth.scheme).toEqualTypeOf<AuthScheme | undefined>()
    expectTypeOf<AuthScheme>().toEqualTypeOf<'Bearer' | 'DPoP'>()
  })

  it("url and certificate receive each framework's own request", () => {
    ex.bearer({ ...base, url: (req) => (expectTypeOf(req).toEqualTypeOf<express.Request>(), 'https://x/'), certificate: (req) => req.get('x-client-cert') })
    void fa.bearer
    const fastifyOptions: fa.FastifyBearerOptions = { ...base, url: (request) => (expectTypeOf(request).toEqualTypeOf<FastifyRequest>(), 'https://x/') }
    void fastifyOptions
    ho.bearer({ ...base, url: (c) => (expectTypeOf(c).toEqualTypeOf<Context>(), c.req.url) })
    nx.withBearer(async () => new Response(), { ...base, certificate: (request) => (expectTypeOf(request).toEqualTypeOf<Request>(), request.headers.get('x-client-cert') ?? undefined) })
  })

  it('requireAuthLevel and resourceMetadataHandler are exported by every adapter', () => {
    expectTypeOf(ex.requireAuthLevel({ acr: 'urn:mfa' })).toEqualTypeOf<express.RequestHandler>()
    expectTypeOf(fa.requireAuthLevel({ maxAge: '5m' })).toEqualTypeOf<fa.AuthenticateHook>()
    void ho.requireAuthLevel({ acr: ['a', 'b'] })
    const handler = nx.requireAuthLevel({ acr: 'a' }, async (_request: Request, { auth }: nx.AuthContext<nx.RouteContext, BearerAuth>) => Response.json(auth.claims))
    nx.withBearer(handler, base)
    for (const serve of [ex.resourceMetadataHandler, fa.resourceMetadataHandler, ho.resourceMetadataHandler, nx.resourceMetadataHandler]) void serve
    expectTypeOf<VerifierOptions>().toHaveProperty('dpop')
  })
})
