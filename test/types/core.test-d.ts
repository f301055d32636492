import { alb, cognito, entra, firebase } from '../../src/presets/index.js'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { BearerError, createVerifier, verifyBearer, type BearerAuth, type BearerErrorReason, type JwsHeader, type JwtAuth, type VerifierOptions } from '../../src/index.js'

const jwks = { keys: [] }

describe('createVerifier types', () => {
  it('infers auth.claims from the zod claims schema, beside the registered claims', async () => {
    const verify = createVerifier({ issuer: 'i', audience: 'a', jwks, claims: z.object({ org: z.string(), roles: z.array(z.string()) }) })
    const auth = await verify('Bearer x')
    expectTypeOf(auth.claims.org).toEqualTypeOf<string>()
    expectTypeOf(auth.claims.roles).toEqualTypeOf<string[]>()
    expectTypeOf(auth.claims.exp).toEqualTypeOf<number>()
    expectTypeOf(auth.claims.sub).toEqualTypeOf<string | undefined>()
    expectTypeOf(auth.scopes).toEqualTypeOf<readonly string[]>()
  })

  it('types the isRevoked hook with the inferred claims', () => {
    createVerifier({
      issuer: 'i',
      audience: 'a',
      jwks,
      claims: z.object({ sid: z.string() }),
      isRevoked: (claims) => {
        expectTypeOf(claims.sid).toEqualTypeOf<string>()
        return false
      },
    })
  })

  it('without a schema, claims are the registered claims plus unknowns', async () => {
    const auth = await createVerifier({ issuer: 'i', audience: 'a', jwks })('Bearer x')
    expectTypeOf(auth).toEqualTypeOf<JwtAuth<object>>()
    expectTypeOf(auth.claims.custom).toEqualTypeOf<unknown>()
  })

  it('a verifier with opaque credentials returns any kind, told apart by auth.kind', async () => {
    const introspection = { endpoint: 'https://idp.example.com/introspect', clientId: 'api', clientSecret: 's' }
    const verify = createVerifier({ issuer: 'i', audience: 'a', jwks, introspection, claims: z.object({ org: z.string() }) })
    const auth = await verify('Bearer x')
    expectTypeOf(auth).toEqualTypeOf<BearerAuth<{ org: string }>>()
    expectTypeOf(auth.kind).toEqualTypeOf<'jwt' | 'introspected' | 'api_key'>()
    expectTypeOf(auth.claims.org).toEqualTypeOf<string>()
    expectTypeOf(auth.claims.exp).toEqualTypeOf<number | undefined>()
    expectTypeOf(auth.header).toEqualTypeOf<JwsHeader | undefined>()
    if (auth.kind === 'jwt') expectTypeOf(auth.claims.exp).toEqualTypeOf<number>()
    if (auth.kind === 'introspected') expectTypeOf(auth.claims.client_id).toEqualTypeOf<string | undefined>()
    if (auth.kind === 'api_key') expectTypeOf(auth.apiKey.id).toEqualTypeOf<string>()
    // Introspection alone needs no key source; API keys alone need neither iss nor aud.
    createVerifier({ issuer: 'i', audience: null, introspection })
    createVerifier({ apiKeys: { prefix: 'acme', verify: async () => ({}) as never } })
    // @ts-expect-error: an API-key-only verifier checks no issuer
    createVerifier({ issuer: 'i', apiKeys: { prefix: 'acme', verify: async () => ({}) as never } })
    // @ts-expect-error: introspection needs issuer and audience (null opts out)
    createVerifier({ introspection })
  })

  it('makes illegal option states unrepresentable', () => {
    // @ts-expect-error: two key sources
    createVerifier({ issuer: 'i', audience: 'a', jwks, secret: 'x' })
    // @ts-expect-error: no key source
    createVerifier({ issuer: 'i', audience: 'a' })
    // @ts-expect-error: audience is required (null opts out explicitly)
    createVerifier({ issuer: 'i', jwks })
    // @ts-expect-error: issuer is required
    createVerifier({ audience: 'a', jwks })
    // @ts-expect-error: issuers entries carry the key source, not the top level
    createVerifier({ audience: 'a', jwks, issuers: [{ issuer: 'i', jwks }] })
    // @ts-expect-error: none is not an algorithm
    createVerifier({ issuer: 'i', audience: 'a', jwks, algorithms: ['none'] })
    createVerifier({ issuer: null, audience: null, secret: 'x'.repeat(32) })
    createVerifier({ audience: 'a', issuers: [{ issuer: 'i', jwks }, { issuer: 'j', secret: 's', audience: null }] })
    // Every entry names its own audience: no top-level audience needed (DESIGN.md's multi-tenant shape).
    createVerifier({ issuers: [{ issuer: 'i', audience: 'a', jwks }, { issuer: 'j', audience: ['b', 'c'], secret: 's' }] })
  })

  it('takes per-call scope requirements', () => {
    const verify = createVerifier({ issuer: 'i', audience: 'a', jwks })
    void verify('Bearer x', { scopes: ['a'], scopeMode: 'any' })
    // @ts-expect-error: unknown mode
    void verify('Bearer x', { scopes: ['a'], scopeMode: 'some' })
  })

  it('one-shot verifyBearer carries the schema type too', async () => {
    const auth = await verifyBearer('Bearer x', { issuer: 'i', audience: 'a', jwks, claims: z.object({ org: z.string() }), scopes: ['r'] })
    expectTypeOf(auth.claims.org).toEqualTypeOf<string>()
  })
})

describe('BearerError types', () => {
  it('has a closed reason union, usable in an exhaustive switch', () => {
    const err = new BearerError('token_expired')
    expectTypeOf(err.reason).toEqualTypeOf<BearerErrorReason>()
    expectTypeOf(err.status).toEqualTypeOf<400 | 401 | 403 | 429 | 503>()
    // @ts-expect-error: not a reason
    void new BearerError('expired')
  })

  it('VerifierOptions is exported and generic over the claims', () => {
    expectTypeOf<VerifierOptions<{ org: string }>>().toHaveProperty('claims')
  })
})

describe('IdP options and presets', () => {
  it('take the new key sources, one at a time, and the issuers resolver', () => {
    createVerifier({ issuer: 'i', audience: 'a', publicKey: '-----BEGIN PUBLIC KEY-----…' })
    createVerifier({ issuer: 'i', audience: 'a', x509Uri: 'https://www.googleapis.com/robot/v1/metadata/x509/x' })
    // @ts-expect-error: one key source only
    createVerifier({ issuer: 'i', audience: 'a', publicKey: 'pem', jwks })
    createVerifier({ audience: 'a', issuers: async (iss) => (iss.startsWith('https://') ? { issuer: iss, jwks } : undefined), tenantCache: { max: 10, negativeTtl: '1m' } })
    // @ts-expect-error: tenantCache belongs to an issuers resolver
    createVerifier({ issuer: 'i', audience: 'a', jwks, tenantCache: { max: 10 } })
    createVerifier({ issuer: 'i', audience: 'a', jwks, maxTokenAge: '1h', roleClaims: ['realm_access.roles', ['https://example.com/roles']], claimValues: { token_use: 'access', n: [1, 2], ok: (v) => v === true } })
  })

  it('return options that work as is, and spread and override with the same key source', () => {
    createVerifier(cognito({ userPoolId: 'eu-west-1_x', clientId: 'c' }))
    createVerifier({ ...cognito({ userPoolId: 'eu-west-1_x', clientId: 'c' }), jwksUri: 'http://127.0.0.1:1/jwks.json', clockTolerance: 10 })
    createVerifier({ ...firebase({ projectId: 'p' }), x509Uri: 'http://127.0.0.1:1/x509' })
    createVerifier({ ...alb({ albArn: 'arn' }), roleClaims: ['groups'] })
    // @ts-expect-error: a second key source beside the preset's
    createVerifier({ ...firebase({ projectId: 'p' }), jwks })
    // @ts-expect-error: tokenUse is 'access' or 'id'
    cognito({ userPoolId: 'eu-west-1_x', clientId: 'c', tokenUse: 'refresh' })
    // @ts-expect-error: entra version is 1 or 2
    entra({ tenant: 'common', audience: 'a', version: 3 })
  })
})
