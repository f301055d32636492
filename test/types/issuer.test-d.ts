import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { createVerifier, type VerifierOptions } from '../../src/index.js'
import { createIssuer, IssuerError, type IssuerErrorReason, type IssuerEvent, type TokenPair } from '../../src/issuer/index.js'

const issuer = createIssuer({ issuer: 'https://auth.example.com/', audience: 'api' })

describe('issuer types', () => {
  it('plugs into createVerifier with no glue, even with a custom claims schema', async () => {
    createVerifier({ issuer: 'i', audience: 'api', keys: issuer.keySource(), isRevoked: issuer.isRevoked })
    createVerifier({ issuer: 'i', audience: 'api', jwks: await issuer.jwks(), isRevoked: issuer.isRevoked, claims: z.object({ tenant: z.string() }) })
    expectTypeOf(issuer.isRevoked).toExtend<NonNullable<VerifierOptions['isRevoked']>>()
  })

  it('returns the documented pair and a closed reason union', async () => {
    expectTypeOf(await issuer.issue({ sub: 'a' })).toEqualTypeOf<TokenPair>()
    expectTypeOf<TokenPair['tokenType']>().toEqualTypeOf<'Bearer' | 'DPoP'>()
    expectTypeOf<IssuerErrorReason>().toEqualTypeOf<
      'refresh_token_invalid' | 'refresh_token_expired' | 'refresh_token_revoked' | 'refresh_token_reused' | 'dpop_proof_invalid' | 'refresh_token_key_mismatch' | 'store_unavailable'
    >()
    expectTypeOf(new IssuerError('store_unavailable').status).toEqualTypeOf<400 | 503>()
    expectTypeOf<IssuerEvent['type']>().toEqualTypeOf<'refresh_reused' | 'family_revoked' | 'token_revoked' | 'subject_revoked' | 'keys_rotated' | 'store_error'>()
  })

  it('refuses a second key source and unknown options at compile time', () => {
    // @ts-expect-error issue() needs a sub
    void issuer.issue({ scopes: ['read'] })
    // @ts-expect-error unknown option
    createIssuer({ issuer: 'i', audience: 'a', ttl: 5 })
    // @ts-expect-error keys or secret, not both
    createIssuer({ issuer: 'i', audience: 'a', keys: [], secret: 's' })
    // @ts-expect-error a secret signs HMAC only
    createIssuer({ issuer: 'i', audience: 'a', secret: 's', algorithm: 'ES256' })
    // @ts-expect-error HMAC needs a secret
    createIssuer({ issuer: 'i', audience: 'a', algorithm: 'HS256' })
  })
})
