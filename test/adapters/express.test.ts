import express, { type ErrorRequestHandler, type Request, type Response } from 'express'
import express4 from 'express4'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { bearer, requireAnyRole, requireAnyScope, requireClaim, requirePermissions, requireRoles, requireScopes } from '../../src/adapters/express/index.js'
import { BearerError, type BearerAuth } from '../../src/index.js'
import { adapterFixture, appOptions, bearer as auth, CHALLENGE, CLAIM_DESCRIPTION, downOptions, GUARDED_ROUTES, isGlobex, expectAnswer, failureCases, listen, PREFLIGHT, requestWithTwoAuthorizations, SEEN, type AdapterFixture } from './fixtures.js'
import { createServer } from 'node:http'
import { format } from 'node:util'

const seen = (a: BearerAuth | undefined) => ({ sub: a?.claims.sub, tenant: a?.claims.tenant, scopes: a?.scopes })

/** Requests that reached an `app.all` handler (which must never run without auth). */
const reachedAll: string[] = []

function buildApp(createApp: typeof express, f: AdapterFixture): express.Express {
  const app = createApp()
  const options = appOptions(f)
  const me = (req: Request, res: Response) => void res.json(seen(req.auth))
  // A CORS middleware mounted before bearer() that lets the preflight continue: its headers stay.
  app.use('/cors', (_req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', 'https://app.example.com')
    res.setHeader('Access-Control-Allow-Headers', 'authorization')
    next()
  })
  app.use('/cors', bearer({ ...options, sendProblem: true }))
  app.all('/cors/danger', (req, res) => void (reachedAll.push(`${req.method} ${req.path}`), res.sendStatus(200)))
  app.use('/api', bearer({ ...options, sendProblem: true }))
  app.all('/api/danger', (req, res) => void (reachedAll.push(`${req.method} ${req.path} auth=${req.auth ? 'yes' : 'no'}`), res.sendStatus(200)))
  app.options('/api/me', (_req, res) => void res.sendStatus(204))
  app.get('/api/me', me)
  app.get('/api/orders', requireScopes('read:orders'), me)
  app.get('/api/any', requireAnyScope('admin', 'read:orders'), me)
  app.get('/api/admin', requireRoles('admin'), me)
  app.get('/api/editor', requireAnyRole('admin', 'editor'), me)
  app.get('/api/perm', requirePermissions('delete:orders'), me)
  app.get('/api/claim', requireClaim('tenant', 'globex', { description: CLAIM_DESCRIPTION }), me)
  app.get('/api/async-claim', requireClaim('tenant', isGlobex), me)
  app.get('/down/me', bearer({ ...downOptions(f), sendProblem: true }), me)
  app.get('/plain/me', bearer(options), me)
  app.get('/next/me', bearer({ ...options, sendProblem: false }), me)
  app.get('/own-handler/me', bearer({ ...options, sendProblem: false }), me)
  app.get('/optional/me', bearer({ ...options, credentialsRequired: false, sendProblem: true }), me)
  app.get('/custom/me', bearer({ ...options, onError: (err, _req, res) => void res.status(err.status).json({ custom: err.reason }) }), me)
  app.options('/verify/me', bearer({ ...options, preflight: 'verify', sendProblem: true }), (_req, res) => void res.sendStatus(204))
  app.get('/unguarded', requireScopes('read:orders'), me)
  // A user's own error handler, reading what BearerError carries.
  const ownHandler: ErrorRequestHandler = (err, req, res, next) => {
    if (!req.path.startsWith('/own-handler') || !BearerError.is(err)) return next(err)
    res.status(err.status).set(err.headers).json({ mine: err.reason })
  }
  app.use(ownHandler)
  return app
}

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
])('tokengate/express on %s', (_name, createApp) => {
  let f: AdapterFixture
  let url: string
  let close: () => Promise<void>

  beforeAll(async () => {
    f = await adapterFixture()
    ;({ url, close } = await listen(createServer(buildApp(createApp, f))))
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

  it('rejects repeated Authorization fields with 400 header_malformed', async () => {
    const res = await requestWithTwoAuthorizations(`${url}/api/me`, `Bearer ${f.valid}`, `Bearer ${f.valid}`)
    expect(res.status).toBe(400)
    expect(res.wwwAuthenticate).toBe(CHALLENGE.repeated)
  })

  it('answers problem+json by default (no sendProblem option)', async () => {
    const res = await expectAnswer(`${url}/plain/me`, auth(f.expired), { status: 401, wwwAuthenticate: CHALLENGE.expired, reason: 'token_expired' })
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    await expectAnswer(`${url}/plain/me`, {}, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
  })

  it("with sendProblem: false, hands failures to next(err): Express's finalhandler sends status and WWW-Authenticate", async () => {
    await expectAnswer(`${url}/next/me`, {}, { status: 401, wwwAuthenticate: CHALLENGE.missing })
    const res = await expectAnswer(`${url}/next/me`, auth(f.expired), { status: 401, wwwAuthenticate: CHALLENGE.expired })
    expect(res.headers.get('content-type')).not.toBe('application/problem+json')
  })

  it("hands failures to the user's error handler as a BearerError", async () => {
    const res = await expectAnswer(`${url}/own-handler/me`, auth(f.forged), { status: 401, wwwAuthenticate: CHALLENGE.forged })
    expect(await res.json()).toEqual({ mine: 'signature_invalid' })
  })

  it('lets onError answer failures', async () => {
    const res = await expectAnswer(`${url}/custom/me`, auth(f.expired), { status: 401 })
    expect(await res.json()).toEqual({ custom: 'token_expired' })
  })

  it('with credentialsRequired: false, passes a request without credentials with no auth, but still rejects a bad token', async () => {
    const res = await expectAnswer(`${url}/optional/me`, {}, { status: 200 })
    expect(await res.json()).toEqual({})
    expect(await (await expectAnswer(`${url}/optional/me`, auth(f.valid), { status: 200 })).json()).toEqual(SEEN)
    await expectAnswer(`${url}/optional/me`, auth(f.expired), { status: 401, wwwAuthenticate: CHALLENGE.expired, reason: 'token_expired' })
  })

  it('answers a CORS preflight itself with 204: an app.all handler never runs without auth; preflight: verify checks it', async () => {
    reachedAll.length = 0
    for (const path of ['/api/me', '/api/danger', '/cors/danger']) {
      const res = await expectAnswer(`${url}${path}`, PREFLIGHT, { status: 204, wwwAuthenticate: null })
      expect(await res.text()).toBe('')
    }
    // Headers of a CORS middleware mounted before bearer() are kept.
    const cors = await expectAnswer(`${url}/cors/danger`, PREFLIGHT, { status: 204 })
    expect(cors.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(reachedAll).toEqual([])
    // An OPTIONS that is not a preflight is verified like any request.
    await expectAnswer(`${url}/api/danger`, { method: 'OPTIONS' }, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
    await expectAnswer(`${url}/api/danger`, { method: 'OPTIONS', ...auth(f.valid) }, { status: 200 })
    expect(reachedAll).toEqual(['OPTIONS /api/danger auth=yes'])
    await expectAnswer(`${url}/verify/me`, PREFLIGHT, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
  })

  it('answers 401 token_missing, and never runs the handler, when requireScopes runs without bearer()', async () => {
    // A problem+json body with the reason: the guard answered, not the handler.
    await expectAnswer(`${url}/unguarded`, auth(f.valid), { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
  })
})

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
])('tokengate/express logs on %s (env production, where Express logs every error passed to next)', (_name, createApp) => {
  let f: AdapterFixture
  beforeAll(async () => {
    f = await adapterFixture()
  })
  afterAll(() => f.close())

  async function logged(options: Parameters<typeof bearer>[0], init: RequestInit): Promise<{ status: number; lines: string[] }> {
    const app = createApp()
    app.set('env', 'production')
    app.get('/me', bearer(options), (_req, res) => void res.json({}))
    const { url, close } = await listen(createServer(app))
    const lines: string[] = []
    // As the console prints them (an Error: its stack, then its own properties).
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(format(...args)))
    try {
      const res = await fetch(`${url}/me`, init)
      await res.arrayBuffer()
      // finalhandler logs on the next turn (setImmediate), after the response.
      await new Promise((resolve) => setTimeout(resolve, 50))
      return { status: res.status, lines }
    } finally {
      spy.mockRestore()
      await close()
    }
  }

  it('by default a 401 is answered without anything logged', async () => {
    expect(await logged({ ...appOptions(f), logger: false }, auth(f.expired))).toEqual({ status: 401, lines: [] })
  })

  it('with sendProblem: false a 401 reaches Express, which logs one line and no stack trace', async () => {
    const { status, lines } = await logged({ ...appOptions(f), logger: false, sendProblem: false }, auth(f.expired))
    expect(status).toBe(401)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^\[?BearerError \[token_expired\]: The token has expired\b/)
    expect(lines[0]).not.toMatch(/^\s+at /m)
  })
})

describe('tokengate/express setup', () => {
  it('rejects bad options at setup with a TypeError naming the option', async () => {
    const f = await adapterFixture()
    await f.close()
    expect(() => bearer({ ...f.options, scopes: ['read orders'] })).toThrow(/^tokengate: invalid express option scopes\.0: /)
    expect(() => bearer({ ...f.options, sendProblem: 'yes' as never })).toThrow('tokengate: invalid express option sendProblem: expected true or false')
    expect(() => bearer({ ...f.options, audience: undefined as never })).toThrow('tokengate: invalid verifier option audience')
    expect(() => bearer({ verifier: (() => {}) as never, issuer: 'x' } as never)).toThrow('tokengate: invalid express option issuer: give it to createVerifier')
    expect(() => requireScopes()).toThrow('tokengate: invalid guard option requireScopes(): name at least one scope')
    expect(() => bearer({ ...f.options, preflight: 'pass' as never })).toThrow("tokengate: invalid express option preflight: 'pass' is gone")
  })
})
