/**
 * The login → refresh → logout flow of docs/issuer.md on a real HTTP server (node:http, on
 * 127.0.0.1), with the verifier fetching the issuer's JWKS over HTTP like a separate API would.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BearerError, createVerifier, type Verifier } from '../../src/index.js'
import { createIssuer, IssuerError, toTokenResponse } from '../../src/issuer/index.js'
import { AUDIENCE, ISSUER } from './helpers.js'

const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE })
let server: Server
let base: string
let verifyBearer: Verifier

async function body(req: IncomingMessage): Promise<Record<string, string>> {
  let raw = ''
  for await (const chunk of req) raw += chunk
  return raw ? (JSON.parse(raw) as Record<string, string>) : {}
}

function send(res: ServerResponse, status: number, json?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Cache-Control': 'no-store', ...(json === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers })
  res.end(json === undefined ? undefined : JSON.stringify(json))
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (req.url === '/.well-known/jwks.json') return send(res, 200, await issuer.jwks(), { 'Cache-Control': 'public, max-age=300' })
    if (req.url === '/login') {
      const { username, password } = await body(req)
      if (username !== 'alice' || password !== 'wonderland') return send(res, 401, { error: 'invalid_grant' })
      return send(res, 200, toTokenResponse(await issuer.issue({ sub: 'user-alice', scopes: ['read:profile'] })))
    }
    if (req.url === '/token') return send(res, 200, toTokenResponse(await issuer.refresh((await body(req)).refresh_token!)))
    if (req.url === '/logout') {
      await issuer.revoke((await body(req)).refresh_token!)
      return send(res, 204)
    }
    if (req.url === '/me') {
      const auth = await verifyBearer(req.headers.authorization, { scopes: ['read:profile'] })
      return send(res, 200, { sub: auth.claims.sub })
    }
    send(res, 404)
  } catch (err) {
    if (IssuerError.is(err)) return send(res, err.status, err.toJSON(), err.headers)
    if (BearerError.is(err)) return send(res, err.status, err.toProblem(), err.headers)
    send(res, 500)
  }
}

beforeAll(async () => {
  server = createServer((req, res) => void route(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  verifyBearer = createVerifier({ issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', jwksUri: `${base}/.well-known/jwks.json`, isRevoked: issuer.isRevoked })
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const post = (path: string, json: unknown) => fetch(base + path, { method: 'POST', body: JSON.stringify(json) })
const me = (token: string) => fetch(`${base}/me`, { headers: { Authorization: `Bearer ${token}` } })

describe('login → refresh → logout over HTTP', () => {
  it('logs in, refreshes, detects reuse, and logs out', async () => {
    const login = await post('/login', { username: 'alice', password: 'wonderland' })
    expect(login.status).toBe(200)
    expect(login.headers.get('cache-control')).toBe('no-store')
    const first = (await login.json()) as { access_token: string; refresh_token: string; token_type: string; expires_in: number; scope: string }
    expect(first).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read:profile' })
    expect(await (await me(first.access_token)).json()).toEqual({ sub: 'user-alice' })

    const refreshed = await post('/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token })
    expect(refreshed.status).toBe(200)
    const second = (await refreshed.json()) as typeof first
    expect((await me(second.access_token)).status).toBe(200)

    const replay = await post('/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token })
    expect(replay.status).toBe(400)
    expect(await replay.json()).toEqual({ error: 'invalid_grant', error_description: 'The refresh token was already used; the session has been revoked' })
    const afterTheft = await me(second.access_token)
    expect(afterTheft.status).toBe(401)
    expect(afterTheft.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token", error_description="The token has been revoked"')

    const again = (await (await post('/login', { username: 'alice', password: 'wonderland' })).json()) as typeof first
    expect((await post('/logout', { refresh_token: again.refresh_token })).status).toBe(204)
    expect((await me(again.access_token)).status).toBe(401)
    expect((await post('/token', { grant_type: 'refresh_token', refresh_token: again.refresh_token })).status).toBe(400)
  })
})
