import { serve } from '@hono/node-server'
import { Hono, type Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, requireAnyRole, requireAnyScope, requireClaim, requirePermissions, requireRoles, requireScopes } from '../../src/adapters/hono/index.js'
import { BearerError, type BearerAuth } from '../../src/index.js'
import { adapterFixture, appOptions, bearer as auth, CHALLENGE, CLAIM_DESCRIPTION, downOptions, GUARDED_ROUTES, isGlobex, expectAnswer, failureCases, PREFLIGHT, requestWithTwoAuthorizations, SEEN, type AdapterFixture } from './fixtures.js'

const seen = (a: BearerAuth | undefined) => ({ sub: a?.claims.sub, tenant: a?.claims.tenant, scopes: a?.scopes })
const me = (c: Context) => c.json(seen(c.get('auth') as BearerAuth | undefined))

/** Requests that reached an `app.all` handler (which must never run without auth). */
const reachedAll: string[] = []

function buildApp(f: AdapterFixture): Hono {
  const options = appOptions(f)
  const app = new Hono()
  // A CORS middleware mounted before bearer() that lets the preflight continue: its headers stay.
  app.use('/cors/*', async (c, next) => {
    c.header('Access-Control-Allow-Origin', 'https://app.example.com')
    await next()
  })
  app.use('/cors/*', bearer(options))
  app.all('/cors/danger', (c) => (reachedAll.push(`${c.req.method} /cors/danger`), c.text('ran')))
  app.use('/api/*', bearer(options))
  app.all('/api/danger', (c) => (reachedAll.push(`${c.req.method} auth=${(c as Context).get('auth' as never) ? 'yes' : 'no'}`), c.text('ran')))
  app.options('/api/me', (c) => c.body(null, 204))
  app.get('/api/me', me)
  app.get('/api/orders', requireScopes('read:orders'), me)
  app.get('/api/any', requireAnyScope('admin', 'read:orders'), me)
  app.get('/api/admin', requireRoles('admin'), me)
  app.get('/api/editor', requireAnyRole('admin', 'editor'), me)
  app.get('/api/perm', requirePermissions('delete:orders'), me)
  app.get('/api/claim', requireClaim('tenant', 'globex', { description: CLAIM_DESCRIPTION }), me)
  app.get('/api/async-claim', requireClaim('tenant', isGlobex), me)
  app.get('/down/me', bearer(downOptions(f)), me)
  app.get('/own-handler/me', bearer(options), me)
  app.get('/optional/me', bearer({ ...options, credentialsRequired: false }), me)
  app.get('/custom/me', bearer({ ...options, onError: (err, c) => c.json({ custom: err.reason }, err.status) }), me)
  app.options('/verify/me', bearer({ ...options, preflight: 'verify' }), (c) => c.body(null, 204))
  app.get('/unguarded', requireScopes('read:orders'), me)
  // A user's own error handler: the HTTPException's cause is the BearerError.
  app.onError((err, c) => {
    if (c.req.path.startsWith('/own-handler') && err instanceof HTTPException && BearerError.is(err.cause)) {
      return c.json({ mine: err.cause.reason }, err.cause.status, err.cause.headers)
    }
    return err instanceof HTTPException ? err.getResponse() : c.text('internal error', 500)
  })
  return app
}

describe('tokengate/hono on Hono 4 (@hono/node-server)', () => {
  let f: AdapterFixture
  let url: string
  let close: () => Promise<void>

  beforeAll(async () => {
    f = await adapterFixture()
    await new Promise<void>((resolve) => {
      const server = serve({ fetch: buildApp(f).fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
        url = `http://127.0.0.1:${info.port}`
        close = () => new Promise((done) => server.close(() => done()))
        resolve()
      })
    })
  })
  afterAll(async () => {
    await close()
    await f.close()
  })

  it('passes a valid token through with the claims the handler saw', async () => {
    const res = await expectAnswer(`${url}/api/me`, auth(f.valid), { status: 200 })
    expect(await res.json()).toEqual(SEEN)
    await expectAnswer(`${url}/api/orders`, auth(f.valid), { status: 200 })
    await expectAnswer(`${url}/api/any`, auth(f.valid), { status: 200 })
  })

  it('passes every guarded route for a token that meets its guard, twice (the second from the verified-token cache)', async () => {
    for (const path of GUARDED_ROUTES) {
      for (let i = 0; i < 2; i++) expect((await expectAnswer(`${url}${path}`, auth(f.staff), { status: 200 })).status).toBe(200)
      // The guard still runs for a token the cache holds: a cached token that fails it is refused.
      await expectAnswer(`${url}${path}`, auth(f.valid), { status: 403 })
      await expectAnswer(`${url}${path}`, auth(f.valid), { status: 403 })
    }
  })

  it.each(failureCases({} as AdapterFixture).map(([name]) => name))('answers %s', async (name) => {
    const [, path, init, expected] = failureCases(f).find(([n]) => n === name)!
    await expectAnswer(`${url}${path}`, init, expected)
  })

  it('rejects repeated Authorization fields, which arrive joined, with 400 header_malformed', async () => {
    const res = await requestWithTwoAuthorizations(`${url}/api/me`, `Bearer ${f.valid}`, `Bearer ${f.valid}`)
    expect(res).toEqual({ status: 400, wwwAuthenticate: CHALLENGE.twoTokens })
  })

  it("throws an HTTPException carrying the BearerError, for the app's own onError", async () => {
    const res = await expectAnswer(`${url}/own-handler/me`, auth(f.forged), { status: 401, wwwAuthenticate: CHALLENGE.forged })
    expect(await res.json()).toEqual({ mine: 'signature_invalid' })
  })

  it('lets onError answer failures', async () => {
    const res = await expectAnswer(`${url}/custom/me`, auth(f.expired), { status: 401 })
    expect(await res.json()).toEqual({ custom: 'token_expired' })
  })

  it('with credentialsRequired: false, passes a request without credentials with no auth, but still rejects a bad token', async () => {
    expect(await (await expectAnswer(`${url}/optional/me`, {}, { status: 200 })).json()).toEqual({})
    expect(await (await expectAnswer(`${url}/optional/me`, auth(f.valid), { status: 200 })).json()).toEqual(SEEN)
    await expectAnswer(`${url}/optional/me`, auth(f.expired), { status: 401, wwwAuthenticate: CHALLENGE.expired, reason: 'token_expired' })
  })

  it('answers a CORS preflight itself with 204: an app.all handler never runs without auth; preflight: verify checks it', async () => {
    reachedAll.length = 0
    for (const path of ['/api/me', '/api/danger', '/cors/danger']) {
      const res = await expectAnswer(`${url}${path}`, PREFLIGHT, { status: 204, wwwAuthenticate: null })
      expect(await res.text()).toBe('')
    }
    const cors = await expectAnswer(`${url}/cors/danger`, PREFLIGHT, { status: 204 })
    expect(cors.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(reachedAll).toEqual([])
    await expectAnswer(`${url}/api/danger`, { method: 'OPTIONS', ...auth(f.valid) }, { status: 200 })
    expect(reachedAll).toEqual(['OPTIONS auth=yes'])
    await expectAnswer(`${url}/verify/me`, PREFLIGHT, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
  })

  it('answers 401 token_missing, and never runs the handler, when requireScopes runs without bearer()', async () => {
    // A problem+json body with the reason: the guard answered, not the handler.
    await expectAnswer(`${url}/unguarded`, auth(f.valid), { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
  })

  it('runs on the Fetch API alone: app.fetch with a Request, no Node server', async () => {
    const app = buildApp(f)
    const ok = await app.fetch(new Request('http://edge.local/api/me', auth(f.valid)))
    expect(ok.status).toBe(200)
    const denied = await app.fetch(new Request('http://edge.local/api/orders', auth(f.noScope)))
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toBe(CHALLENGE.scope)
  })
})

describe('tokengate/hono setup', () => {
  it('rejects bad options at setup with a TypeError naming the option', async () => {
    const f = await adapterFixture()
    await f.close()
    expect(() => bearer({ ...f.options, preflight: 'skip' as never })).toThrow(/^tokengate: invalid hono option preflight: /)
    expect(() => bearer({ ...f.options, preflight: 'pass' as never })).toThrow("tokengate: invalid hono option preflight: 'pass' is gone")
    expect(() => bearer({ ...f.options, onError: 'x' as never })).toThrow('tokengate: invalid hono option onError: expected a function')
    expect(() => requireAnyScope('ok', 'not ok')).toThrow(/^tokengate: invalid guard option requireAnyScope\(\)\.1: /)
  })
})
