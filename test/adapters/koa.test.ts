import Router from '@koa/router'
import Koa, { type Context } from 'koa'
import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, requireAnyRole, requireAnyScope, requireClaim, requirePermissions, requireRoles, requireScopes } from '../../src/adapters/koa/index.js'
import { BearerError, type BearerAuth } from '../../src/index.js'
import { adapterFixture, appOptions, bearer as auth, CHALLENGE, CLAIM_DESCRIPTION, downOptions, GUARDED_ROUTES, isGlobex, expectAnswer, failureCases, listen, PREFLIGHT, requestWithTwoAuthorizations, SEEN, type AdapterFixture } from './fixtures.js'

const seen = (a: BearerAuth | undefined) => ({ sub: a?.claims.sub, tenant: a?.claims.tenant, scopes: a?.scopes })
const me = (ctx: Context) => void (ctx.body = seen(ctx.state.auth as BearerAuth | undefined))

function buildApp(f: AdapterFixture, reached: string[]): Koa {
  const options = appOptions(f)
  const app = new Koa()
  // A CORS middleware mounted before bearer(): its headers stay on the preflight answer.
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/api/')) ctx.set({ 'Access-Control-Allow-Origin': 'https://app.example.com', 'Access-Control-Allow-Headers': 'authorization' })
    await next()
  })
  // A user's own error middleware: BearerErrors thrown from onError reach it.
  app.use(async (ctx, next) => {
    try {
      await next()
    } catch (err) {
      if (!BearerError.is(err)) throw err
      ctx.status = err.status
      ctx.set(err.headers)
      ctx.body = { mine: err.reason }
    }
  })
  const api = new Router({ prefix: '/api' })
  api.use(bearer(options))
  api.options('/me', (ctx) => void (ctx.status = 204))
  api.all('/danger', (ctx) => void (reached.push(`${ctx.method} ${ctx.path} auth=${ctx.state.auth ? 'yes' : 'no'}`), (ctx.status = 200)))
  api.get('/me', me)
  api.get('/orders', requireScopes('read:orders'), me)
  api.get('/any', requireAnyScope('admin', 'read:orders'), me)
  api.get('/admin', requireRoles('admin'), me)
  api.get('/editor', requireAnyRole('admin', 'editor'), me)
  api.get('/perm', requirePermissions('delete:orders'), me)
  api.get('/claim', requireClaim('tenant', 'globex', { description: CLAIM_DESCRIPTION }), me)
  api.get('/async-claim', requireClaim('tenant', isGlobex), me)
  const other = new Router()
  other.get('/down/me', bearer(downOptions(f)), me)
  other.get('/own-handler/me', bearer({ ...options, onError: (err) => { throw err } }), me)
  other.get('/optional/me', bearer({ ...options, credentialsRequired: false }), me)
  other.get('/custom/me', bearer({ ...options, onError: (err, ctx) => void ((ctx.status = err.status), (ctx.body = { custom: err.reason })) }), me)
  other.options('/verify/me', bearer({ ...options, preflight: 'verify' }), (ctx) => void (ctx.status = 204))
  other.get('/unguarded', requireScopes('read:orders'), me)
  app.use(api.routes()).use(other.routes())
  return app
}

describe('tokengate/koa on Koa 3 (@koa/router)', () => {
  let f: AdapterFixture
  let url: string
  let close: () => Promise<void>
  const reached: string[] = []

  beforeAll(async () => {
    f = await adapterFixture()
    ;({ url, close } = await listen(createServer(buildApp(f, reached).callback())))
  })
  afterAll(async () => {
    await close()
    await f.close()
  })

  it('passes a valid token through with the claims the handler saw on ctx.state.auth', async () => {
    const res = await expectAnswer(`${url}/api/me`, auth(f.valid), { status: 200 })
    expect(await res.json()).toEqual(SEEN)
    await expectAnswer(`${url}/api/orders`, auth(f.valid), { status: 200 })
    await expectAnswer(`${url}/api/any`, auth(f.valid), { status: 200 })
  })

  it('passes every guarded route for a token that meets its guard, twice (the second from the verified-token cache)', async () => {
    for (const path of GUARDED_ROUTES) {
      for (let i = 0; i < 2; i++) expect(await (await expectAnswer(`${url}${path}`, auth(f.staff), { status: 200 })).json()).toMatchObject({ sub: 'user-1', tenant: 'globex' })
      await expectAnswer(`${url}${path}`, auth(f.valid), { status: 403 })
    }
  })

  it.each(failureCases({} as AdapterFixture).map(([name]) => name))('answers %s', async (name) => {
    const [, path, init, expected] = failureCases(f).find(([n]) => n === name)!
    const res = await expectAnswer(`${url}${path}`, init, expected)
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('rejects repeated Authorization fields with 400 header_malformed', async () => {
    const res = await requestWithTwoAuthorizations(`${url}/api/me`, `Bearer ${f.valid}`, `Bearer ${f.valid}`)
    expect(res).toEqual({ status: 400, wwwAuthenticate: CHALLENGE.repeated })
  })

  it("lets onError rethrow the BearerError to the app's own error middleware", async () => {
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

  it('answers a CORS preflight itself with 204 (a router.all handler never runs without auth); preflight: verify checks it', async () => {
    reached.length = 0
    for (const path of ['/api/me', '/api/danger']) {
      const res = await expectAnswer(`${url}${path}`, PREFLIGHT, { status: 204, wwwAuthenticate: null })
      expect(await res.text()).toBe('')
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    }
    expect(reached).toEqual([])
    await expectAnswer(`${url}/api/danger`, { method: 'OPTIONS' }, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
    await expectAnswer(`${url}/api/danger`, { method: 'OPTIONS', ...auth(f.valid) }, { status: 200 })
    expect(reached).toEqual(['OPTIONS /api/danger auth=yes'])
    await expectAnswer(`${url}/verify/me`, PREFLIGHT, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
  })

  it('answers 401 token_missing, and never runs the handler, when a guard runs without bearer()', async () => {
    await expectAnswer(`${url}/unguarded`, auth(f.valid), { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
  })
})

describe('tokengate/koa setup', () => {
  it('rejects bad options at setup with a ConfigError naming the option', async () => {
    const f = await adapterFixture()
    await f.close()
    expect(() => bearer({ ...f.options, onError: 'no' as never })).toThrow('tokengate: invalid koa option onError: expected a function')
    expect(() => bearer({ ...f.options, scopes: ['read orders'] })).toThrow(/^tokengate: invalid koa option scopes\.0: /)
    expect(() => requireAnyScope()).toThrow('tokengate: invalid guard option requireAnyScope(): name at least one scope')
  })
})
