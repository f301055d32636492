/**
 * RFC 8725 (JSON Web Token Best Current Practices), §3 item by item. Each test names its
 * section; each fails on the behaviour the section warns against.
 */
import { describe, expect, it, vi } from 'vitest'
import { createVerifier } from '../../src/index.js'
import { generateSigningKey } from '../../src/testing/keys.js'
import { signToken, signTokenRaw, unsignedToken } from '../../src/testing/tokens.js'
import { bearer, claims, expectReject, fixture, ISSUER, AUDIENCE, now } from '../helpers/setup.js'

describe('RFC 8725 §3 — JWT best current practices', () => {
  it('§3.1 performs algorithm verification: the allow-list and the key decide, never the token alone', async () => {
    const f = await fixture('RS256')
    const verify = createVerifier({ ...f.options, algorithms: ['RS256'] })
    const pss = await generateSigningKey('PS256', { kid: f.key.kid! })
    await expectReject(verify(bearer(await signToken(pss, claims()))), 'alg_not_allowed')
    await expectReject(verify(bearer(unsignedToken({ alg: 'none', kid: f.key.kid }, claims()))), 'alg_not_allowed')
  })

  it('§3.1 each key is used with exactly one algorithm family (HS never with a public key)', async () => {
    const f = await fixture('ES256')
    const asSecret = { ...f.key, alg: 'HS256' as const, signingKey: new TextEncoder().encode(JSON.stringify(f.key.publicJwk)) }
    await expectReject(createVerifier(f.options)(bearer(await signTokenRaw(asSecret, { alg: 'HS256', kid: f.key.kid }, claims()))), 'alg_not_allowed')
    // Nor can the public key be configured as the HS secret.
    expect(() => createVerifier({ ...f.options, jwks: undefined, secret: JSON.stringify(f.key.publicJwk) } as never)).toThrow(/option secret: a JWK \(kty "EC"\) is not a shared secret/)
  })

  it('§3.2 uses appropriate algorithms: "none" is not one, whatever its case', async () => {
    const f = await fixture('HS256')
    for (const alg of ['none', 'NoNe']) {
      await expectReject(createVerifier(f.options)(bearer(unsignedToken({ alg }, claims()))), 'alg_not_allowed')
    }
  })

  it('§3.3 validates every cryptographic operation: a token with a valid shape but no valid signature fails', async () => {
    const f = await fixture('EdDSA')
    const [h, p] = (await f.sign()).split('.')
    await expectReject(createVerifier(f.options)(bearer(`${h}.${p}.${'A'.repeat(86)}`)), 'signature_invalid')
  })

  it('§3.4 validates cryptographic inputs: an EC key whose point is not on the curve is never used', async () => {
    const f = await fixture('ES256')
    const offCurve = { ...f.key.publicJwk!, y: f.key.publicJwk!.x }
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, now, jwks: { keys: [offCurve] } })
    await expectReject(verify(bearer(await f.sign())), 'signature_invalid')
  })

  it('§3.5 ensures keys have sufficient entropy: short HMAC secrets and small RSA keys are refused', async () => {
    expect(() => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: 'password' })).toThrow(/at least 32 bytes/)
    const small = await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['sign', 'verify'],
    )
    const jwk = await crypto.subtle.exportKey('jwk', (small as CryptoKeyPair).publicKey)
    expect(() => createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [jwk] } })).toThrow(/1024 bits/)
  })

  it('§3.7 uses UTF-8: a header or payload that is not valid UTF-8 is rejected', async () => {
    const f = await fixture('HS256')
    const token = await signToken(f.key, new Uint8Array([0x7b, 0x22, 0x73, 0x75, 0x62, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]))
    await expectReject(createVerifier(f.options)(bearer(token)), 'token_malformed')
  })

  it('§3.8 validates the issuer, and keys belong to their issuer (multi-issuer)', async () => {
    const a = await generateSigningKey('ES256', { kid: 'a' })
    const b = await generateSigningKey('ES256', { kid: 'b' })
    const verify = createVerifier({
      audience: AUDIENCE,
      now,
      issuers: [
        { issuer: 'https://a.example/', jwks: { keys: [a.publicJwk!] } },
        { issuer: 'https://b.example/', jwks: { keys: [b.publicJwk!] } },
      ],
    })
    await expect(verify(bearer(await signToken(a, claims({ iss: 'https://a.example/' }))))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    // B's key cannot vouch for a token that claims to come from A.
    await expectReject(verify(bearer(await signToken(b, claims({ iss: 'https://a.example/' })))), 'kid_not_found')
    await expectReject(verify(bearer(await signToken(a, claims({ iss: 'https://c.example/' })))), 'issuer_invalid')
  })

  it('§3.9 uses and validates the audience: it is required configuration, and a token for another API fails', async () => {
    const f = await fixture('ES256')
    expect(() => createVerifier({ issuer: ISSUER, jwks: { keys: [f.key.publicJwk!] } } as never)).toThrow(/audience/)
    await expectReject(createVerifier(f.options)(bearer(await f.sign({ aud: 'https://other-api.example' }))), 'audience_invalid')
  })

  it('§3.10 does not trust received claims: kid selects among configured keys only, jku/x5u are never fetched', async () => {
    const f = await fixture('ES256')
    const fetchSpy = vi.fn(async () => new Response('{}'))
    const verify = createVerifier({ ...f.options, fetch: fetchSpy })
    const attacker = await generateSigningKey('ES256', { kid: "../../etc/passwd' OR 1=1" })
    await expectReject(verify(bearer(await signToken(attacker, claims(), { jku: 'http://127.0.0.1:1/jwks' }))), 'kid_not_found')
    expect(fetchSpy).not.toHaveBeenCalled()
  })

  it('§3.11 uses explicit typing: a DPoP proof or security event token is not an access token', async () => {
    const f = await fixture('ES256')
    await expectReject(createVerifier(f.options)(bearer(await f.sign({}, { typ: 'dpop+jwt' }))), 'typ_invalid')
    await expectReject(createVerifier(f.options)(bearer(await f.sign({}, { typ: 'secevent+jwt' }))), 'typ_invalid')
  })

  it('§3.12 uses mutually exclusive validation rules: with typ at+jwt required, an ID token (typ JWT) fails', async () => {
    const f = await fixture('ES256')
    const verify = createVerifier({ ...f.options, typ: 'at+jwt' })
    await expectReject(verify(bearer(await f.sign({ nonce: 'n' }, { typ: 'JWT' }))), 'typ_invalid')
    await expect(verify(bearer(await f.sign({}, { typ: 'at+jwt' })))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('RFC 7515 §4.1.11: an unknown crit extension is rejected', async () => {
    const f = await fixture('ES256')
    const token = await signTokenRaw(f.key, { alg: 'ES256', kid: f.key.kid, crit: ['http://example.invalid/ext'], 'http://example.invalid/ext': 1 }, claims())
    await expectReject(createVerifier(f.options)(bearer(token)), 'crit_unsupported')
  })
})
