/**
 * The requests the demo sends, with tokens from the embedded issuer over HTTP.
 */
import { decodeProtectedHeader, decodeJwt } from 'jose'
import { generateSigningKey } from '../../src/testing/keys.js'
import { signToken } from '../../src/testing/tokens.js'
import { generateDpopKey, signDpopProof, type DpopKey } from '../../src/testing/dpop.js'
import type { ApiKeys } from '../../src/apikeys/index.js'
import type { AuthServer } from './auth-server.js'

export interface ApiRequest {
  readonly name: string
  readonly path: string
  readonly authorization?: string
  /** Sign a DPoP proof with this key for the request (URL and method), bound to the access token in `authorization`. */
  readonly dpop?: DpopKey
  /** More request headers (`X-API-Key`). */
  readonly headers?: Readonly<Record<string, string>>
  /** Sent only to the APIs that share the demo's API keys. */
  readonly apiKey?: true
  /** What a correct API answers: status and reason (empty for 200). */
  readonly expect: readonly [number, string]
}

interface TokenBody {
  readonly access_token?: string
  readonly refresh_token?: string
  readonly reason?: string
  readonly error?: string
}

export interface AuthCall {
  readonly name: string
  readonly status: number
  readonly result: string
  readonly expect: number
}

async function post(auth: AuthServer, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: TokenBody }> {
  const res = await fetch(`${auth.url}${path}`, { method: 'POST', body: new URLSearchParams(form), headers })
  return { status: res.status, body: (await res.json()) as TokenBody }
}

const login = async (auth: AuthServer, scope: string, extra: Record<string, string> = {}) =>
  (await post(auth, '/token', { grant_type: 'password', username: 'alice', scope, ...extra })).body

/**
 * Mints every token the tables need. Returns the requests for every API (phase 1), the
 * auth-server calls made on the way, and `reuse()`, which replays a used refresh token
 * and returns the requests that show its consequence (phase 2).
 */
export async function prepare(auth: AuthServer, apiKeys: ApiKeys) {
  const calls: AuthCall[] = []
  const bearer = (token: string | undefined) => `Bearer ${token}`

  const valid = await login(auth, 'read:orders profile')
  calls.push({ name: 'login (read:orders profile)', status: valid.access_token ? 200 : 0, result: 'access + refresh token', expect: 200 })
  const narrow = await login(auth, 'profile')
  // Roles and a custom claim, for the role guard (/api/staff) and the claim guard (/api/billing).
  const admin = await login(auth, 'profile', { roles: 'admin', plan: 'pro' })
  const freePlan = await login(auth, 'profile', { plan: 'free' })
  auth.shiftClock(-3600)
  const stale = await login(auth, 'read:orders')
  auth.shiftClock(0)
  const revoked = await login(auth, 'read:orders')
  const revokeCall = await post(auth, '/revoke', { token: revoked.access_token! })
  calls.push({ name: 'revoke an access token', status: revokeCall.status, result: 'revoked', expect: 200 })

  // A forgery: the real token's claims and kid, signed by a key the issuer never had.
  const attacker = await generateSigningKey('ES256', { kid: decodeProtectedHeader(valid.access_token!).kid! })
  const forged = await signToken(attacker, decodeJwt(valid.access_token!), { typ: 'at+jwt' })

  // DPoP (RFC 9449): the client's key, a token bound to it (the login carries a proof for /token).
  const clientKey = await generateDpopKey()
  const tokenProof = await signDpopProof(clientKey, { url: `${auth.url}/token`, method: 'POST' })
  const bound = (await post(auth, '/token', { grant_type: 'password', username: 'alice', scope: 'read:orders' }, { dpop: tokenProof })).body
  calls.push({ name: 'login with a DPoP proof', status: bound.access_token ? 200 : 0, result: 'DPoP-bound access token (cnf.jkt)', expect: 200 })
  const dpop = (token: string | undefined) => `DPoP ${token}`

  const first = await login(auth, 'read:orders')
  const rotated = await post(auth, '/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token! })
  calls.push({ name: 'refresh (rotation)', status: rotated.status, result: 'new pair; the old refresh token is spent', expect: 200 })

  // API keys, created as an admin endpoint or `tokengate apikey create` would: the key is shown once.
  const ci = await apiKeys.create({ name: 'ci pipeline', owner: 'team-ci', scopes: ['read:orders'], expiresIn: '90d' })
  const reporting = await apiKeys.create({ name: 'reporting', owner: 'team-bi', scopes: ['profile'] })
  const retired = await apiKeys.create({ name: 'retired job', scopes: ['read:orders'] })
  await apiKeys.revoke(retired.id)
  calls.push({ name: 'create 3 API keys, revoke one', status: 200, result: `${ci.key.slice(0, 12)}… (shown once; only its hash is stored)`, expect: 200 })
  const typo = `${ci.key.slice(0, -1)}${ci.key.endsWith('x') ? 'y' : 'x'}`

  const phase1: ApiRequest[] = [
    { name: 'valid token', path: '/api/orders', authorization: bearer(valid.access_token), expect: [200, ''] },
    { name: 'no Authorization header', path: '/api/orders', expect: [401, 'token_missing'] },
    { name: '"Bearer" with no token', path: '/api/orders', authorization: 'Bearer', expect: [400, 'header_malformed'] },
    { name: 'not a JWT', path: '/api/orders', authorization: 'Bearer not-a-jwt', expect: [401, 'token_malformed'] },
    { name: 'expired', path: '/api/orders', authorization: bearer(stale.access_token), expect: [401, 'token_expired'] },
    { name: 'forged (unknown key, real kid)', path: '/api/orders', authorization: bearer(forged), expect: [401, 'signature_invalid'] },
    { name: 'scope profile, route needs read:orders', path: '/api/orders', authorization: bearer(narrow.access_token), expect: [403, 'insufficient_scope'] },
    { name: 'revoked', path: '/api/orders', authorization: bearer(revoked.access_token), expect: [401, 'token_revoked'] },
    { name: 'role admin, route needs admin', path: '/api/staff', authorization: bearer(admin.access_token), expect: [200, ''] },
    { name: 'no role, route needs admin', path: '/api/staff', authorization: bearer(freePlan.access_token), expect: [403, 'role_missing'] },
    { name: 'plan pro, route needs plan pro', path: '/api/billing', authorization: bearer(admin.access_token), expect: [200, ''] },
    { name: 'plan free, route needs plan pro', path: '/api/billing', authorization: bearer(freePlan.access_token), expect: [403, 'claim_mismatch'] },
    { name: 'after refresh rotation', path: '/api/orders', authorization: bearer(rotated.body.access_token), expect: [200, ''] },
    { name: 'DPoP-bound token with its proof', path: '/api/orders', authorization: dpop(bound.access_token), dpop: clientKey, expect: [200, ''] },
    { name: 'the same token as Bearer (no proof)', path: '/api/orders', authorization: bearer(bound.access_token), expect: [401, 'token_bound'] },
    { name: 'DPoP, proof from another key', path: '/api/orders', authorization: dpop(bound.access_token), dpop: await generateDpopKey(), expect: [401, 'dpop_key_mismatch'] },
    { name: 'API key in X-API-Key', path: '/api/orders', headers: { 'x-api-key': ci.key }, apiKey: true, expect: [200, ''] },
    { name: 'API key as a bearer token', path: '/api/orders', authorization: bearer(ci.key), apiKey: true, expect: [200, ''] },
    { name: 'API key, one character off', path: '/api/orders', headers: { 'x-api-key': typo }, apiKey: true, expect: [401, 'api_key_invalid'] },
    { name: 'API key without read:orders', path: '/api/orders', headers: { 'x-api-key': reporting.key }, apiKey: true, expect: [403, 'insufficient_scope'] },
    { name: 'revoked API key', path: '/api/orders', headers: { 'x-api-key': retired.key }, apiKey: true, expect: [401, 'api_key_revoked'] },
  ]

  async function reuse(): Promise<ApiRequest[]> {
    const replay = await post(auth, '/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token! })
    calls.push({ name: 'refresh again with the spent token', status: replay.status, result: replay.body.reason ?? replay.body.error ?? '', expect: 400 })
    return [{ name: 'rotated token, after refresh reuse', path: '/api/orders', authorization: bearer(rotated.body.access_token), expect: [401, 'token_revoked'] }]
  }
  return { phase1, calls, reuse }
}
