import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { bearer as expressBearer, requireClaim as expressRequireClaim, requireRoles as expressRequireRoles, requireScopes as expressRequireScopes } from '../../src/adapters/express/index.js'
import fastifyBearer, { requireClaim as fastifyRequireClaim } from '../../src/adapters/fastify/index.js'
import { bearer as honoBearer, requireClaim as honoRequireClaim, requireScopes as honoRequireScopes } from '../../src/adapters/hono/index.js'
import { bearerMiddleware, requireClaim as nextRequireClaim, requireRoles as nextRequireRoles, withBearer, type RouteContext } from '../../src/adapters/next/index.js'
import { createLazyVerifier, createVerifier, type BearerAuth, type Verifier } from '../../src/index.js'
import type { NextMiddleware, NextProxy } from 'next/server.js'
import Router from '@koa/router'
import Koa from 'koa'
import type {
  APIGatewayProxyHandler,
  APIGatewayProxyHandlerV2,
  APIGatewayRequestAuthorizerHandler,
  APIGatewayRequestIAMAuthorizerHandlerV2,
  APIGatewayRequestSimpleAuthorizerHandlerV2,
  APIGatewayTokenAuthorizerHandler,
} from 'aws-lambda'
import { bearer as koaBearer, requireScopes as koaRequireScopes, type BearerState } from '../../src/adapters/koa/index.js'
import { createAuthorizer, requireScopes as lambdaRequireScopes, withBearer as lambdaWithBearer } from '../../src/adapters/lambda/index.js'
import { TokengateModule } from '../../src/adapters/nestjs/index.js'
import type { DynamicModule } from '@nestjs/common'

const Claims = z.object({ tenant: z.string(), roles: z.array(z.string()) })
type Claims = z.output<typeof Claims>
const options = { issuer: 'https://idp.example.com/', audience: 'https://api.example.com', jwksUri: 'https://idp.example.com/jwks.json', claims: Claims }

// Express and Fastify attach `auth` to a shared request type: the claims type is registered once.
declare module '../../src/adapters/express/index.js' {
  interface Register {
    claims: Claims
  }
}

describe('adapter types: the claims type inferred from the zod schema reaches the handler', () => {
  it('Express: req.auth after registering the schema output', () => {
    const app = express()
    app.get('/', expressBearer(options), expressRequireScopes('read'), (req, res) => {
      expectTypeOf(req.auth).toEqualTypeOf<BearerAuth<Claims> | undefined>()
      expectTypeOf(req.auth!.claims.tenant).toEqualTypeOf<string>()
      expectTypeOf(req.auth!.claims.roles).toEqualTypeOf<string[]>()
      // Any kind of credential may reach a route: exp is certain for JWTs only.
      expectTypeOf(req.auth!.claims.exp).toEqualTypeOf<number | undefined>()
      if (req.auth!.kind === 'jwt') expectTypeOf(req.auth!.claims.exp).toEqualTypeOf<number>()
      res.end()
    })
  })

  it('Fastify: request.auth, one registration shared with Express', async () => {
    const app = Fastify()
    await app.register(fastifyBearer, options)
    app.get('/', { onRequest: app.authenticate, config: { scopes: ['read'] } }, async (request) => {
      expectTypeOf(request.auth).toEqualTypeOf<BearerAuth<Claims> | null>()
      expectTypeOf(request.auth!.claims.tenant).toEqualTypeOf<string>()
      return 'ok'
    })
  })

  it("Hono: c.get('auth') through the middleware's Env, with no registration", () => {
    new Hono().get('/', honoBearer(options), honoRequireScopes('read'), (c) => {
      expectTypeOf(c.get('auth')).toEqualTypeOf<BearerAuth<Claims>>()
      expectTypeOf(c.get('auth').claims.roles).toEqualTypeOf<string[]>()
      return c.text(c.get('auth').claims.tenant)
    })
    new Hono().get('/', honoBearer({ ...options, credentialsRequired: false }), (c) => {
      expectTypeOf(c.get('auth')).toEqualTypeOf<BearerAuth<Claims> | undefined>()
      return c.text('ok')
    })
  })

  it("Next: the route handler's auth, from options or from a shared verifier", () => {
    const GET = withBearer(async (request, { auth, params }) => {
      expectTypeOf(request).toEqualTypeOf<Request>()
      expectTypeOf(params).toEqualTypeOf<RouteContext['params']>()
      expectTypeOf(auth).toEqualTypeOf<BearerAuth<Claims>>()
      return Response.json(auth.claims.tenant)
    }, options)
    expectTypeOf(GET).toEqualTypeOf<(request: Request, context: RouteContext) => Promise<Response>>()

    const verifier = createVerifier(options)
    withBearer(async (_request, { auth }) => {
      expectTypeOf(auth.claims.roles).toEqualTypeOf<string[]>()
      return new Response()
    }, { verifier, scopes: ['read'] })

    withBearer(async (_request, { auth }) => {
      expectTypeOf(auth).toEqualTypeOf<BearerAuth<Claims> | undefined>()
      return new Response()
    }, { ...options, credentialsRequired: false })

    bearerMiddleware({
      verifier,
      onAuthenticated: (auth) => {
        expectTypeOf(auth).toEqualTypeOf<BearerAuth<Claims> | undefined>()
        return undefined
      },
    })
  })

  it("Next: bearerMiddleware is both Next 15's middleware (middleware.ts) and Next 16's proxy (proxy.ts); a lazy verifier is a verifier", () => {
    const lazy = createLazyVerifier(() => ({ ...options, issuer: process.env.ISSUER! }))
    expectTypeOf(lazy).toEqualTypeOf<Verifier<Claims>>()
    const middleware: NextMiddleware = bearerMiddleware({ verifier: lazy, scopes: ['admin'] })
    const proxy: NextProxy = bearerMiddleware({ ...options, scopes: ['admin'] })
    void middleware
    void proxy
    withBearer(async (_request, { auth }) => Response.json(auth.claims.tenant), { verifier: lazy })
  })

  it('Koa: ctx.state.auth through the middleware, typed by the schema', () => {
    const router = new Router<BearerState<Claims>>()
    router.get('/', koaBearer(options), koaRequireScopes('read'), (ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<BearerAuth<Claims>>()
      ctx.body = ctx.state.auth.claims.tenant
    })
    new Koa().use(koaBearer({ ...options, credentialsRequired: false })).use((ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<BearerAuth<Claims> | undefined>()
    })
  })

  it("Lambda: the handlers fit @types/aws-lambda's handler types", () => {
    const token: APIGatewayTokenAuthorizerHandler = createAuthorizer(options)
    const request: APIGatewayRequestAuthorizerHandler = createAuthorizer(options)
    const simple: APIGatewayRequestSimpleAuthorizerHandlerV2 = createAuthorizer({ ...options, guards: [lambdaRequireScopes('read')] })
    const iam: APIGatewayRequestIAMAuthorizerHandlerV2 = createAuthorizer({ ...options, responseFormat: 'iam' })
    void [token, request, simple, iam]
    const v1: APIGatewayProxyHandler = lambdaWithBearer(async (event, _context, auth) => {
      expectTypeOf(auth.claims.tenant).toEqualTypeOf<string>()
      return { statusCode: 200, body: event.path }
    }, options)
    const v2: APIGatewayProxyHandlerV2 = lambdaWithBearer(async (event, _context, auth) => ({ statusCode: 200, body: `${event.rawPath} ${auth.claims.sub}` }), options)
    void [v1, v2]
  })

  it('Nest: forRoot and forRootAsync return dynamic modules', () => {
    expectTypeOf(TokengateModule.forRoot(options)).toEqualTypeOf<DynamicModule>()
    expectTypeOf(TokengateModule.forRootAsync({ useFactory: async () => options })).toEqualTypeOf<DynamicModule>()
  })

  it('rejects ill-typed options', () => {
    // @ts-expect-error: scopes is a list
    expressBearer({ ...options, scopes: 'read' })
    // @ts-expect-error: sendProblem is a boolean
    expressBearer({ ...options, sendProblem: 'yes' })
    // @ts-expect-error: no key source
    honoBearer({ issuer: 'i', audience: 'a' })
    // @ts-expect-error: the handler must return a Response
    withBearer(async () => 'ok', options)
    // @ts-expect-error: responseFormat is 'simple' or 'iam'
    createAuthorizer({ ...options, responseFormat: 'json' })
  })

  it('types requireClaim paths and values from the registered claims type where it names them', () => {
    express().get('/', expressBearer(options), expressRequireRoles('admin'), expressRequireClaim('tenant', 'acme'), (_req, res) => res.end())
    expressRequireClaim('tenant', ['acme', 'globex'])
    // An array claim: its elements are what is compared.
    expressRequireClaim('roles', 'admin')
    expressRequireClaim('roles', (roles) => {
      expectTypeOf(roles).toEqualTypeOf<string[] | undefined>()
      return roles?.includes('admin') === true
    })
    expressRequireClaim('exp', async (exp, claims) => {
      expectTypeOf(exp).toEqualTypeOf<number | undefined>()
      expectTypeOf(claims.tenant).toEqualTypeOf<string>()
      return true
    })
    // A path the type does not name takes any value; an array path too.
    expressRequireClaim('org.plan', 'pro')
    expressRequireClaim(['https://example.com/tier'], 2)
    fastifyRequireClaim('tenant', 'acme')
    honoRequireClaim('sub', 'user-1')
    nextRequireClaim('iss', ['https://a/', 'https://b/'])
    withBearer(async () => new Response(), { ...options, guards: [nextRequireRoles('admin'), nextRequireClaim('sub', (sub) => sub === 'x')] })
    // @ts-expect-error: tenant is a string
    expressRequireClaim('tenant', 5)
    // @ts-expect-error: roles holds strings
    expressRequireClaim('roles', true)
    // @ts-expect-error: exp is a number
    fastifyRequireClaim('exp', 'soon')
    // @ts-expect-error: sub is a string
    honoRequireClaim('sub', 1)
    // @ts-expect-error: an object is not a value to compare with
    expressRequireClaim('org', { plan: 'pro' })
  })
})
