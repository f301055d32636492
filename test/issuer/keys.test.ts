import { generateKeyPairSync } from 'node:crypto'
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { createVerifier } from '../../src/index.js'
import { createIssuer } from '../../src/issuer/index.js'
import { AUDIENCE, bearer, Clock, expectReject, ISSUER, verifierFor } from './helpers.js'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
const SECRET = 'an HS256 secret of at least 32 bytes!'

async function privateJwk(alg: 'ES256' | 'RS256' | 'EdDSA'): Promise<JWK> {
  return exportJWK((await generateKeyPair(alg, { extractable: true })).privateKey)
}

describe('issuer keys', () => {
  it.each(['ES256', 'RS256', 'PS256', 'EdDSA'] as const)('signs with %s and publishes only the public half', async (algorithm) => {
    const clock = new Clock()
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, algorithm, now: clock.now })
    const pair = await issuer.issue({ sub: 'alice' })
    const jwks = await issuer.jwks()
    expect(jwks.keys).toHaveLength(1)
    const jwk = jwks.keys[0] as Record<string, unknown>
    expect(jwk).toMatchObject({ alg: algorithm, use: 'sig', kid: expect.any(String) })
    for (const m of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(m)
    expect(decodeProtectedHeader(pair.accessToken)).toMatchObject({ alg: algorithm, kid: jwk.kid, typ: 'at+jwt' })
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, typ: 'at+jwt', isRevoked: issuer.isRevoked, now: clock.now })
    await expect(verify(bearer(pair.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
  })

  it('signs HS256 with a shared secret that never appears in jwks()', async () => {
    const clock = new Clock()
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET, now: clock.now })
    const pair = await issuer.issue({ sub: 'alice' })
    expect(decodeProtectedHeader(pair.accessToken)).toEqual({ alg: 'HS256', typ: 'at+jwt' })
    await expect(issuer.jwks()).resolves.toEqual({ keys: [] })
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET, isRevoked: issuer.isRevoked, now: clock.now })
    await expect(verify(bearer(pair.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
    const viaSource = createVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: issuer.keySource(), algorithms: ['HS256'], now: clock.now })
    await expect(viaSource(bearer(pair.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
    await expect(issuer.rotateKeys()).rejects.toThrow(TypeError)
  })

  it('signs with activeKid and publishes every configured key', async () => {
    const clock = new Clock()
    const keys = [
      { privateKey: await privateJwk('ES256'), kid: 'old' },
      { privateKey: await privateJwk('EdDSA'), kid: 'new' },
    ]
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys, activeKid: 'new', now: clock.now })
    const before = createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys, now: clock.now })
    expect((await issuer.jwks()).keys.map((k) => (k as JWK).kid)).toEqual(['new', 'old'])
    const fresh = await issuer.issue({ sub: 'alice' })
    const older = await before.issue({ sub: 'alice' })
    expect(decodeProtectedHeader(fresh.accessToken)).toMatchObject({ alg: 'EdDSA', kid: 'new' })
    expect(decodeProtectedHeader(older.accessToken)).toMatchObject({ alg: 'ES256', kid: 'old' })
    const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: await issuer.jwks(), now: clock.now })
    await expect(verify(bearer(fresh.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
    await expect(verify(bearer(older.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
  })

  it('loads PKCS#8 PEM and CryptoKeys, with the RFC 7638 thumbprint as default kid', async () => {
    const { privateKey: pem } = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
    const fromPem = createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys: [{ privateKey: pem }] })
    expect((await fromPem.jwks()).keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) })
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const clock = new Clock()
    const fromCryptoKey = createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys: [{ privateKey, publicJwk: await exportJWK(publicKey), kid: 'ck' }], now: clock.now })
    const pair = await fromCryptoKey.issue({ sub: 'a' })
    expect(decodeProtectedHeader(pair.accessToken)).toMatchObject({ alg: 'ES256', kid: 'ck' })
    await expect(verifierFor(fromCryptoKey, clock)(bearer(pair.accessToken))).resolves.toMatchObject({ claims: { sub: 'a' } })
  })

  it('rejects unusable keys with a TypeError naming the key: at createIssuer(), or at ready() when only the import tells', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }) as JWK
    const es = await privateJwk('ES256')
    const other = await privateJwk('ES256')
    const { privateKey: sealed } = await generateKeyPair('ES256')
    const now: [unknown, string][] = [
      [[{ privateKey: weak }], 'keys.0: RSA key of 1024 bits'],
      [[{ privateKey: { kty: es.kty, crv: es.crv, x: es.x, y: es.y } }], 'keys.0.privateKey: a private JWK (with "d") is required'],
      [[{ privateKey: sealed }], 'keys.0.publicJwk: required for a non-extractable CryptoKey'],
      [[{ privateKey: es, kid: 'a' }, { privateKey: other, kid: 'a' }], 'keys.1.kid: "a" is listed twice'],
    ]
    for (const [keys, message] of now) {
      expect(() => createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys: keys as never })).toThrow(`tokengate: invalid issuer option ${message}`)
    }
    // A private key that does not match its public half: only the self-test can tell.
    const mismatched = createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys: [{ privateKey: { ...es, x: other.x, y: other.y } }] })
    const err = await mismatched.jwks().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TypeError)
    expect((err as Error).message).toContain('tokengate: invalid issuer option keys.0.privateKey')
    await expect(mismatched.issue({ sub: 'a' })).rejects.toBe(err)
    await expect(mismatched.ready()).rejects.toBe(err)
    expect(() => createIssuer({ issuer: ISSUER, audience: AUDIENCE, keys: [{ privateKey: es, kid: 'a' }], activeKid: 'b' })).toThrow(
      'tokengate: invalid issuer option activeKid: no key has kid "b"',
    )
  })

  it('rotateKeys() signs with a new key and publishes the old one until its tokens expire', async () => {
    const clock = new Clock()
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE, accessTtl: '10m', now: clock.now })
    const followsRotation = verifierFor(issuer, clock)
    const snapshot = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: await issuer.jwks(), now: clock.now })
    const before = await issuer.issue({ sub: 'alice' })
    const oldKid = decodeProtectedHeader(before.accessToken).kid
    clock.advance(120)
    const newKid = await issuer.rotateKeys()
    const after = await issuer.issue({ sub: 'alice' })
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(newKid)
    expect(newKid).not.toBe(oldKid)
    expect((await issuer.jwks()).keys.map((k) => (k as JWK).kid)).toEqual([newKid, oldKid])
    await expect(followsRotation(bearer(before.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
    await expect(followsRotation(bearer(after.accessToken))).resolves.toMatchObject({ claims: { sub: 'alice' } })
    await expectReject(snapshot(bearer(after.accessToken)), 'kid_not_found') // a jwks() snapshot needs rebuilding
    clock.advance(600 + 60 - 1)
    expect((await issuer.jwks()).keys).toHaveLength(2)
    clock.advance(1)
    expect((await issuer.jwks()).keys.map((k) => (k as JWK).kid)).toEqual([newKid])
    await expectReject(followsRotation(bearer(before.accessToken)), 'kid_not_found')
  })

  it('rotateKeys(key) installs the given key', async () => {
    const issuer = createIssuer({ issuer: ISSUER, audience: AUDIENCE })
    await expect(issuer.rotateKeys({ privateKey: await privateJwk('RS256'), kid: 'rsa-2' })).resolves.toBe('rsa-2')
    expect(decodeProtectedHeader((await issuer.issue({ sub: 'a' })).accessToken)).toMatchObject({ alg: 'RS256', kid: 'rsa-2' })
    await expect(issuer.rotateKeys({ privateKey: await privateJwk('ES256'), kid: 'rsa-2' })).rejects.toThrow('"rsa-2" is already in use')
  })
})
