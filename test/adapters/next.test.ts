/**
 * The real Next.js app in examples/next (built by next-build.setup.ts), run with `next start`:
 * route handlers wrapped by withBearer, and middleware.ts on the edge runtime.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateSigningKey, type TestSigningKey } from '../../src/testing/keys.js'
import { signToken } from '../../src/testing/tokens.js'
import { bearer as auth, CHALLENGE, expectAnswer, listen, PREFLIGHT } from './fixtures.js'
import { start } from '../../examples/next/start.js'

const ISSUER = 'https://idp.example.com/'
const AUDIENCE = 'https://api.example.com'

async function freePort(): Promise<number> {
  const { url, close } = await listen(createServer())
  await close()
  return Number(new URL(url).port)
}

describe('tokengate/next in a real Next.js app (next start)', () => {
  let key: TestSigningKey
  let jwks: { url: string; close(): Promise<void> }
  let next: { url: string; close(): Promise<void> }
  let url: string
  const sign = async (extra: Record<string, unknown> = {}, signer?: TestSigningKey) => {
    const t = Math.floor(Date.now() / 1000)
    return signToken(signer ?? key, { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: t, exp: t + 600, scope: 'read:orders', ...extra })
  }

  beforeAll(async () => {
    key = await generateSigningKey('ES256', { kid: 'next-1' })
    jwks = await listen(
      createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.publicJwk] }))
      }),
    )
    next = await start(await freePort(), { ISSUER, AUDIENCE, JWKS_URI: `${jwks.url}/jwks.json` })
    url = next.url
  }, 60_000)

  afterAll(async () => {
    await next?.close()
    await jwks?.close()
  })

  // A second instance whose identity provider is down from the start, so no key is cached
  // (the key cache then serves stale keys or waits out a cooldown, see src/keys/jwks-cache.ts).
  it('answers 503 jwks_unavailable with no challenge while the JWKS endpoint fails', async () => {
    const down = await listen(createServer((_req, res) => void res.writeHead(500).end('down')))
    const outage = await start(await freePort(), { ISSUER, AUDIENCE, JWKS_URI: `${down.url}/jwks.json` })
    try {
      await expectAnswer(`${outage.url}/api/me`, auth(await sign()), { status: 503, wwwAuthenticate: null, reason: 'jwks_unavailable' })
      await expectAnswer(`${outage.url}/api/admin/stats`, auth(await sign({ scope: 'admin' })), { status: 503, wwwAuthenticate: null, reason: 'jwks_unavailable' })
    } finally {
      await outage.close()
      await down.close()
    }
  }, 60_000)

  it('passes a valid token to the route handler, which sees its claims', async () => {
    const res = await expectAnswer(`${url}/api/me`, auth(await sign()), { status: 200 })
    expect(await res.json()).toEqual({ sub: 'user-1', scopes: ['read:orders'] })
    await expectAnswer(`${url}/api/orders`, auth(await sign()), { status: 200 })
  })

  it('answers each bad request to a route handler with the exact challenge and a problem+json body', async () => {
    const stranger = await generateSigningKey('ES256', { kid: 'next-1' })
    const cases: [string, RequestInit, number, string, string][] = [
      ['/api/me', {}, 401, CHALLENGE.missing, 'token_missing'],
      ['/api/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }, 401, CHALLENGE.missing, 'token_missing'],
      ['/api/me', { headers: { authorization: 'Bearer' } }, 400, CHALLENGE.noToken, 'header_malformed'],
      ['/api/me', { headers: { authorization: 'Bearer a b' } }, 400, CHALLENGE.twoTokens, 'header_malformed'],
      ['/api/me', auth('abc.def'), 401, CHALLENGE.notJwt, 'token_malformed'],
      ['/api/me', auth(await sign({ exp: Math.floor(Date.now() / 1000) - 3600 })), 401, CHALLENGE.expired, 'token_expired'],
      ['/api/me', auth(await sign({}, stranger)), 401, CHALLENGE.forged, 'signature_invalid'],
      [`/api/me?access_token=${await sign()}`, {}, 401, CHALLENGE.missing, 'token_missing'],
      ['/api/orders', auth(await sign({ scope: 'read:profile' })), 403, CHALLENGE.scope, 'insufficient_scope'],
    ]
    for (const [path, init, status, wwwAuthenticate, reason] of cases) {
      await expectAnswer(`${url}${path}`, init, { status, wwwAuthenticate, reason })
    }
  })

  it('guards /api/admin from middleware.ts: 401 without a token, 403 without admin, 200 with it', async () => {
    await expectAnswer(`${url}/api/admin/stats`, {}, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' })
    await expectAnswer(`${url}/api/admin/stats`, auth(await sign()), {
      status: 403,
      wwwAuthenticate: 'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required scope", scope="admin"',
      reason: 'insufficient_scope',
    })
    const res = await expectAnswer(`${url}/api/admin/stats`, auth(await sign({ scope: 'admin' })), { status: 200 })
    expect(await res.json()).toEqual({ users: 42 })
  })

  it('answers a CORS preflight in middleware.ts itself with 204 (nothing behind it runs)', async () => {
    await expectAnswer(`${url}/api/admin/stats`, PREFLIGHT, { status: 204, wwwAuthenticate: null })
  })

  it('runs middleware.ts on the edge runtime', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../examples/next/.next/server/middleware-manifest.json', import.meta.url), 'utf8')) as { middleware: Record<string, { name: string }> }
    expect(Object.values(manifest.middleware).map((m) => m.name)).toEqual(['middleware'])
  })
})
