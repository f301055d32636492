import { decodeJwt, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { createVerifier } from '../../src/index.js'
import { createIssuer, toTokenResponse } from '../../src/issuer/index.js'
import { AUDIENCE, bearer, Clock, expectReject, ISSUER, START_S } from './helpers.js'

describe('issue()', () => {
  it('mints an RFC 9068 access token and an opaque refresh token', async () => {
    const clock = new Clock()
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, now: clock.now })
    const pair = await issuer.issue({ sub: 'alice', scopes: ['read:orders', 'write:orders'], claims: { tenant: 'acme' }, clientId: 'web-app' })
    expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, scope: 'read:orders write:orders' })
    expect(pair.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const { kid } = (await issuer.jwks()).keys[0] as { kid: string }
    expect(decodeProtectedHeader(pair.accessToken)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid })
    const claims = decodeJwt(pair.accessToken)
    expect(claims).toEqual({
      iss: ISSUER,
      sub: 'alice',
      aud: AUDIENCE,
      iat: START_S,
      exp: START_S + 900,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      client_id: 'web-app',
      scope: 'read:orders write:orders',
      sid: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      tenant: 'acme',
    })
  })

  it('produces tokens the real verifier accepts via jwks() and isRevoked, with scopes enforced', async () => {
    const clock = new Clock()
    const issuer = createIssuer({ issuer: ISSUER, audience: [AUDIENCE, 'https://other.example.com'], accessTtl: '5m', now: clock.now })
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', jwks: await issuer.jwks(), isRevoked: issuer.isRevoked, now: clock.now })
    const pair = await issuer.issue({ sub: 'alice', scopes: ['read:orders'] })
    await expect(verify(bearer(pair.accessToken), { scopes: ['read:orders'] })).resolves.toMatchObject({ scopes: ['read:orders'], claims: { sub: 'alice' } })
    await expectReject(verify(bearer(pair.accessToken), { scopes: ['write:orders'] }), 'insufficient_scope', { status: 403 })
    clock.advance(300 + 5)
    await expectReject(verify(bearer(pair.accessToken)), 'token_expired', { status: 401 })
  })

  it('omits scope when none is granted and gives each pair its own jti and family', async () => {
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE })
    const [a, b] = await Promise.all([issuer.issue({ sub: 'alice' }), issuer.issue({ sub: 'alice' })])
    expect(a!.scope).toBe('')
    expect(decodeJwt(a!.accessToken).scope).toBeUndefined()
    expect(decodeJwt(a!.accessToken).jti).not.toBe(decodeJwt(b!.accessToken).jti)
    expect(decodeJwt(a!.accessToken).sid).not.toBe(decodeJwt(b!.accessToken).sid)
    expect(a!.refreshToken).not.toBe(b!.refreshToken)
  })

  it('gives the OAuth 2.0 token response shape (RFC 6749 §5.1) through toTokenResponse', async () => {
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE })
    const pair = await issuer.issue({ sub: 'alice', scopes: ['read'] })
    expect(toTokenResponse(pair)).toEqual({ access_token: pair.accessToken, token_type: 'Bearer', expires_in: 900, refresh_token: pair.refreshToken, scope: 'read' })
    expect(toTokenResponse({ ...pair, scope: '' })).not.toHaveProperty('scope')
  })

  it('refuses malformed input with a TypeError', async () => {
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE })
    const cases: [unknown, string][] = [
      [{}, 'sub must be a non-empty string'],
      [{ sub: '' }, 'sub must be a non-empty string'],
      [{ sub: 'a', scopes: 'read' }, 'scopes must be an array'],
      [{ sub: 'a', scopes: ['read write'] }, 'is not an RFC 6749 scope-token'],
      [{ sub: 'a', scopes: ['"quoted"'] }, 'is not an RFC 6749 scope-token'],
      [{ sub: 'a', claims: { exp: 1, sid: 'x' } }, 'claims may not set exp, sid'],
      [{ sub: 'a', claims: [] }, 'claims must be an object'],
      [{ sub: 'a', clientId: '' }, 'clientId must be a non-empty string'],
    ]
    for (const [input, message] of cases) {
      const err = await issuer.issue(input as never).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TypeError)
      expect((err as TypeError).message).toContain(`tokengate: invalid issuer option issue(): `)
      expect((err as TypeError).message).toContain(message)
    }
  })
})
