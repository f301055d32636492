import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import tokengate, { bearer, requireAnyRole, requireAnyScope, requireClaim, requirePermissions, requireScopes } from '../../src/adapters/fastify/index.js'
import { BearerError } from '../../src/index.js'
import { adapterFixture, appOptions, bearer as auth, CHALLENGE, CLAIM_DESCRIPTION, downOptions, GUARDED_ROUTES, isGlobex, expectAnswer, failureCases, PREFLIGHT, requestWithTwoAuthorizations, SEEN, type AdapterFixture } from './fixtures.js'

/** Requests that reached a handler that must never run without auth. */
const reachedAll: string[] = []

const me = async (request: FastifyRequest) => ({ sub: request.auth?.claims.sub, tenant: request.auth?.claims.tenant, scopes: request.auth?.scopes })

async function buildApp(f: AdapterFixture): Promise<FastifyInstance> {
  const app = Fastify()
  const options = appOptions(f)
  // Each configuration lives in its own encapsulated scope, as it would in an app.
  await app.register(
    async (api) => {
      await api.register(tokengate, { ...options, sendProblem: true })
      api.options('/me', { onRequest: api.authenticate }, async (_request, reply) => reply.code(204).send())
      api.get('/me', { onRequest: api.authenticate }, me)
      api.get('/orders', { onRequest: api.authenticate, config: { scopes: ['read:orders'] } }, me)
      api.get('/any', { onRequest: api.authenticate, preHandler: requireAnyScope('admin', 'read:orders') }, me)
      api.get('/scoped', { onRequest: api.authenticate, preHandler: requireScopes('read:orders') }, me)
      api.all('/danger', { onRequest: api.authenticate }, async (request) => (reachedAll.push(`${request.method} auth=${request.auth ? 'yes' : 'no'}`), 'ran'))
      // config.scopes on a route that forgot onRequest: api.authenticate: the scopes still hold.
      api.get('/forgot-hook', { config: { scopes: ['read:orders'] } }, async (request) => (reachedAll.push(`forgot-hook ${request.method}`), 'ran'))
      // The same for config.roles and config.permissions.
      api.get('/forgot-hook-roles', { config: { roles: ['admin'] } }, async () => (reachedAll.push('forgot-hook-roles'), 'ran'))
      api.get('/forgot-hook-permissions', { config: { permissions: ['delete:orders'] } }, async () => (reachedAll.push('forgot-hook-permissions'), 'ran'))
      // Route config for roles and permissions; preHandler hooks for the others.
      api.get('/admin', { onRequest: api.authenticate, config: { roles: ['admin'] } }, me)
      api.get('/editor', { onRequest: api.authenticate, preHandler: requireAnyRole('admin', 'editor') }, me)
      api.get('/perm', { onRequest: api.authenticate, config: { permissions: ['delete:orders'] } }, me)
      api.get('/claim', { onRequest: api.authenticate, preHandler: requireClaim('tenant', 'globex', { description: CLAIM_DESCRIPTION }) }, me)
      api.get('/async-claim', { onRequest: api.authenticate, preHandler: requireClaim('tenant', isGlobex) }, me)
      api.get('/config-all', { onRequest: api.authenticate, config: { scopes: ['read:orders'], roles: ['editor', 'admin'], roleMode: 'any', permissions: ['delete:orders'] } }, me)
      api.get('/perm-hook', { onRequest: api.authenticate, preHandler: requirePermissions('delete:orders') }, me)
    },
    { prefix: '/api' },
  )
  await app.register(
    async (down) => {
      await down.register(bearer, { ...downOptions(f), sendProblem: true, global: true })
      down.get('/me', me)
    },
    { prefix: '/down' },
  )
  await app.register(
    async (plain) => {
      await plain.register(bearer, { ...options, global: true })
      plain.get('/me', me)
    },
    { prefix: '/plain' },
  )
  await app.register(
    async (own) => {
      await own.register(bearer, { ...options, global: true })
      own.setErrorHandler((err, _request, reply) => {
        if (!BearerError.is(err)) throw err
        return reply.code(err.status).headers(err.headers).send({ mine: err.reason })
      })
      own.get('/me', me)
    },
    { prefix: '/own-handler' },
  )
  await app.register(
    async (optional) => {
      await optional.register(bearer, { ...options, credentialsRequired: false, sendProblem: true, global: true })
      optional.get('/me', me)
    },
    { prefix: '/optional' },
  )
  await app.register(
    async (custom) => {
      await custom.register(bearer, { ...options, global: true, onError: (err, _request, reply) => reply.code(err.status).send({ custom: err.reason }) })
      custom.get('/me', me)
    },
    { prefix: '/custom' },
  )
  await app.register(
    async (verify) => {
      await verify.register(bearer, { ...options, preflight: 'verify', sendProblem: true, global: true })
      verify.options('/me', async (_request, reply) => reply.code(204).send())
    },
    { prefix: '/verify' },
  )
  app.get('/unguarded', { preHandler: requireScopes('read:orders') }, me)
  return app
}

describe('tokengate/fastify on Fastify 5', () => {
  let f: AdapterFixture
  let app: FastifyInstance
  let url: string

  beforeAll(async () => {
    f = await adapterFixture()
    app = await buildApp(f)
    url = await app.listen({ port: 0, host: '127.0.0.1' })
  })
  afterAll(async () => {
    await app.close()
    await f.close()
  })

  it('passes a valid token through with the claims the handler saw', async () => {
    const res = await expectAnswer(`${url}/api/me`, auth(f.valid), { status: 200 })
    expect(await res.json()).toEqual(SEEN)
    for (const path of ['/api/orders', '/api/any', '/api/scoped', '/plain/me']) await expectAnswer(`${url}${path}`, auth(f.valid), { status: 200 })
  })

  it('passes every guarded route for a token that meets its guard, twice (the second from the verified-token cache)', async () => {
    for (const path of GUARDED_ROUTES) {
      for (let i = 0; i < 2; i++) expect((await expectAnswer(`${url}${path}`, auth(f.staff), { status: 200 })).status).toBe(200)
      // The guard still runs for a token the cache holds: a cached token that fails it is refused.
      await expectAnswer(`${url}${path}`, auth(f.valid), { status: 403 })
      await expectAnswer(`${url}${path}`, auth(f.valid), { status: 403 })
    }
  })

  it('checks roles, permissions and scopes named together in route config, each with its own reason', async () => {
    await expectAnswer(`${url}/api/config-all`, auth(f.staff), { status: 200 })
    await expectAnswer(`${url}/api/config-all`, auth(f.noScope), { status: 403, wwwAuthenticate: CHALLENGE.scope, reason: 'insufficient_scope' })
    await expectAnswer(`${url}/api/config-all`, auth(f.valid), { status: 403, wwwAuthenticate: CHALLENGE.anyRole, reason: 'role_missing' })
    await expectAnswer(`${url}/api/perm-hook`, auth(f.staff), { status: 200 })
    await expectAnswer(`${url}/api/perm-hook`, auth(f.scopeNotPermission), { status: 403, wwwAuthenticate: CHALLENGE.permission, reason: 'permission_missing' })
  })

  it.each(failureCases({} as AdapterFixture).map(([name]) => name))('answers %s', async (name) => {
    const [, path, init, expected] = failureCases(f).find(([n]) => n === name)!
    await expectAnswer(`${url}${path}`, init, expected)
  })

  it('answers a missing scope from requireScopes with 403 insufficient_scope', async () => {
    await expectAnswer(`${url}/api/scoped`, auth(f.noScope), { status: 403, wwwAuthenticate: CHALLENGE.scope, reason: 'insufficient_scope' })
  })

  it('rejects repeated Authorization fields with 400 header_malformed', async () => {
    const res = await requestWithTwoAuthorizations(`${url}/api/me`, `Bearer ${f.valid}`, `Bearer ${f.valid}`)
    expect(res).toEqual({ status: 400, wwwAuthenticate: CHALLENGE.repeated })
  })

  it("throws failures to Fastify's error handler, which sends status and WWW-Authenticate", async () => {
    const res = await expectAnswer(`${url}/plain/me`, auth(f.expired), { status: 401, wwwAuthenticate: CHALLENGE.expired })
    expect(await res.json()).toMatchObject({ statusCode: 401, code: 'invalid_token', error: 'Unauthorized' })
    await expectAnswer(`${url}/plain/me`, {}, { status: 401, wwwAuthenticate: CHALLENGE.missing })
  })

  it("hands failures to the scope's own error handler as a BearerError", async () => {
    const res = await expectAnswer(`${url}/own-handler/me`, auth(f.forged), { status: 401, wwwAuthenticate: CHALLENGE.forged })
    expect(await res.json()).toEqual({ mine: 'signature_invalid' })
  })

  it('lets onError answer failures', async () => {
    const res = await expectAnswer(`${url}/custom/me`, auth(f.expired), { status: 401 })
    expect(await res.json()).toEqual({ custom: 'token_expired' })
  })

  it('with credentialsRequired: false, passes a request without credentials with auth null, but still rejects a bad token', async () => {
    expect(await (await expectAnswer(`${url}/optional/me`, {}, { status: 200 })).json()).toEqual({})
    expect(await (await expectAnswer(`${url}/optional/me`, auth(f.valid), { status: 200 })).json()).toEqual(SEEN)
    await expectAnswer(`${url}/optional/me`, auth(f.expired), { status: 401, wwwAuthenticate: CHALLENGE.expired, reason: 'token_expired' })
  })

  it('answers a CORS preflight itself with 204: an all-methods handler never runs without auth; preflight: verify checks it', async () => {
    reachedAll.length = 0
    for (const path of ['/api/me', '/api/danger']) {
      const res = await expectAnswer(`${url}${path}`, PREFLIGHT, { status: 204, wwwAuthenticate: null })
      expect(await res.text()).toBe('')
    }
    expect(reachedAll).toEqual([])
    await expectAnswer(`${url}/api/danger`, { method: 'OPTIONS', ...auth(f.valid) }, { status: 200 })
    expect(reachedAll).toEqual(['OPTIONS auth=yes'])
    await expectAnswer(`${url}/verify/me`, PREFLIGHT, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
  })

  it('enforces config.scopes, roles and permissions even on a route without fastify.authenticate: 401, never the handler', async () => {
    reachedAll.length = 0
    for (const path of ['/api/forgot-hook', '/api/forgot-hook-roles', '/api/forgot-hook-permissions']) {
      await expectAnswer(`${url}${path}`, auth(f.valid), { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
      await expectAnswer(`${url}${path}`, {}, { status: 401, wwwAuthenticate: CHALLENGE.missing })
    }
    expect(reachedAll).toEqual([])
  })

  it('answers 401, and never runs the handler, when requireScopes runs without fastify.authenticate', async () => {
    const res = await expectAnswer(`${url}/unguarded`, auth(f.valid), { status: 401, wwwAuthenticate: CHALLENGE.missing })
    expect(await res.text()).not.toContain('user-1')
  })
})

describe('tokengate/fastify logs', () => {
  it("a 401 thrown to Fastify's error handler is logged at info level (Fastify's rule for 4xx) with no stack trace", async () => {
    const f = await adapterFixture()
    const lines: Record<string, any>[] = []
    const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line)) } } })
    await app.register(bearer, { ...appOptions(f), logger: false, global: true })
    app.get('/me', me)
    try {
      const res = await app.inject({ url: '/me', headers: { authorization: `Bearer ${f.expired}` } })
      expect(res.statusCode).toBe(401)
      const logged = lines.filter((l) => l.err)
      expect(logged).toHaveLength(1)
      expect(logged[0]).toMatchObject({ level: 30, err: { type: 'BearerError', message: 'The token has expired', stack: 'BearerError [token_expired]: The token has expired' } })
      expect(lines.filter((l) => l.level >= 40)).toEqual([])
    } finally {
      await app.close()
      await f.close()
    }
  })
})

describe('tokengate/fastify encapsulation: a route never silently loses its protection', () => {
  let f: AdapterFixture
  beforeAll(async () => {
    f = await adapterFixture()
  })
  afterAll(async () => {
    await f.close()
  })

  it('fails at startup when a sibling context uses app.authenticate where the plugin is not registered', async () => {
    const app = Fastify()
    await app.register(async (secured) => {
      await secured.register(tokengate, f.options)
      secured.get('/a', { onRequest: secured.authenticate }, async () => 'a')
    })
    app.register(async (sibling) => {
      sibling.get('/b', { onRequest: sibling.authenticate }, async () => 'unprotected')
    })
    await expect(app.ready()).rejects.toThrow(
      'tokengate: invalid fastify option authenticate: route GET /b uses fastify.authenticate where the tokengate plugin is not registered',
    )
    await app.close().catch(() => {})
  })

  it('also when the route is declared on the root after the plugin went into a child context', async () => {
    const app = Fastify()
    await app.register(async (child) => {
      await child.register(tokengate, f.options)
    })
    expect(() => app.get('/root', { onRequest: [app.authenticate] }, async () => 'unprotected')).toThrow(/route GET \/root uses fastify\.authenticate where the tokengate plugin is not registered/)
    await app.close()
  })

  it('fails closed at request time where the hook is only looked up then: 500, and the handler never runs', async () => {
    const app = Fastify()
    let ran = 0
    await app.register(async (secured) => {
      await secured.register(tokengate, f.options)
    })
    await app.register(async (sibling) => {
      sibling.get('/late', { onRequest: (request, reply) => sibling.authenticate(request, reply) }, async () => (ran++, 'unprotected'))
      // A sibling route declaring scopes but no hook at all: the scopes still hold (401).
      sibling.get('/scoped', { config: { scopes: ['read:orders'] } }, async () => (ran++, 'unprotected'))
    })
    const late = await app.inject({ url: '/late', headers: { authorization: `Bearer ${f.valid}` } })
    expect(late.statusCode).toBe(500)
    expect(late.json()).toMatchObject({ message: expect.stringContaining('route GET /late uses fastify.authenticate where the tokengate plugin is not registered') })
    const scoped = await app.inject({ url: '/scoped', headers: { authorization: `Bearer ${f.valid}` } })
    expect(scoped.statusCode).toBe(401)
    expect(scoped.headers['www-authenticate']).toBe(CHALLENGE.missing)
    expect(ran).toBe(0)
    await app.close()
  })

  it('keeps working where it is registered: the same app, two contexts, each with its own plugin', async () => {
    const app = Fastify()
    for (const prefix of ['/one', '/two']) {
      await app.register(
        async (scope) => {
          await scope.register(tokengate, f.options)
          scope.get('/me', { onRequest: scope.authenticate, config: { scopes: ['read:orders'] } }, async (request) => request.auth?.claims.sub)
        },
        { prefix },
      )
    }
    for (const path of ['/one/me', '/two/me']) {
      expect((await app.inject({ url: path, headers: { authorization: `Bearer ${f.valid}` } })).body).toBe('user-1')
      expect((await app.inject({ url: path })).statusCode).toBe(401)
    }
    await app.close()
  })
})

describe('tokengate/fastify setup', () => {
  it('rejects bad options and bad route scopes at setup with a TypeError naming them', async () => {
    const f = await adapterFixture()
    await f.close()
    await expect(Fastify().register(bearer, { ...f.options, scopes: ['read orders'] })).rejects.toThrow(/^tokengate: invalid fastify option scopes\.0: /)
    await expect(Fastify().register(bearer, { ...f.options, global: 1 as never })).rejects.toThrow('tokengate: invalid fastify option global: expected true or false')
    const app = Fastify()
    await app.register(bearer, f.options)
    expect(() => app.get('/x', { onRequest: app.authenticate, config: { scopes: ['a b'] } }, async () => 'x')).toThrow(/^tokengate: invalid fastify option config\.scopes\.0: .*\(route GET \/x\)$/)
    expect(() => app.get('/y', { onRequest: app.authenticate, config: { scopes: ['a'], scopeMode: 'some' as never } }, async () => 'y')).toThrow(
      "tokengate: invalid fastify option config.scopeMode: expected 'all' or 'any' (route GET /y)",
    )
    expect(() => requireScopes()).toThrow('tokengate: invalid guard option requireScopes(): name at least one scope')
    await expect(Fastify().register(bearer, { ...f.options, preflight: 'pass' as never })).rejects.toThrow("tokengate: invalid fastify option preflight: 'pass' is gone")
    await app.close()
  })
})
