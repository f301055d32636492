import { describe, expect, it, vi } from 'vitest'
import * as v from 'valibot'
import { z } from 'zod'
import { generateSigningKey } from '../testing/keys.js'
import { signToken, unsignedToken } from '../testing/tokens.js'
import {
  AUDIENCE,
  bearer,
  claims,
  createVerifier,
  expectReject,
  fixture,
  ISSUER,
  MATRIX,
  now,
  NOW_S,
} from '../../test/helpers/setup.js'

const invalidToken = (description: string) =>
  `Bearer realm="api", error="invalid_token", error_description="${description}"`

describe.each(MATRIX)('%s pipeline', (alg) => {
  it('accepts a valid token and returns claims, scopes and header', async () => {
    const f = await fixture(alg)
    const verify = createVerifier(f.options)
    const token = await f.sign({ scope: 'read:users write:users' })
    const auth = await verify(bearer(token))
    expect(auth.kind).toBe('jwt')
    expect(auth.token).toBe(token)
    expect(auth.claims.sub).toBe('user-1')
    expect(auth.claims.exp).toBe(NOW_S + 600)
    expect(auth.scopes).toEqual(['read:users', 'write:users'])
    expect(auth.header.alg).toBe(alg)
  })

  it('rejects a bit-flipped signature with 401 signature_invalid', async () => {
    const f = await fixture(alg)
    const token = await f.sign()
    const [h, p, s] = token.split('.')
    // Flip a bit in the first signature character (its top bits are always significant).
    const flipped = (s![0] === 'A' ? 'B' : 'A') + s!.slice(1)
    await expectReject(createVerifier(f.options)(bearer(`${h}.${p}.${flipped}`)), 'signature_invalid', {
      status: 401,
      wwwAuthenticate: invalidToken('The token signature is invalid'),
    })
  })

  it('rejects a changed payload under the original signature with 401 signature_invalid', async () => {
    const f = await fixture(alg)
    const [h, , s] = (await f.sign()).split('.')
    const forged = unsignedToken(JSON.parse(atob(h!)), claims({ sub: 'admin' }), s)
    await expectReject(createVerifier(f.options)(bearer(forged)), 'signature_invalid')
  })

  it('rejects a token signed by an untrusted key with the same kid: 401 signature_invalid', async () => {
    const f = await fixture(alg)
    const attacker = await generateSigningKey(alg, { kid: f.key.kid! })
    const token = await signToken(attacker, claims())
    await expectReject(createVerifier(f.options)(bearer(token)), 'signature_invalid')
  })

  it('rejects a token expired beyond the tolerance with 401 token_expired', async () => {
    const f = await fixture(alg)
    const verify = createVerifier(f.options)
    await expectReject(verify(bearer(await f.sign({ exp: NOW_S - 6 }))), 'token_expired', {
      status: 401,
      wwwAuthenticate: invalidToken('The token has expired'),
    })
    // At exp itself the token is no longer valid (RFC 7519 §4.1.4), tolerance aside.
    await expectReject(verify(bearer(await f.sign({ exp: NOW_S - 5 }))), 'token_expired')
    await expect(verify(bearer(await f.sign({ exp: NOW_S - 4 })))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })
})

describe('time claims', () => {
  it('requires exp: 401 claim_missing', async () => {
    const f = await fixture('HS256')
    const err = await expectReject(createVerifier(f.options)(bearer(await f.sign({ exp: undefined }))), 'claim_missing', {
      status: 401,
      wwwAuthenticate: invalidToken('The token has no exp claim'),
    })
    expect(err.claim).toBe('exp')
  })

  it.each([
    ['a string', '1999999999'],
    ['null', null],
    ['an array', [1999999999]],
    ['Infinity (as 1e999)', 'INF'],
  ])('rejects exp as %s with 401 claim_invalid', async (_name, exp) => {
    const f = await fixture('HS256')
    let token = await f.sign({ exp })
    if (exp === 'INF') {
      // JSON cannot carry Infinity, but 1e999 parses to it.
      const key = f.key
      const json = JSON.stringify(claims({ exp: 0 })).replace('"exp":0', '"exp":1e999')
      token = await signToken(key, json)
    }
    const err = await expectReject(createVerifier(f.options)(bearer(token)), 'claim_invalid')
    expect(err.claim).toBe('exp')
  })

  it('rejects nbf beyond the tolerance with 401 token_not_yet_valid, accepts it within', async () => {
    const f = await fixture('HS256')
    const verify = createVerifier(f.options)
    await expectReject(verify(bearer(await f.sign({ nbf: NOW_S + 6 }))), 'token_not_yet_valid', {
      wwwAuthenticate: invalidToken('The token is not valid yet'),
    })
    await expect(verify(bearer(await f.sign({ nbf: NOW_S + 5 })))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('rejects iat in the future beyond the tolerance with 401 token_issued_in_future', async () => {
    const f = await fixture('HS256')
    const verify = createVerifier(f.options)
    await expectReject(verify(bearer(await f.sign({ iat: NOW_S + 6 }))), 'token_issued_in_future')
    await expect(verify(bearer(await f.sign({ iat: NOW_S + 5 })))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('rejects nbf or iat that are not numbers with 401 claim_invalid', async () => {
    const f = await fixture('HS256')
    const verify = createVerifier(f.options)
    expect((await expectReject(verify(bearer(await f.sign({ nbf: 'soon' }))), 'claim_invalid')).claim).toBe('nbf')
    expect((await expectReject(verify(bearer(await f.sign({ iat: true }))), 'claim_invalid')).claim).toBe('iat')
  })

  it('takes clockTolerance as seconds or a duration string', async () => {
    const f = await fixture('HS256')
    const token = bearer(await f.sign({ exp: NOW_S - 90 }))
    await expectReject(createVerifier({ ...f.options, clockTolerance: 60 })(token), 'token_expired')
    await expect(createVerifier({ ...f.options, clockTolerance: 120 })(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await expect(createVerifier({ ...f.options, clockTolerance: '2m' })(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('reads time from the injected clock', async () => {
    const f = await fixture('HS256')
    const token = bearer(await f.sign())
    await expectReject(createVerifier({ ...f.options, now: () => (NOW_S + 3600) * 1000 })(token), 'token_expired')
  })
})

describe('issuer, audience, typ and claims', () => {
  it('rejects another issuer with 401 issuer_invalid; accepts any listed issuer', async () => {
    const f = await fixture('ES256')
    const token = bearer(await f.sign({ iss: 'https://evil.example.com/' }))
    const err = await expectReject(createVerifier(f.options)(token), 'issuer_invalid', {
      wwwAuthenticate: invalidToken('The token issuer is not accepted'),
    })
    expect(err.claim).toBe('iss')
    await expect(createVerifier({ ...f.options, issuer: [ISSUER, 'https://evil.example.com/'] })(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('matches issuers exactly (no trailing-slash or case folding)', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier(f.options)
    await expectReject(verify(bearer(await f.sign({ iss: 'https://idp.example.com' }))), 'issuer_invalid')
    await expectReject(verify(bearer(await f.sign({ iss: 'https://IDP.example.com/' }))), 'issuer_invalid')
    await expectReject(verify(bearer(await f.sign({ iss: undefined }))), 'issuer_invalid')
  })

  it('accepts aud as a string or an array with any match; rejects others with 401 audience_invalid', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier(f.options)
    await expect(verify(bearer(await f.sign({ aud: ['other', AUDIENCE] })))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await expectReject(verify(bearer(await f.sign({ aud: 'other' }))), 'audience_invalid')
    await expectReject(verify(bearer(await f.sign({ aud: [] }))), 'audience_invalid')
    await expectReject(verify(bearer(await f.sign({ aud: undefined }))), 'audience_invalid')
    await expectReject(verify(bearer(await f.sign({ aud: [AUDIENCE, 7] }))), 'audience_invalid')
    await expect(createVerifier({ ...f.options, audience: ['x', 'other'] })(bearer(await f.sign({ aud: 'other' })))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('skips iss/aud only when explicitly null', async () => {
    const f = await fixture('ES256')
    const token = bearer(await f.sign({ iss: 'anyone', aud: 'anything' }))
    await expect(createVerifier({ ...f.options, issuer: null, audience: null })(token)).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('rejects registered claims of the wrong type with 401 claim_invalid', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier(f.options)
    expect((await expectReject(verify(bearer(await f.sign({ sub: 42 }))), 'claim_invalid')).claim).toBe('sub')
    expect((await expectReject(verify(bearer(await f.sign({ jti: {} }))), 'claim_invalid')).claim).toBe('jti')
  })

  it('rejects a token without a requiredClaims claim with 401 claim_missing', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, requiredClaims: ['jti', 'client_id'] })
    const err = await expectReject(verify(bearer(await f.sign({ jti: 'j1' }))), 'claim_missing')
    expect(err.claim).toBe('client_id')
    await expect(verify(bearer(await f.sign({ jti: 'j1', client_id: 'c' })))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('checks typ: default accepts none/JWT/at+jwt and rejects other JWT kinds (RFC 8725 §3.11)', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier(f.options)
    for (const typ of [undefined, 'JWT', 'jwt', 'at+jwt', 'application/at+JWT']) {
      await expect(verify(bearer(await f.sign({}, typ ? { typ } : {})))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    }
    for (const typ of ['dpop+jwt', 'secevent+jwt', 'logout+jwt', 'JOSE+JSON', 42]) {
      await expectReject(verify(bearer(await f.sign({}, { typ }))), 'typ_invalid', {
        wwwAuthenticate: invalidToken('The token type is not accepted'),
      })
    }
  })

  it('requires the configured typ (RFC 9068 at+jwt), normalising application/', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, typ: 'at+jwt' })
    await expect(verify(bearer(await f.sign({}, { typ: 'application/at+jwt' })))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await expectReject(verify(bearer(await f.sign({}, { typ: 'JWT' }))), 'typ_invalid')
    await expectReject(verify(bearer(await f.sign())), 'typ_invalid')
  })

  it('applies a custom zod schema, keeps registered claims, and rejects with 401 claims_schema_failed', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, claims: z.object({ org: z.string(), tier: z.coerce.number() }) })
    const auth = await verify(bearer(await f.sign({ org: 'acme', tier: '3' })))
    expect(auth.claims.org).toBe('acme')
    expect(auth.claims.tier).toBe(3)
    expect(auth.claims.sub).toBe('user-1')
    const err = await expectReject(verify(bearer(await f.sign({ org: 7 }))), 'claims_schema_failed')
    // The schema's Standard Schema issues, for the operator's logs.
    expect(err.cause).toEqual(expect.arrayContaining([expect.objectContaining({ path: ['org'] })]))
  })

  it('accepts any Standard Schema: a valibot schema types and checks the claims the same way', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, claims: v.object({ org: v.string() }) })
    const auth = await verify(bearer(await f.sign({ org: 'acme' })))
    expect(auth.claims.org).toBe('acme')
    await expectReject(verify(bearer(await f.sign({ org: 7 }))), 'claims_schema_failed')
  })

  it('awaits an async schema: an async refinement passes or fails like a sync one', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, claims: z.object({ org: z.string() }).refine(async (c) => c.org !== 'banned') })
    await expect(verify(bearer(await f.sign({ org: 'acme' })))).resolves.toMatchObject({ claims: { org: 'acme' } })
    await expectReject(verify(bearer(await f.sign({ org: 'banned' }))), 'claims_schema_failed')
  })

  it('turns a schema that throws, or whose promise rejects, into claims_schema_failed, not a crash', async () => {
    const f = await fixture('ES256')
    const throwing = z.object({ org: z.string() }).transform(() => {
      throw new Error('schema bug')
    })
    await expectReject(createVerifier({ ...f.options, claims: throwing })(bearer(await f.sign({ org: 'a' }))), 'claims_schema_failed')
    // A hand-written Standard Schema whose validation rejects (a lookup that failed, say).
    const rejecting = { '~standard': { version: 1 as const, vendor: 'test', validate: () => Promise.reject(new Error('lookup down')) } }
    await expectReject(createVerifier({ ...f.options, claims: rejecting })(bearer(await f.sign({ org: 'a' }))), 'claims_schema_failed')
  })
})

describe('scopes', () => {
  it('reads scope and scp, each a space-delimited string or an array of strings, deduplicated', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier(f.options)
    const auth = await verify(bearer(await f.sign({ scope: 'a  b', scp: ['b', 'c'] })))
    expect(auth.scopes).toEqual(['a', 'b', 'c'])
    expect((await verify(bearer(await f.sign({ scp: 'x y' })))).scopes).toEqual(['x', 'y'])
    // `scope` as a JSON array (some issuers send it so): every route used to answer 401.
    expect((await verify(bearer(await f.sign({ scope: ['read:orders', 'write:orders'] })), { scopes: ['write:orders'] })).scopes).toEqual(['read:orders', 'write:orders'])
    expect((await verify(bearer(await f.sign()))).scopes).toEqual([])
  })

  it('never reads Auth0 permissions as scopes: they are auth.permissions, and do not satisfy a scope requirement', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier(f.options)
    const token = bearer(await f.sign({ scope: 'openid', permissions: ['read:orders'] }))
    const auth = await verify(token)
    expect(auth.scopes).toEqual(['openid'])
    expect(auth.permissions).toEqual(['read:orders'])
    await expectReject(verify(token, { scopes: ['read:orders'] }), 'insufficient_scope', { status: 403 })
  })

  it('reads only the configured scope claims, and refuses permissions as a scope claim at setup', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, scopeClaims: ['scp'] })
    expect((await verify(bearer(await f.sign({ scope: 'a', scp: ['p'] })))).scopes).toEqual(['p'])
    expect(() => createVerifier({ ...f.options, scopeClaims: ['permissions' as 'scp'] })).toThrow(
      'tokengate: invalid verifier option scopeClaims.0: permissions are not scopes: check them with requirePermissions() (auth.permissions)',
    )
  })

  it('rejects a missing scope with 403 insufficient_scope naming what is required', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier(f.options)
    const token = bearer(await f.sign({ scope: 'read:users' }))
    await expect(verify(token, { scopes: ['read:users'] })).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    const err = await expectReject(verify(token, { scopes: ['read:users', 'write:users'] }), 'insufficient_scope', {
      status: 403,
      wwwAuthenticate:
        'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a required scope", scope="read:users write:users"',
    })
    expect(err.code).toBe('insufficient_scope')
  })

  it('accepts any one scope in any mode', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier(f.options)
    const token = bearer(await f.sign({ scope: 'write:users' }))
    await expect(verify(token, { scopes: ['read:users', 'write:users'], scopeMode: 'any' })).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    await expectReject(verify(token, { scopes: ['admin', 'root'], scopeMode: 'any' }), 'insufficient_scope', {
      wwwAuthenticate:
        'Bearer realm="api", error="insufficient_scope", error_description="The token needs one of the required scopes", scope="admin root"',
    })
  })

  it('rejects scope claims of the wrong type with 401 claim_invalid', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier(f.options)
    await expectReject(verify(bearer(await f.sign({ scope: [1] }))), 'claim_invalid')
    await expectReject(verify(bearer(await f.sign({ scope: { a: 1 } }))), 'claim_invalid')
    await expectReject(verify(bearer(await f.sign({ scp: 7 }))), 'claim_invalid')
    await expectReject(verify(bearer(await f.sign({ permissions: [1] }))), 'claim_invalid')
    await expectReject(verify(bearer(await f.sign({ roles: { admin: true } }))), 'claim_invalid')
  })

  it('checks scopes after signature and time: an expired token is 401, not 403', async () => {
    const f = await fixture('ES256')
    await expectReject(createVerifier(f.options)(bearer(await f.sign({ exp: NOW_S - 60 })), { scopes: ['x'] }), 'token_expired')
  })
})

describe('revocation hook', () => {
  it('rejects a revoked token with 401 token_revoked, passing claims and token to the hook', async () => {
    const f = await fixture('ES256')
    const isRevoked = vi.fn(async (c: { jti?: string }, _ctx: { token: string }) => c.jti === 'revoked')
    const verify = createVerifier({ ...f.options, isRevoked })
    const token = await f.sign({ jti: 'revoked' })
    await expectReject(verify(bearer(token)), 'token_revoked', { wwwAuthenticate: invalidToken('The token has been revoked') })
    expect(isRevoked.mock.calls[0]![0]).toMatchObject({ jti: 'revoked', sub: 'user-1' })
    expect(isRevoked.mock.calls[0]![1]).toMatchObject({ token })
    await expect(verify(bearer(await f.sign({ jti: 'fine' })))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('accepts a synchronous hook', async () => {
    const f = await fixture('ES256')
    await expectReject(createVerifier({ ...f.options, isRevoked: () => true })(bearer(await f.sign())), 'token_revoked')
  })

  it('fails closed with 503 revocation_unavailable when the hook throws', async () => {
    const f = await fixture('ES256')
    const outage = new Error('redis down')
    const err = await expectReject(
      createVerifier({ ...f.options, isRevoked: async () => { throw outage } })(bearer(await f.sign())),
      'revocation_unavailable',
      { status: 503, wwwAuthenticate: undefined },
    )
    expect(err.cause).toBe(outage)
  })

  it('is not consulted for a token that fails earlier', async () => {
    const f = await fixture('ES256')
    const isRevoked = vi.fn(() => false)
    await expectReject(createVerifier({ ...f.options, isRevoked })(bearer(await f.sign({ exp: 1 }))), 'token_expired')
    expect(isRevoked).not.toHaveBeenCalled()
  })
})

describe('realm', () => {
  it('uses the configured realm in every challenge', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, realm: 'orders' })
    await expectReject(verify(undefined), 'token_missing', { wwwAuthenticate: 'Bearer realm="orders"' })
    await expectReject(verify(bearer(await f.sign({ exp: 1 }))), 'token_expired', {
      wwwAuthenticate: 'Bearer realm="orders", error="invalid_token", error_description="The token has expired"',
    })
  })
})

describe('defaults', () => {
  it('the clock defaults to Date.now', async () => {
    const f = await fixture('ES256')
    const { now: _now, ...options } = f.options as typeof f.options & { now?: unknown }
    const fresh = Math.floor(Date.now() / 1000)
    await expect(createVerifier(options)(bearer(await f.sign({ iat: fresh, exp: fresh + 60 })))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    void now
  })
})
