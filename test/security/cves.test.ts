/**
 * Known vulnerabilities of JWT validators, each reproduced against tokengate: every test
 * fails on the vulnerable behaviour.
 */
import { describe, expect, it } from 'vitest'
import { exportSPKI, importJWK } from 'jose'
import { createVerifier, type KeySourceFactory } from '../../src/index.js'
import { generateSigningKey, type TestSigningKey } from '../../src/testing/keys.js'
import { signToken, signTokenRaw, unsignedToken } from '../../src/testing/tokens.js'
import { encodeBase64url } from '../../src/lib/base64url.js'
import { bearer, claims, expectReject, fixture, ISSUER, AUDIENCE, now } from '../helpers/setup.js'

const utf8 = new TextEncoder()

describe('known CVEs', () => {
  it('CVE-2022-23540 (jsonwebtoken): no algorithms configured never means "none" or any HS*', async () => {
    const f = await fixture('RS256')
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, now, jwks: { keys: [f.key.publicJwk!] } })
    await expectReject(verify(bearer(unsignedToken({ alg: 'none' }, claims()))), 'alg_not_allowed')
    const hs = await generateSigningKey('HS256')
    await expectReject(verify(bearer(await signToken(hs, claims()))), 'alg_not_allowed')
  })

  it('CVE-2022-23541 (jsonwebtoken): a custom key lookup returning an RSA key cannot verify an HS256 token', async () => {
    const f = await fixture('RS256')
    const rsa = (await import('../../src/keys/verification-key.js')).loadJwk(f.key.publicJwk, new Set(['RS256']))
    if (!('key' in rsa)) throw new Error('fixture key did not load')
    const lookup: KeySourceFactory = () => ({ getKey: () => rsa.key })
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, now, keys: lookup })
    const confused: TestSigningKey = { ...f.key, alg: 'HS256', signingKey: utf8.encode(JSON.stringify(f.key.publicJwk)) }
    // signTokenRaw: the kit's signToken refuses a JWK as an HMAC key, as the verifier does.
    const forged = await signTokenRaw(confused, { alg: 'HS256', kid: f.key.kid }, claims())
    await expectReject(verify(bearer(forged)), 'alg_not_allowed')
    // Even when a custom source's allow-list is widened to HS256, the RSA key does not take HS256.
    const widened = createVerifier({ issuer: ISSUER, audience: AUDIENCE, now, keys: lookup, algorithms: ['RS256', 'HS256'] })
    await expectReject(widened(bearer(forged)), 'signature_invalid')
    // And a public key can never be configured as the shared secret (the other half of the CVE).
    expect(() => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: JSON.stringify(f.key.publicJwk) })).toThrow(/option secret: a JWK \(kty "RSA"\) is not a shared secret/)
  })

  it('CVE-2023-48223 (fast-jwt): a PEM public key is never auto-detected, and never accepted as a `secret`', async () => {
    const f = await fixture('RS256')
    const pem = await exportSPKI((await importJWK(f.key.publicJwk!, 'RS256', { extractable: true })) as CryptoKey)
    // Whitespace-prefixed PEM defeated fast-jwt's public-key detection; here any PEM as a secret
    // is a configuration error, so nobody can HMAC with the public key and be accepted.
    for (const secret of [pem, `\n${pem}`, `  ${pem.replace(/\n/g, '\r\n')}`, utf8.encode(`\n${pem}`)]) {
      expect(() => createVerifier({ issuer: ISSUER, audience: AUDIENCE, now, secret })).toThrow(/option secret: (UTF-8 bytes of )?a PEM public key \(SPKI\) is not a shared secret/)
    }
    // The kit refuses to sign HS256 with it by accident too; the forgery is built on purpose only.
    const hs: TestSigningKey = { ...f.key, alg: 'HS256', signingKey: utf8.encode(`\n${pem}`), kid: undefined }
    await expect(signToken(hs, claims())).rejects.toThrow(/option key\.signingKey: UTF-8 bytes of a PEM public key/)
    await expectReject(createVerifier(f.options)(bearer(await signTokenRaw(hs, { alg: 'HS256' }, claims()))), 'alg_not_allowed')
  })

  it('fast-jwt empty resolved secrets: an empty secret is a configuration error, never "verify with nothing"', async () => {
    expect(() => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: '' })).toThrow(TypeError)
    expect(() => createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: new Uint8Array(0) })).toThrow(TypeError)
    // A custom source that hands back an empty HMAC key: the token is rejected, not accepted.
    const empty: KeySourceFactory = () => ({
      getKey: () => ({ kid: undefined, jwk: { kty: 'oct', k: '' }, algorithms: new Set(['HS256']), secret: new Uint8Array(0) }),
    })
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, now, keys: empty, algorithms: ['HS256'] })
    const forged = await signToken({ alg: 'HS256', kid: undefined, signingKey: new Uint8Array(1), publicJwk: undefined, secret: undefined }, claims())
    await expectReject(verify(bearer(forged)), 'signature_invalid')
  })

  it('CVE-2026-22817 (hono jwt): there is no HS256 default; a key-set verifier never accepts HS256', async () => {
    const f = await fixture('ES256')
    const hs: TestSigningKey = { ...f.key, alg: 'HS256', signingKey: utf8.encode(JSON.stringify(f.key.publicJwk)) }
    await expectReject(createVerifier(f.options)(bearer(await signTokenRaw(hs, { alg: 'HS256', kid: f.key.kid }, claims()))), 'alg_not_allowed')
  })

  it('CVE-2026-22818 (hono jwk): a JWK without "alg" does not let the header pick an algorithm outside its key type', async () => {
    const f = await fixture('RS256')
    const { alg: _alg, ...noAlg } = f.key.publicJwk!
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, now, jwks: { keys: [noAlg] } })
    for (const alg of ['HS256', 'HS512', 'ES256', 'EdDSA', 'none']) {
      const token =
        alg === 'none'
          ? unsignedToken({ alg, kid: f.key.kid }, claims())
          : alg.startsWith('HS')
            ? await signTokenRaw({ ...f.key, alg: alg as 'HS256', signingKey: utf8.encode(JSON.stringify(noAlg)) }, { alg, kid: f.key.kid }, claims())
            : await signToken(await generateSigningKey(alg as 'ES256', { kid: f.key.kid! }), claims())
      await expectReject(verify(bearer(token)), 'alg_not_allowed')
    }
  })

  it('CVE-2022-21449 ("psychic signatures"): an ECDSA signature of r = s = 0 never verifies', async () => {
    const f = await fixture('ES256')
    const [h, p] = (await f.sign()).split('.')
    await expectReject(createVerifier(f.options)(bearer(`${h}.${p}.${'A'.repeat(86)}`)), 'signature_invalid')
    // r = s = n (the P-256 group order) is the other classic: also rejected.
    const n = Uint8Array.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'.match(/../g)!, (x) => parseInt(x, 16))
    const rs = new Uint8Array(64)
    rs.set(n, 0)
    rs.set(n, 32)
    await expectReject(createVerifier(f.options)(bearer(`${h}.${p}.${encodeBase64url(rs)}`)), 'signature_invalid')
  })
})
