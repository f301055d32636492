/**
 * `maxTokenAge`, `auth_time` and `claimValues`, through a real verifier: each failure with its
 * reason, the claim at fault and the exact challenge, on fresh and cached tokens alike.
 */
import { describe, expect, it } from 'vitest'
import { createVerifier } from '../index.js'
import { bearer, expectReject, fixture, NOW_S } from '../../test/helpers/setup.js'

describe('maxTokenAge', () => {
  it('requires iat no older than the age plus the clock tolerance: 401 token_too_old', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, maxTokenAge: '5m' })
    await verify(bearer(await f.sign({ iat: NOW_S - 300 - 5 })))
    const err = await expectReject(verify(bearer(await f.sign({ iat: NOW_S - 300 - 6 }))), 'token_too_old', {
      status: 401,
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token was issued too long ago"',
    })
    expect(err.claim).toBe('iat')
    await expectReject(verify(bearer(await f.sign({ iat: undefined }))), 'claim_missing', {
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token has no iat claim"',
    })
    await expectReject(verify(bearer(await f.sign({ iat: '1' }))), 'claim_invalid')
  })

  it('ages a cached token too: the same token passes, then fails once it is too old', async () => {
    const f = await fixture('ES256')
    let t = NOW_S * 1000
    const verify = createVerifier({ ...f.options, now: () => t, maxTokenAge: 120 })
    const token = bearer(await f.sign({ iat: NOW_S, exp: NOW_S + 3600 }))
    await verify(token)
    t += 60_000
    await verify(token)
    t += 66_000
    await expectReject(verify(token), 'token_too_old')
  })

  it('refuses a non-positive or malformed age at setup', async () => {
    const f = await fixture('ES256')
    expect(() => createVerifier({ ...f.options, maxTokenAge: 0 })).toThrow('tokengate: invalid verifier option maxTokenAge: must be more than 0')
    expect(() => createVerifier({ ...f.options, maxTokenAge: 'soon' })).toThrow('tokengate: invalid verifier option maxTokenAge')
  })
})

describe('auth_time', () => {
  it('must be a NumericDate not in the future (clock tolerance allowed)', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier(f.options)
    await verify(bearer(await f.sign({ auth_time: NOW_S - 86_400 })))
    await verify(bearer(await f.sign({ auth_time: NOW_S + 5 })))
    const err = await expectReject(verify(bearer(await f.sign({ auth_time: NOW_S + 60 }))), 'token_issued_in_future', {
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token authentication time is in the future"',
    })
    expect(err.claim).toBe('auth_time')
    await expectReject(verify(bearer(await f.sign({ auth_time: 'yesterday' }))), 'claim_invalid')
  })
})

describe('a header exp (RFC 7519 §5.3 replicated claim; AWS ALB)', () => {
  it('holds as the payload exp does, with the tolerance: 401 token_expired, or claim_invalid when not a NumericDate', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, cache: false })
    expect((await verify(bearer(await f.sign({}, { exp: NOW_S - 4 })))).claims.sub).toBe('user-1')
    const err = await expectReject(verify(bearer(await f.sign({}, { exp: NOW_S - 5 }))), 'token_expired', {
      status: 401,
      wwwAuthenticate: 'Bearer realm="api", error="invalid_token", error_description="The token has expired"',
    })
    expect(err.claim).toBe('exp')
    await expectReject(verify(bearer(await f.sign({}, { exp: 'tomorrow' }))), 'claim_invalid')
  })
})

describe('claimValues', () => {
  it("accepts a claim with the value, one of the values, or the predicate's approval", async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({
      ...f.options,
      claimValues: { token_use: 'access', client_id: ['app-1', 'app-2'], tier: 2, beta: true, sub: (v) => typeof v === 'string' && v.length > 0 && v.length <= 128 },
    })
    const auth = await verify(bearer(await f.sign({ token_use: 'access', client_id: 'app-2', tier: 2, beta: true })))
    expect(auth.claims.client_id).toBe('app-2')
  })

  it('refuses an absent claim (401 claim_missing) and another value, type or a failing predicate (401 claim_invalid)', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, claimValues: { token_use: 'access', n: 1, sub: (v) => v === 'user-1' } })
    const good = { token_use: 'access', n: 1 }
    const cases: [Record<string, unknown>, string, string][] = [
      [{ n: 1 }, 'claim_missing', 'token_use'],
      [{ ...good, token_use: 'id' }, 'claim_invalid', 'token_use'],
      [{ ...good, token_use: ['access'] }, 'claim_invalid', 'token_use'],
      [{ ...good, n: '1' }, 'claim_invalid', 'n'],
      [{ ...good, sub: 'user-2' }, 'claim_invalid', 'sub'],
    ]
    for (const [claims, reason, claim] of cases) {
      const err = await expectReject(verify(bearer(await f.sign(claims))), reason, { status: 401 })
      expect(err.claim).toBe(claim)
    }
    const err = await expectReject(verify(bearer(await f.sign({ ...good, token_use: 'id' }))), 'claim_invalid')
    expect(err.wwwAuthenticate).toBe('Bearer realm="api", error="invalid_token", error_description="The token_use claim does not have an accepted value"')
  })

  it('never reads an inherited property as a claim', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, claimValues: { constructor: (v: unknown) => v !== undefined } })
    await expectReject(verify(bearer(await f.sign())), 'claim_missing')
  })

  it('refuses malformed rules at setup', async () => {
    const f = await fixture('ES256')
    expect(() => createVerifier({ ...f.options, claimValues: { token_use: [] } })).toThrow('tokengate: invalid verifier option claimValues.token_use')
    expect(() => createVerifier({ ...f.options, claimValues: { token_use: { a: 1 } as never } })).toThrow('claimValues.token_use')
    expect(() => createVerifier({ ...f.options, claimValues: 'x' as never })).toThrow('tokengate: invalid verifier option claimValues')
  })
})
