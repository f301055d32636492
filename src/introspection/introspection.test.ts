/**
 * Introspection through the verifier, in process: an injected `fetch` plays the authorization
 * server, the verifier's `now` drives time. The real server (oidc-provider) and real HTTP
 * faults are in test/introspection/.
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createVerifier } from '../core/create-verifier.js'
import { ConfigError } from '../errors/config-error.js'
import type { VerifierEvent } from '../core/options.js'
import type { IntrospectionOptions } from './options.js'
import { AUDIENCE, bearer, expectReject, fixture, ISSUER, NOW_S } from '../../test/helpers/setup.js'

const ENDPOINT = 'https://idp.example.com/oauth2/introspect'
const OPAQUE = 'SPjILZGlq2D1xk0mJ3Hc7n9UeQWvT4bRyA8oNfKdw5s'

interface Call {
  readonly url: string
  readonly method: string | undefined
  readonly headers: Record<string, string>
  readonly body: URLSearchParams
}

/** A fake authorization server: `answer` per call; records every call. */
function server(answer: (form: URLSearchParams, call: number) => Response | Promise<Response> | unknown) {
  const calls: Call[] = []
  const fetch = (async (url: string | URL, init?: RequestInit) => {
    const form = new URLSearchParams(String(init?.body ?? ''))
    calls.push({ url: String(url), method: init?.method, headers: Object.fromEntries(new Headers(init?.headers).entries()), body: form })
    const out = await answer(form, calls.length)
    return out instanceof Response ? out : Response.json(out)
  }) as typeof globalThis.fetch
  return { calls, fetch }
}

function clock(start = NOW_S * 1000) {
  let t = start
  return { now: () => t, advance: (seconds: number) => void (t += seconds * 1000) }
}

const active = (extra: Record<string, unknown> = {}) => ({ active: true, client_id: 'svc', sub: 'user-1', scope: 'read write', exp: NOW_S + 600, iat: NOW_S - 10, iss: ISSUER, token_type: 'Bearer', ...extra })
const settings = (extra: Partial<IntrospectionOptions> = {}): IntrospectionOptions => ({ endpoint: ENDPOINT, clientId: 'orders api', clientSecret: 's3cr&t:x', ...extra })

async function opaqueVerifier(answer: Parameters<typeof server>[0], extra: Partial<IntrospectionOptions> = {}, more: Record<string, unknown> = {}) {
  const f = await fixture('ES256')
  const as = server(answer)
  const c = clock()
  const events: VerifierEvent[] = []
  const verify = createVerifier({ ...f.options, now: c.now, fetch: as.fetch, introspection: settings(extra), onEvent: (e) => void events.push(e), ...more })
  return { f, as, c, verify, events }
}

describe('introspection (RFC 7662) through the verifier', () => {
  it('routes by shape: a JWT is verified locally and never introspected; an opaque token is', async () => {
    const { f, as, verify } = await opaqueVerifier(() => active())
    const jwt = await verify(bearer(await f.sign({ scope: 'read' })))
    expect(jwt.kind).toBe('jwt')
    expect(as.calls).toHaveLength(0)
    const auth = await verify(bearer(OPAQUE), { scopes: ['read'] })
    expect(auth).toMatchObject({ kind: 'introspected', token: OPAQUE, scopes: ['read', 'write'] })
    expect(auth.claims).toEqual({ client_id: 'svc', sub: 'user-1', scope: 'read write', exp: NOW_S + 600, iat: NOW_S - 10, iss: ISSUER, token_type: 'Bearer' })
    expect(auth.header).toBeUndefined()
    expect(as.calls).toHaveLength(1)
  })

  it('sends the token with client_secret_basic by default (form-encoded id and secret, RFC 6749 §2.3.1)', async () => {
    const { as, verify } = await opaqueVerifier(() => active())
    await verify(bearer(OPAQUE))
    const [call] = as.calls
    expect(call).toMatchObject({ url: ENDPOINT, method: 'POST' })
    expect(call!.headers).toMatchObject({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' })
    expect(call!.headers.authorization).toBe(`Basic ${btoa('orders+api:s3cr%26t%3Ax')}`)
    expect(Object.fromEntries(call!.body)).toEqual({ token: OPAQUE, token_type_hint: 'access_token' })
  })

  it('sends client_id and client_secret in the body with client_secret_post', async () => {
    const { as, verify } = await opaqueVerifier(() => active(), { clientAuth: 'client_secret_post' })
    await verify(bearer(OPAQUE))
    expect(as.calls[0]!.headers.authorization).toBeUndefined()
    expect(Object.fromEntries(as.calls[0]!.body)).toEqual({ token: OPAQUE, token_type_hint: 'access_token', client_id: 'orders api', client_secret: 's3cr&t:x' })
  })

  it('answers active: false with 401 token_inactive, remembered for the negative ttl only', async () => {
    const { as, c, verify } = await opaqueVerifier(() => ({ active: false }), { cache: { negativeTtl: '3s' } })
    await expectReject(verify(bearer(OPAQUE)), 'token_inactive', { status: 401, wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token is not active"' })
    c.advance(2.9)
    await expectReject(verify(bearer(OPAQUE)), 'token_inactive')
    expect(as.calls).toHaveLength(1)
    c.advance(0.2)
    await expectReject(verify(bearer(OPAQUE)), 'token_inactive')
    expect(as.calls).toHaveLength(2)
  })

  it('makes one call for any number of concurrent requests bearing the same token', async () => {
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const { as, verify } = await opaqueVerifier(async () => {
      await gate
      return active()
    })
    const all = Promise.all(Array.from({ length: 50 }, () => verify(bearer(OPAQUE))))
    await new Promise((r) => setTimeout(r, 20))
    release()
    const results = await all
    expect(as.calls).toHaveLength(1)
    expect(new Set(results.map((r) => r.claims)).size).toBe(1)
    // Another token is another call.
    await verify(bearer(`${OPAQUE}x`))
    expect(as.calls).toHaveLength(2)
  })

  it('reuses an active answer until the configured ttl, then asks again', async () => {
    const { as, c, verify } = await opaqueVerifier(() => active(), { cache: { ttl: '30s' } })
    await verify(bearer(OPAQUE))
    c.advance(29)
    await verify(bearer(OPAQUE))
    expect(as.calls).toHaveLength(1)
    c.advance(2)
    await verify(bearer(OPAQUE))
    expect(as.calls).toHaveLength(2)
  })

  it('never reuses an active answer past exp plus the clock tolerance, however long the ttl', async () => {
    const { as, c, verify } = await opaqueVerifier((_form, n) => (n === 1 ? active({ exp: NOW_S + 10 }) : { active: false }), { cache: { ttl: '1h' } })
    await verify(bearer(OPAQUE))
    c.advance(14.9)
    await verify(bearer(OPAQUE))
    expect(as.calls).toHaveLength(1)
    c.advance(0.2)
    await expectReject(verify(bearer(OPAQUE)), 'token_inactive')
    expect(as.calls).toHaveLength(2)
  })

  it('keeps refusals apart from active answers: a flood of made-up tokens does not evict a real one', async () => {
    const { as, verify } = await opaqueVerifier((form) => (form.get('token') === OPAQUE ? active() : { active: false }), { cache: { max: 3 } })
    await verify(bearer(OPAQUE))
    for (let i = 0; i < 20; i++) await expectReject(verify(bearer(`madeup${i}`)), 'token_inactive')
    expect(as.calls).toHaveLength(21)
    await expect(verify(bearer(OPAQUE))).resolves.toMatchObject({ kind: 'introspected', claims: { sub: 'user-1' } })
    expect(as.calls).toHaveLength(21)
    // Refusals are still remembered, up to max of them.
    await expectReject(verify(bearer('madeup19')), 'token_inactive')
    expect(as.calls).toHaveLength(21)
  })

  it('lets the newer verdict replace the older one', async () => {
    let answer: Record<string, unknown> = { active: false }
    const { as, c, verify } = await opaqueVerifier(() => answer, { cache: { ttl: '1m', negativeTtl: '2s' } })
    await expectReject(verify(bearer(OPAQUE)), 'token_inactive')
    c.advance(3)
    answer = active()
    await expect(verify(bearer(OPAQUE))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    c.advance(30)
    await expect(verify(bearer(OPAQUE))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    expect(as.calls).toHaveLength(2)
  })

  it('asks on every request with cache: false (one call per token still in flight)', async () => {
    const { as, verify } = await opaqueVerifier(() => active(), { cache: false })
    await verify(bearer(OPAQUE))
    await verify(bearer(OPAQUE))
    expect(as.calls).toHaveLength(2)
  })

  it('checks the scopes of the request on every hit: 403 insufficient_scope', async () => {
    const { verify } = await opaqueVerifier(() => active({ scope: 'read' }))
    await verify(bearer(OPAQUE), { scopes: ['read'] })
    await expectReject(verify(bearer(OPAQUE), { scopes: ['write'] }), 'insufficient_scope', {
      status: 403,
      wwwAuthenticate: 'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required scope", scope="write"',
    })
  })

  it.each([
    ['a thrown fetch (connection refused)', () => Promise.reject(new TypeError('fetch failed')), 'network'],
    ['HTTP 500', () => new Response('oops', { status: 500 }), 'http_status'],
    ['HTTP 401 (our client credentials refused)', () => Response.json({ error: 'invalid_client' }, { status: 401 }), 'http_status'],
    ['a redirect', () => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } }), 'http_status'],
    ['not JSON', () => new Response('<html>', { status: 200 }), 'not_json'],
    ['a JSON array', () => [], 'introspection_invalid'],
    ['active as a string', () => ({ active: 'true', sub: 'x' }), 'introspection_invalid'],
    ['active missing', () => ({ sub: 'x' }), 'introspection_invalid'],
    ['a body over maxBytes', () => active({ pad: 'x'.repeat(70_000) }), 'too_large'],
  ])('answers %s with 503 introspection_unavailable, never 401, never 200', async (_what, answer, code) => {
    const { verify, events } = await opaqueVerifier(answer)
    const err = await expectReject(verify(bearer(OPAQUE)), 'introspection_unavailable', { status: 503, wwwAuthenticate: undefined })
    expect(err.headers).toEqual({})
    // The key-source event, then the verification's own outcome.
    expect(events).toEqual([{ type: 'introspection_error', endpoint: ENDPOINT, code, error: expect.any(String) }, expect.objectContaining({ type: 'rejected', reason: 'introspection_unavailable', status: 503 })])
    // Failures are never cached: the next request asks again.
    await expectReject(verify(bearer(OPAQUE)), 'introspection_unavailable')
  })

  it.each([33, 30_000])('refuses a response nesting %i levels deep (more than tokens may): 503, never a crash', async (depth) => {
    const nested = JSON.stringify(active({ ext: 'x' })).replace('"x"', '['.repeat(depth - 1) + ']'.repeat(depth - 1))
    const { verify, events } = await opaqueVerifier(() => new Response(nested, { headers: { 'content-type': 'application/json' } }), { maxBytes: 1_048_576 })
    await expectReject(verify(bearer(OPAQUE)), 'introspection_unavailable', { status: 503 })
    expect(events).toEqual([{ type: 'introspection_error', endpoint: ENDPOINT, code: 'introspection_invalid', error: 'the response nests deeper than 32 levels' }, expect.objectContaining({ type: 'rejected', reason: 'introspection_unavailable' })])
    const fine = await opaqueVerifier(() => active({ ext: JSON.parse('['.repeat(30) + ']'.repeat(30)) }))
    await expect(fine.verify(bearer(OPAQUE))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('gives up at the timeout with 503 (default 5 s; here 200 ms)', async () => {
    const { verify } = await opaqueVerifier(() => new Promise(() => {}), { timeout: 0.2 })
    const started = Date.now()
    await expectReject(verify(bearer(OPAQUE)), 'introspection_unavailable')
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it.each([
    ['iss of another issuer', 'issuer_invalid', active({ iss: 'https://evil.example/' })],
    ['aud of another API', 'audience_invalid', active({ aud: 'https://other.example' })],
    ['exp in the past (a lagging server)', 'token_expired', active({ exp: NOW_S - 60 })],
    ['nbf in the future', 'token_not_yet_valid', active({ nbf: NOW_S + 600 })],
    ['exp as a string', 'claim_invalid', active({ exp: 'soon' })],
    ['sub as a number', 'claim_invalid', active({ sub: 42 })],
    ['a refresh token', 'typ_invalid', active({ token_type: 'refresh_token' })],
    ['a DPoP-bound token', 'token_bound', active({ token_type: 'DPoP', cnf: { jkt: 'abc' } })],
    ['an mTLS-bound token', 'token_bound', active({ cnf: { 'x5t#S256': 'abc' } })],
  ] as const)('refuses an active answer with %s: 401 %s', async (_what, reason, answer) => {
    const { verify } = await opaqueVerifier(() => answer)
    await expectReject(verify(bearer(OPAQUE)), reason, { status: 401 })
  })

  it('accepts an answer without iss, aud, exp or token_type (all optional in RFC 7662), unless required', async () => {
    const minimal = { active: true, scope: 'read' }
    const { verify } = await opaqueVerifier(() => minimal)
    expect((await verify(bearer(OPAQUE))).claims).toEqual({ scope: 'read' })
    const strict = await opaqueVerifier(() => minimal, {}, { requiredClaims: ['aud'] })
    await expectReject(strict.verify(bearer(OPAQUE)), 'claim_missing')
  })

  it('accepts an aud list naming this API, and applies the claims schema', async () => {
    const { verify } = await opaqueVerifier(() => active({ aud: ['https://other.example', AUDIENCE], tenant: 'acme' }), {}, { claims: z.object({ tenant: z.string() }) })
    expect((await verify(bearer(OPAQUE))).claims.tenant).toBe('acme')
    const bad = await opaqueVerifier(() => active({ tenant: 7 }), {}, { claims: z.object({ tenant: z.string() }) })
    await expectReject(bad.verify(bearer(OPAQUE)), 'claims_schema_failed')
  })

  it('introspects JWTs too when the verifier has no key source', async () => {
    const f = await fixture('ES256')
    const as = server(() => active())
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, now: clock().now, fetch: as.fetch, introspection: settings() })
    const token = await f.sign()
    expect((await verify(bearer(token))).kind).toBe('introspected')
    expect(as.calls[0]!.body.get('token')).toBe(token)
  })

  it('finds the endpoint through discovery, once, after checking the metadata names the issuer', async () => {
    const issuer = 'https://idp.example.com'
    const calls: string[] = []
    const fetch = (async (url: string | URL, init?: RequestInit) => {
      calls.push(`${init?.method ?? 'GET'} ${String(url)}`)
      if (String(url).endsWith('/.well-known/openid-configuration')) return Response.json({ issuer, jwks_uri: `${issuer}/jwks`, introspection_endpoint: `${issuer}/token/introspection` })
      if (String(url).endsWith('/jwks')) return Response.json({ keys: [] })
      return Response.json(active({ iss: issuer }))
    }) as typeof globalThis.fetch
    const verify = createVerifier({ issuer, audience: AUDIENCE, discovery: true, now: clock().now, fetch, introspection: { clientId: 'api', clientSecret: 's' } })
    await verify(bearer(OPAQUE))
    await verify(bearer(`${OPAQUE}2`))
    expect(calls).toEqual([`GET ${issuer}/.well-known/openid-configuration`, `POST ${issuer}/token/introspection`, `POST ${issuer}/token/introspection`])
  })

  it('refuses discovered metadata of another issuer: 503, and no token sent anywhere', async () => {
    const calls: string[] = []
    const fetch = (async (url: string | URL) => {
      calls.push(String(url))
      return Response.json({ issuer: 'https://evil.example', introspection_endpoint: 'https://evil.example/introspect' })
    }) as typeof globalThis.fetch
    const verify = createVerifier({ issuer: 'https://idp.example.com', audience: AUDIENCE, discovery: true, fetch, introspection: { clientId: 'api', clientSecret: 's' } })
    await expectReject(verify(bearer(OPAQUE)), 'introspection_unavailable')
    expect(calls.every((u) => u.startsWith('https://idp.example.com/'))).toBe(true)
  })

  it('refuses a credential that is not one token68 with 400 before any call', async () => {
    const { as, verify } = await opaqueVerifier(() => active())
    await expectReject(verify('Bearer abc def'), 'header_malformed', { status: 400 })
    await expectReject(verify('Bearer a"b'), 'header_malformed', { status: 400 })
    expect(as.calls).toHaveLength(0)
  })

  it.each([NaN, Infinity, undefined, '1767225600000'])('fails closed on a clock returning %s: 503 verifier_misconfigured, cached or not, no call, nothing remembered', async (value) => {
    let broken = false
    const c = clock()
    const { as, verify } = await opaqueVerifier(() => active(), {}, { now: () => (broken ? (value as number) : c.now()) })
    await verify(bearer(OPAQUE)) // cached
    expect(as.calls).toHaveLength(1)
    broken = true
    for (const token of [OPAQUE, `${OPAQUE}fresh`]) {
      const err = await expectReject(verify(bearer(token)), 'verifier_misconfigured', { status: 503, wwwAuthenticate: undefined })
      expect(err.cause).toBeInstanceOf(ConfigError)
      expect(err.cause).toMatchObject({ option: 'now' })
    }
    expect(as.calls).toHaveLength(1)
    broken = false
    await expect(verify(bearer(`${OPAQUE}fresh`))).resolves.toMatchObject({ kind: 'introspected', claims: { sub: 'user-1' } })
    expect(as.calls).toHaveLength(2)
  })

  it('reads only the response\'s own members: a polluted Object.prototype lends it neither active nor a required claim', async () => {
    const proto = Object.prototype as Record<string, unknown>
    // Built first: option parsing itself does not survive such a prototype.
    const { verify } = await opaqueVerifier(() => ({ sub: 'x' }))
    const strict = await opaqueVerifier(() => ({ active: true, scope: 'read' }), {}, { requiredClaims: ['aud'] })
    try {
      proto.active = true
      proto.aud = AUDIENCE
      await expectReject(verify(bearer(OPAQUE)), 'introspection_unavailable', { status: 503 })
      await expectReject(strict.verify(bearer(OPAQUE)), 'claim_missing', { status: 401 })
    } finally {
      delete proto.active
      delete proto.aud
    }
  })

  it('gives guards roles (roleClaims) and permissions from the response, as for JWTs', async () => {
    const { verify } = await opaqueVerifier(() => active({ realm_access: { roles: ['staff'] }, permissions: ['read:orders'] }), {}, { roleClaims: ['realm_access.roles'] })
    const auth = await verify(bearer(OPAQUE))
    expect(auth).toMatchObject({ kind: 'introspected', scopes: ['read', 'write'], roles: ['staff'], permissions: ['read:orders'] })
    const schema = await opaqueVerifier(() => active({ roles: ['staff'], permissions: ['read:orders'] }), {}, { claims: z.object({ roles: z.array(z.string()).transform(() => ['admin']) }) })
    expect(await schema.verify(bearer(OPAQUE))).toMatchObject({ claims: { roles: ['admin'] }, roles: ['staff'], permissions: ['read:orders'] })
    const bad = await opaqueVerifier(() => active({ roles: 7 }))
    await expectReject(bad.verify(bearer(OPAQUE)), 'claim_invalid', { status: 401 })
  })

  it('rejects configuration mistakes with a ConfigError naming the option', async () => {
    const f = await fixture('ES256')
    const make = (introspection: unknown, extra: Record<string, unknown> = {}) => () => createVerifier({ ...f.options, introspection, ...extra } as never)
    expect(make({ clientId: 'a', clientSecret: 'b' })).toThrow(/introspection\.endpoint: required unless `discovery` finds it/)
    expect(make(settings({ endpoint: 'https://u:p@idp.example.com/i' }))).toThrow(/introspection\.endpoint: must not carry credentials/)
    expect(make(settings({ cache: { negativeTtl: '5m' } }))).toThrow(/introspection\.cache\.negativeTtl: at most 60 seconds/)
    expect(make(settings({ clientAuth: 'private_key_jwt' as never }))).toThrow(/introspection\.clientAuth: expected 'client_secret_basic' or 'client_secret_post'/)
    expect(make({ endpoint: ENDPOINT, clientId: 'a' })).toThrow(/introspection\.clientSecret/)
    expect(() => createVerifier({ audience: AUDIENCE, issuers: [{ issuer: ISSUER, jwks: { keys: [] } }], introspection: settings() } as never)).toThrow(/introspection: works with a single issuer/)
  })
})
