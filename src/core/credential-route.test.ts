/**
 * Step 1 with API keys: routing by prefix and by header, the api_key path through the verifier,
 * and the guards on it. Introspection routing: src/introspection/introspection.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createApiKeys } from '../apikeys/create-api-keys.js'
import { createVerifier } from './create-verifier.js'
import { runGuard } from '../guards/guard.js'
import { requireClaimGuard } from '../guards/claims.js'
import { requirePermissionsGuard, requireRolesGuard } from '../guards/roles.js'
import { scopesGuard } from '../guards/scopes.js'
import { generateDpopKey, signDpopProof } from '../testing/dpop.js'
import { bearer, expectReject, fixture, NOW_S, now } from '../../test/helpers/setup.js'

async function keys(clock: () => number = now) {
  const apiKeys = createApiKeys({ prefix: 'acme', now: clock, rateLimit: { points: 2, duration: '1m' } })
  const created = await apiKeys.create({ name: 'billing export', owner: 'team-billing', scopes: ['read:invoices'], expiresIn: '90d', claims: { tenant: 'acme' } })
  return { apiKeys, created }
}

describe('API keys through the verifier', () => {
  it('accepts a key in Authorization: Bearer and in X-API-Key: kind api_key, claims from the record', async () => {
    const { apiKeys, created } = await keys()
    const verify = createVerifier({ apiKeys, now })
    for (const auth of [await verify(bearer(created.key)), await verify(undefined, { apiKey: created.key })]) {
      expect(auth.kind).toBe('api_key')
      expect(auth.token).toBe(created.key)
      expect(auth.scopes).toEqual(['read:invoices'])
      expect(auth.claims).toEqual({ tenant: 'acme', sub: 'team-billing', jti: created.id, iat: NOW_S, exp: NOW_S + 90 * 86400, scope: 'read:invoices' })
      expect(auth.kind === 'api_key' && auth.apiKey.name).toBe('billing export')
    }
  })

  it('applies the request scopes (403 insufficient_scope) and the claims schema to keys too', async () => {
    const { apiKeys, created } = await keys()
    const verify = createVerifier({ apiKeys, now, claims: z.object({ tenant: z.string() }) })
    expect((await verify(bearer(created.key), { scopes: ['read:invoices'] })).claims.tenant).toBe('acme')
    await expectReject(verify(bearer(created.key), { scopes: ['write:invoices'] }), 'insufficient_scope', { status: 403 })
    const bare = await apiKeys.create({ name: 'no tenant' })
    await expectReject(verify(bearer(bare.key)), 'claims_schema_failed')
  })

  it('routes by prefix beside JWTs: both work through one verifier', async () => {
    const f = await fixture('ES256')
    const { apiKeys, created } = await keys()
    const verify = createVerifier({ ...f.options, apiKeys })
    expect((await verify(bearer(await f.sign()))).kind).toBe('jwt')
    expect((await verify(bearer(created.key))).kind).toBe('api_key')
    expect((await verify('', { apiKey: [created.key] })).kind).toBe('api_key')
    // A key of another prefix is not ours: the JWT path refuses it.
    await expectReject(verify(bearer(created.key.replace('acme_', 'beta_'))), 'token_malformed')
    // X-API-Key only ever carries API keys.
    await expectReject(verify(undefined, { apiKey: await f.sign() }), 'api_key_invalid')
  })

  it('refuses a key with another prefix, a typo, a revoked or expired key, each with its reason and the realm', async () => {
    const { apiKeys, created } = await keys()
    const verify = createVerifier({ apiKeys, now, realm: 'billing' })
    await expectReject(verify(bearer('beta_0123456789abcdefghijABCDEFGHIJ0123456789')), 'api_key_invalid', {
      status: 401,
      wwwAuthenticate: 'Bearer realm="billing", error="invalid_token", error_description="Only API keys are accepted here"',
    })
    await expectReject(verify(bearer(`${created.key.slice(0, -1)}x`)), 'api_key_invalid', {
      wwwAuthenticate: 'Bearer realm="billing", error="invalid_token", error_description="The API key is not valid"',
    })
    await apiKeys.revoke(created.id)
    await expectReject(verify(bearer(created.key)), 'api_key_revoked', {
      wwwAuthenticate: 'Bearer realm="billing", error="invalid_token", error_description="The API key has been revoked"',
    })
    let t = now()
    const later = await keys(() => t)
    const verifyLater = createVerifier({ apiKeys: later.apiKeys })
    await verifyLater(bearer(later.created.key))
    t += 90 * 86400_000
    await expectReject(verifyLater(bearer(later.created.key)), 'api_key_expired', {
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The API key has expired"',
    })
  })

  it('rate-limits through the verifier: 429 with Retry-After, no challenge', async () => {
    const { apiKeys, created } = await keys()
    const verify = createVerifier({ apiKeys })
    await verify(bearer(created.key))
    await verify(undefined, { apiKey: created.key })
    const err = await expectReject(verify(bearer(created.key)), 'api_key_rate_limited', { status: 429, wwwAuthenticate: undefined })
    expect(Number(err.headers['Retry-After'])).toBeGreaterThan(0)
  })

  it('refuses credentials in both Authorization and X-API-Key with 400, and several X-API-Key headers', async () => {
    const { apiKeys, created } = await keys()
    const verify = createVerifier({ apiKeys })
    await expectReject(verify(bearer(created.key), { apiKey: created.key }), 'header_malformed', { status: 400 })
    await expectReject(verify(undefined, { apiKey: [created.key, created.key] }), 'header_malformed', { status: 400 })
    // Another scheme in Authorization (a proxy's Basic) is not a bearer credential: the key is used.
    expect((await verify('Basic dXNlcjpwYXNz', { apiKey: created.key })).kind).toBe('api_key')
  })

  it('says token_missing without any credential, and a verifier without apiKeys ignores X-API-Key', async () => {
    const f = await fixture('ES256')
    const { apiKeys, created } = await keys()
    await expectReject(createVerifier({ apiKeys })(undefined), 'token_missing', { status: 401, wwwAuthenticate: 'Bearer realm="api"' })
    await expectReject(createVerifier({ apiKeys })(undefined, { apiKey: '  ' }), 'token_missing')
    await expectReject(createVerifier(f.options)(undefined, { apiKey: created.key }), 'token_missing')
  })

  it('fails closed when a custom key verifier throws something other than a BearerError: 503', async () => {
    const verify = createVerifier({ apiKeys: { prefix: 'acme', verify: () => Promise.reject(new Error('boom')) } })
    await expectReject(verify(bearer('acme_x')), 'api_key_store_unavailable', { status: 503 })
  })

  it('gives guards roles and permissions from the key\'s own claims (roleClaims), never from its scopes', async () => {
    const apiKeys = createApiKeys({ prefix: 'acme', now })
    const created = await apiKeys.create({ name: 'ops', scopes: ['admin'], claims: { roles: ['billing'], permissions: ['read:invoices'], org: { plan: 'pro' }, realm_access: { roles: ['ops'] } } })
    const auth = await createVerifier({ apiKeys, now })(bearer(created.key))
    expect(auth).toMatchObject({ kind: 'api_key', scopes: ['admin'], roles: ['billing'], permissions: ['read:invoices'] })
    await runGuard(requireRolesGuard(['billing']), auth, 'api')
    await runGuard(requirePermissionsGuard(['read:invoices']), auth, 'api')
    await runGuard(requireClaimGuard('org.plan', 'pro'), auth, 'api')
    await runGuard(scopesGuard(['admin'], 'all'), auth, 'api')
    expect(() => runGuard(requireRolesGuard(['admin']), auth, 'api')).toThrow(expect.objectContaining({ reason: 'role_missing', status: 403 }))
    expect(() => runGuard(requirePermissionsGuard(['write:invoices']), auth, 'api')).toThrow(expect.objectContaining({ reason: 'permission_missing', status: 403 }))
    // roleClaims apply to keys as to tokens.
    const keycloak = await createVerifier({ apiKeys, now, roleClaims: ['realm_access.roles'] })(bearer(created.key))
    expect(keycloak.roles).toEqual(['ops'])
    // Read from the key's claims as stored, like a JWT's from its payload, whatever the schema makes of them.
    const transformed = await createVerifier({ apiKeys, now, claims: z.object({ roles: z.array(z.string()).transform(() => ['admin']) }) })(bearer(created.key))
    expect(transformed).toMatchObject({ claims: { roles: ['admin'] }, roles: ['billing'], permissions: ['read:invoices'] })
    const plain = await createVerifier({ apiKeys, now })(bearer((await apiKeys.create({ name: 'bare' })).key))
    expect(plain).toMatchObject({ roles: [], permissions: [] })
  })

  it('routes JWTs to the tenants beside API keys: an issuers list, and an issuers resolver', async () => {
    const f = await fixture('ES256')
    const { apiKeys, created } = await keys()
    const entry = { issuer: f.options.issuer, jwks: (f.options as { jwks: unknown }).jwks }
    for (const issuers of [[entry], async (iss: string) => (iss === entry.issuer ? entry : undefined)]) {
      const verify = createVerifier({ audience: f.options.audience, issuers: issuers as never, apiKeys, now })
      expect(await verify(bearer(await f.sign()))).toMatchObject({ kind: 'jwt', claims: { sub: 'user-1' } })
      expect(await verify(bearer(created.key))).toMatchObject({ kind: 'api_key', claims: { sub: 'team-billing' } })
    }
  })

  it('refuses opaque credentials beside a bare-token header (ALB): they come in Authorization or X-API-Key', async () => {
    const f = await fixture('ES256')
    const { apiKeys } = await keys()
    expect(() => createVerifier({ ...f.options, header: 'x-amzn-oidc-data', apiKeys } as never)).toThrow(/verifier option header: reads a bare JWT from another header/)
  })

  it('refuses iss/aud on an API-key-only verifier, and an apiKeys that is not one', async () => {
    const { apiKeys } = await keys()
    expect(() => createVerifier({ apiKeys, issuer: 'https://idp.example.com/' } as never)).toThrow(/verifier option issuer: applies to JWTs and introspected tokens only/)
    expect(() => createVerifier({ apiKeys: { verify: () => {} } } as never)).toThrow(/verifier option apiKeys: expected the result of createApiKeys\(\)/)
  })
})

describe('API keys beside DPoP', () => {
  // Found by the demo after the merge: with apiKeys configured, routing read only Bearer, so
  // `Authorization: DPoP <jwt>` was token_missing on every API that took both.
  it('routes Authorization: DPoP to the JWT pipeline with its proof; keys still work', async () => {
    const { apiKeys, created } = await keys()
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, apiKeys, dpop: true, now })
    const client = await generateDpopKey('ES256')
    const token = await f.sign({ cnf: { jkt: client.jkt } })
    const url = 'https://api.example.com/orders'
    const proof = await signDpopProof(client, { url, accessToken: token }, NOW_S)
    const auth = await verify(`DPoP ${token}`, { dpop: { proof, method: 'GET', url } })
    expect(auth.kind).toBe('jwt')
    expect(auth.scheme).toBe('DPoP')
    expect((await verify(bearer(created.key))).kind).toBe('api_key')
    await expectReject(verify(bearer(token)), 'token_bound')
  })
})
