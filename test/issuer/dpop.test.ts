/**
 * DPoP-bound pairs from the embedded issuer (RFC 9449 §5): `issue` and `refresh` given a
 * token-request proof bind the access token (`cnf.jkt`, `tokenType: 'DPoP'`) and the refresh
 * family to the proof's key.
 */
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { createVerifier } from '../../src/index.js'
import { createIssuer, IssuerError, toTokenResponse } from '../../src/issuer/index.js'
import { generateDpopKey, signDpopProof, type DpopKey } from '../../src/testing/index.js'
import { expectReject } from '../helpers/setup.js'
import { AUDIENCE, Clock, expectIssuerError, ISSUER } from './helpers.js'

const TOKEN_ENDPOINT = 'https://auth.example.com/token'
const API = 'https://api.example.com/orders'

function setup() {
  const clock = new Clock()
  const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, now: clock.now, tokenEndpoint: TOKEN_ENDPOINT })
  const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: issuer.keySource(), isRevoked: issuer.isRevoked, now: clock.now, dpop: true })
  const tokenProof = (key: DpopKey, extra: { url?: string; method?: string } = {}) =>
    signDpopProof(key, { url: extra.url ?? TOKEN_ENDPOINT, method: extra.method ?? 'POST' }, clock.seconds)
  return { clock, issuer, verify, tokenProof }
}

describe('RFC 9449 §5: DPoP-bound pairs', () => {
  it('issue() with a proof binds the access token to the proof key (cnf.jkt, token_type DPoP), which the verifier then demands', async () => {
    const { issuer, verify, tokenProof, clock } = setup()
    const key = await generateDpopKey()
    const pair = await issuer.issue({ sub: 'alice', scopes: ['read'] }, { dpop: { proof: await tokenProof(key), method: 'POST', url: TOKEN_ENDPOINT } })
    expect(pair.tokenType).toBe('DPoP')
    expect(toTokenResponse(pair).token_type).toBe('DPoP')
    expect(decodeJwt(pair.accessToken).cnf).toEqual({ jkt: key.jkt })
    const proof = await signDpopProof(key, { url: API, accessToken: pair.accessToken }, clock.seconds)
    const auth = await verify(`DPoP ${pair.accessToken}`, { dpop: { proof, method: 'GET', url: API } })
    expect(auth.claims.sub).toBe('alice')
    await expectReject(verify(`Bearer ${pair.accessToken}`), 'token_bound')
  })

  it('refresh() of a bound family needs a proof from the same key, and keeps the binding', async () => {
    const { issuer, tokenProof } = setup()
    const key = await generateDpopKey()
    const first = await issuer.issue({ sub: 'alice' }, { dpop: { proof: await tokenProof(key) } })
    const next = await issuer.refresh(first.refreshToken, { dpop: { proof: await tokenProof(key) } })
    expect(next.tokenType).toBe('DPoP')
    expect(decodeJwt(next.accessToken).cnf).toEqual({ jkt: key.jkt })
  })

  it('refuses a bound family refreshed with another key (400 invalid_grant) or no proof (400 invalid_dpop_proof), without spending the token', async () => {
    const { issuer, tokenProof } = setup()
    const key = await generateDpopKey()
    const pair = await issuer.issue({ sub: 'alice' }, { dpop: { proof: await tokenProof(key) } })
    const thief = await generateDpopKey()
    const mismatch = await expectIssuerError(issuer.refresh(pair.refreshToken, { dpop: { proof: await tokenProof(thief) } }), 'refresh_token_key_mismatch', 400)
    expect(mismatch.toJSON().error).toBe('invalid_grant')
    const missing = await expectIssuerError(issuer.refresh(pair.refreshToken), 'dpop_proof_invalid', 400)
    expect(missing.toJSON()).toEqual({ error: 'invalid_dpop_proof', error_description: 'The refresh token is DPoP-bound: send a DPoP proof from its key' })
    // Neither attempt spent it: the holder of the key still refreshes (no reuse detected).
    expect((await issuer.refresh(pair.refreshToken, { dpop: { proof: await tokenProof(key) } })).tokenType).toBe('DPoP')
  })

  it.each([
    ['another htu', { url: 'https://auth.example.com/other' }],
    ['another method', { method: 'GET' }],
  ])('refuses a token-request proof naming %s (400 invalid_dpop_proof)', async (_name, extra) => {
    const { issuer, tokenProof } = setup()
    const err = await expectIssuerError(issuer.issue({ sub: 'alice' }, { dpop: { proof: await tokenProof(await generateDpopKey(), extra) } }), 'dpop_proof_invalid', 400)
    expect(err.message).toMatch(/htu|htm/)
  })

  it('refuses a replayed token-request proof', async () => {
    const { issuer, tokenProof } = setup()
    const proof = await tokenProof(await generateDpopKey())
    await issuer.issue({ sub: 'alice' }, { dpop: { proof } })
    const err = await expectIssuerError(issuer.issue({ sub: 'alice' }, { dpop: { proof } }), 'dpop_proof_invalid', 400)
    expect(err.message).toBe('The DPoP proof has already been used')
  })

  it('binds only the access token when an unbound family is refreshed with a proof', async () => {
    const { issuer, tokenProof } = setup()
    const pair = await issuer.issue({ sub: 'alice' })
    expect(pair.tokenType).toBe('Bearer')
    const key = await generateDpopKey()
    const bound = await issuer.refresh(pair.refreshToken, { dpop: { proof: await tokenProof(key) } })
    expect(bound.tokenType).toBe('DPoP')
    expect(decodeJwt(bound.accessToken).cnf).toEqual({ jkt: key.jkt })
    const plain = await issuer.refresh(bound.refreshToken)
    expect(plain.tokenType).toBe('Bearer')
    expect(decodeJwt(plain.accessToken).cnf).toBeUndefined()
  })

  it('revokes a bound access token without its proof', async () => {
    const { issuer, tokenProof } = setup()
    const pair = await issuer.issue({ sub: 'alice' }, { dpop: { proof: await tokenProof(await generateDpopKey()) } })
    expect(await issuer.revoke(pair.accessToken)).toBe(true)
  })

  it('needs tokenEndpoint to bind: a ConfigError otherwise, and cnf is reserved', async () => {
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE })
    await expect(issuer.issue({ sub: 'alice' }, { dpop: { proof: 'x' } })).rejects.toThrow(/invalid issuer option issue\(\)\.dpop: binding tokens to a DPoP key needs createIssuer\(\{ tokenEndpoint \}\)/)
    expect(() => createIssuer({ issuer: ISSUER, audience: AUDIENCE, dpop: {} })).toThrow(/invalid issuer option dpop: needs `tokenEndpoint`/)
    await expect(issuer.issue({ sub: 'alice', claims: { cnf: { jkt: 'x' } } })).rejects.toThrow(/claims may not set cnf/)
    // Nor the member the family's binding is stored under: issue() input cannot bind a family.
    await expect(issuer.issue({ sub: 'alice', claims: { 'tokengate:dpop_jkt': 'x' } })).rejects.toThrow(/claims may not set tokengate:dpop_jkt/)
    expect(IssuerError.is(new IssuerError('dpop_proof_invalid'))).toBe(true)
  })
})
