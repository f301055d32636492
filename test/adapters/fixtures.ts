/**
 * What every adapter test shares: one key, the tokens a client may send, the exact answers
 * the core promises for them, a JWKS endpoint that is down, and a fetch-and-assert helper.
 */
import { createServer, type Server } from 'node:http'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { expect } from 'vitest'
import { z } from 'zod'
import { generateSigningKey } from '../../src/testing/keys.js'
import { signToken } from '../../src/testing/tokens.js'
import { claims, fixture, type Fixture } from '../helpers/setup.js'

/** The custom-claims schema every test app uses: its output reaches the handlers as `auth.claims`. */
export const Claims = z.object({ tenant: z.string() })

export const CHALLENGE = {
  missing: 'Bearer realm="api"',
  noToken: 'Bearer realm="api", error="invalid_request", error_description="No token after Bearer"',
  twoTokens: 'Bearer realm="api", error="invalid_request", error_description="The Authorization header must hold exactly one token after Bearer"',
  notJwt: 'Bearer realm="api", error="invalid_token", error_description="The token does not have three segments"',
  expired: 'Bearer realm="api", error="invalid_token", error_description="The token has expired"',
  forged: 'Bearer realm="api", error="invalid_token", error_description="The token signature is invalid"',
  schema: 'Bearer realm="api", error="invalid_token", error_description="The token claims do not match the expected schema"',
  repeated: 'Bearer realm="api", error="invalid_request", error_description="Several Authorization headers were sent"',
  scope: 'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required scope", scope="read:orders"',
  anyScope: 'Bearer realm="api", error="insufficient_scope", error_description="The token needs one of the required scopes", scope="admin read:orders"',
  role: 'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required role"',
  anyRole: 'Bearer realm="api", error="insufficient_scope", error_description="The token needs one of the required roles"',
  permission: 'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required permission"',
  claim: 'Bearer realm="api", error="insufficient_scope", error_description="Only globex staff may do this"',
  // The default description names the claim; RFC 6750 §3 leaves no room for its quotes.
  asyncClaim: 'Bearer realm="api", error="insufficient_scope", error_description="The token claim tenant does not have the required value"',
} as const

/**
 * The guarded routes every adapter test app declares (after its bearer middleware, under /api):
 * `/api/admin` requireRoles('admin'), `/api/editor` requireAnyRole('admin', 'editor'),
 * `/api/perm` requirePermissions('delete:orders'), `/api/claim` requireClaim('tenant', 'globex',
 * { description: CLAIM_DESCRIPTION }), `/api/async-claim` requireClaim('tenant', async predicate
 * accepting globex).
 */
export const CLAIM_DESCRIPTION = 'Only globex staff may do this'
/** The async predicate of `/api/async-claim`: globex only, after a real wait. */
export const isGlobex = async (tenant: unknown): Promise<boolean> => {
  await new Promise((resolve) => setTimeout(resolve, 5))
  return tenant === 'globex'
}

export interface AdapterFixture extends Fixture {
  /** Valid: sub user-1, tenant acme, scope read:orders. */
  readonly valid: string
  /** Valid but with no scope. */
  readonly noScope: string
  readonly expired: string
  /** Signed by another key that claims the same `kid`. */
  readonly forged: string
  /** Valid signature, but no `tenant` for the claims schema. */
  readonly noTenant: string
  /** Valid, and passes every guarded route: tenant globex, roles admin, permissions delete:orders, scope read:orders. */
  readonly staff: string
  /** Valid; Auth0 RBAC permissions read:orders but no scope: permissions are not scopes. */
  readonly permissionsOnly: string
  /** Valid; scope delete:orders but no permissions: scopes are not permissions. */
  readonly scopeNotPermission: string
  /** A JWKS URL that answers 500. */
  readonly downJwksUri: string
  close(): Promise<void>
}

export async function adapterFixture(): Promise<AdapterFixture> {
  const f = await fixture('ES256')
  const stranger = await generateSigningKey('ES256', { kid: f.key.kid })
  const down = await listen(createServer((_req, res) => res.writeHead(500).end('down')))
  return {
    ...f,
    valid: await f.sign({ tenant: 'acme', scope: 'read:orders' }),
    noScope: await f.sign({ tenant: 'acme' }),
    expired: await f.sign({ tenant: 'acme', exp: claims().exp as number - 3600 }),
    forged: await signToken(stranger, claims({ tenant: 'acme', scope: 'read:orders' })),
    noTenant: await f.sign({ scope: 'read:orders' }),
    staff: await f.sign({ tenant: 'globex', scope: 'read:orders', roles: ['admin'], permissions: ['delete:orders'] }),
    permissionsOnly: await f.sign({ tenant: 'acme', permissions: ['read:orders'] }),
    scopeNotPermission: await f.sign({ tenant: 'acme', scope: 'delete:orders' }),
    downJwksUri: `${down.url}/jwks.json`,
    close: down.close,
  }
}

export async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

export interface Expected {
  readonly status: number
  /** Exact `WWW-Authenticate`, or `null` for none. */
  readonly wwwAuthenticate?: string | null
  /** The `reason` of the problem+json body; omit when the body is not problem+json. */
  readonly reason?: string
}

/** Sends a real request and checks status, the exact challenge, and the problem+json body. */
export async function expectAnswer(url: string, init: RequestInit, expected: Expected): Promise<Response> {
  const res = await fetch(url, init)
  expect(res.status).toBe(expected.status)
  if (expected.wwwAuthenticate !== undefined) expect(res.headers.get('www-authenticate')).toBe(expected.wwwAuthenticate)
  if (expected.reason !== undefined) {
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    const body = (await res.json()) as { status: number; reason: string }
    expect(body).toMatchObject({ status: expected.status, reason: expected.reason })
  }
  return res
}

export const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } })

/** The request/answer table every adapter must satisfy on its problem+json routes (`/api/me`, `/api/orders`). */
export function failureCases(f: AdapterFixture): [name: string, path: string, init: RequestInit, expected: Expected][] {
  return [
    ['a request without Authorization: 401, bare challenge', '/api/me', {}, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' }],
    ['Basic credentials: 401, bare challenge', '/api/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' }],
    ['"Bearer" with no token: 400 invalid_request', '/api/me', { headers: { authorization: 'Bearer' } }, { status: 400, wwwAuthenticate: CHALLENGE.noToken, reason: 'header_malformed' }],
    ['two tokens: 400 invalid_request', '/api/me', { headers: { authorization: 'Bearer a b' } }, { status: 400, wwwAuthenticate: CHALLENGE.twoTokens, reason: 'header_malformed' }],
    ['a token that is not a JWT: 401 token_malformed', '/api/me', bearer('abc.def'), { status: 401, wwwAuthenticate: CHALLENGE.notJwt, reason: 'token_malformed' }],
    ['an expired token: 401 token_expired', '/api/me', bearer(f.expired), { status: 401, wwwAuthenticate: CHALLENGE.expired, reason: 'token_expired' }],
    ['a forged token: 401 signature_invalid', '/api/me', bearer(f.forged), { status: 401, wwwAuthenticate: CHALLENGE.forged, reason: 'signature_invalid' }],
    ['claims the schema rejects: 401 claims_schema_failed', '/api/me', bearer(f.noTenant), { status: 401, wwwAuthenticate: CHALLENGE.schema, reason: 'claims_schema_failed' }],
    // Only OPTIONS with Access-Control-Request-Method is a CORS preflight; any other OPTIONS is verified.
    ['an OPTIONS that is no preflight, without a token: 401', '/api/me', { method: 'OPTIONS', headers: { origin: 'https://app.example.com' } }, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' }],
    ['a token only in the query string: 401, bare challenge', `/api/me?access_token=${f.valid}`, {}, { status: 401, wwwAuthenticate: CHALLENGE.missing, reason: 'token_missing' }],
    ['a token without the route scope: 403 insufficient_scope', '/api/orders', bearer(f.noScope), { status: 403, wwwAuthenticate: CHALLENGE.scope, reason: 'insufficient_scope' }],
    ['a token without any listed scope: 403 insufficient_scope', '/api/any', bearer(f.noScope), { status: 403, wwwAuthenticate: CHALLENGE.anyScope, reason: 'insufficient_scope' }],
    ['Auth0 permissions without the route scope: 403 insufficient_scope', '/api/orders', bearer(f.permissionsOnly), { status: 403, wwwAuthenticate: CHALLENGE.scope, reason: 'insufficient_scope' }],
    ['a token without the route role: 403 role_missing', '/api/admin', bearer(f.valid), { status: 403, wwwAuthenticate: CHALLENGE.role, reason: 'role_missing' }],
    ['a token without any listed role: 403 role_missing', '/api/editor', bearer(f.valid), { status: 403, wwwAuthenticate: CHALLENGE.anyRole, reason: 'role_missing' }],
    ['a scope where a permission is required: 403 permission_missing', '/api/perm', bearer(f.scopeNotPermission), { status: 403, wwwAuthenticate: CHALLENGE.permission, reason: 'permission_missing' }],
    ['a claim of another value: 403 claim_mismatch with the description', '/api/claim', bearer(f.valid), { status: 403, wwwAuthenticate: CHALLENGE.claim, reason: 'claim_mismatch' }],
    ['a claim an async predicate refuses: 403 claim_mismatch', '/api/async-claim', bearer(f.valid), { status: 403, wwwAuthenticate: CHALLENGE.asyncClaim, reason: 'claim_mismatch' }],
    ['an unreachable JWKS: 503 jwks_unavailable, no challenge', '/down/me', bearer(f.valid), { status: 503, wwwAuthenticate: null, reason: 'jwks_unavailable' }],
  ]
}

/** The guarded routes and a token that passes each (checked twice: the second answer comes from the verified-token cache). */
export const GUARDED_ROUTES = ['/api/admin', '/api/editor', '/api/perm', '/api/claim', '/api/async-claim'] as const

/** What a handler answers on success: the claims it saw. */
export const SEEN = { sub: 'user-1', tenant: 'acme', scopes: ['read:orders'] }

/** A CORS preflight, as a browser sends it before a credentialed request: no Authorization. */
export const PREFLIGHT: RequestInit = {
  method: 'OPTIONS',
  headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
}

/** Verifier options for the test apps: the fixture's key, the fixed clock, the claims schema. */
export function appOptions(f: AdapterFixture) {
  return { ...f.options, claims: Claims }
}

/** The same, but with keys from the JWKS endpoint that is down. */
export function downOptions(f: AdapterFixture) {
  return { issuer: f.options.issuer, audience: f.options.audience, now: f.options.now, jwksUri: f.downJwksUri, claims: Claims }
}

/** Sends a request with repeated Authorization fields over a raw socket (`fetch` would merge them). */
export function requestWithTwoAuthorizations(url: string, first: string, second: string): Promise<{ status: number; wwwAuthenticate: string | undefined }> {
  const { hostname, port, pathname } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${first}\r\nAuthorization: ${second}\r\nConnection: close\r\n\r\n`)
    })
    let raw = ''
    socket.on('data', (chunk) => (raw += chunk))
    socket.on('error', reject)
    socket.on('end', () => {
      const head = raw.split('\r\n\r\n')[0]!.split('\r\n')
      const header = head.find((line) => /^www-authenticate:/i.test(line))
      resolve({ status: Number(head[0]!.split(' ')[1]), wwwAuthenticate: header?.slice(header.indexOf(':') + 1).trim() })
    })
  })
}
