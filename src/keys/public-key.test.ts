/**
 * `publicKey` on both signature backends: PEM SPKI, PKCS#1 and certificates, KeyObjects and
 * CryptoKeys (not extractable too) verify; a single kid-less key matches any `kid`; the
 * algorithm family is still enforced; wrong material is a ConfigError at construction.
 */
import { createPublicKey, generateKeyPairSync, createSecretKey } from 'node:crypto'
import { importSPKI, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { createVerifierOn } from '../core/create-verifier.js'
import type { JwtVerifierOptions, VerifierOptions } from '../core/options.js'
import { nodeSignatureBackend } from '../signature/node.js'
import { webSignatureBackend } from '../signature/web.js'
import { certificatePem, publicKeyPem } from '../testing/certificate.js'
import { deriveSigningKey } from '../testing/seeded-keys.js'
import { signToken } from '../testing/tokens.js'
import { AUDIENCE, bearer, claims, expectReject, ISSUER, now } from '../../test/helpers/setup.js'
import type { PublicKeyInput } from './public-key.js'

const BACKENDS = [nodeSignatureBackend, webSignatureBackend]
const options = (publicKey: PublicKeyInput, extra: Partial<VerifierOptions> = {}) =>
  ({ issuer: ISSUER, audience: AUDIENCE, now, publicKey, ...extra }) as JwtVerifierOptions

describe.each(BACKENDS)('publicKey on the $name backend', (backend) => {
  it.each(['RS256', 'PS384', 'ES256', 'ES512', 'EdDSA'] as const)('verifies %s with a PEM SPKI, a certificate and a KeyObject, whatever kid the token names', async (alg) => {
    const key = await deriveSigningKey(alg)
    const spki = publicKeyPem(key)
    for (const input of [spki, await certificatePem(key), createPublicKey(spki)]) {
      const verify = createVerifierOn(backend, options(input, { cache: false }))
      for (const header of [{}, { kid: 'anything' }, { kid: key.kid }]) {
        const auth = await verify(bearer(await signToken({ ...key, kid: undefined }, claims(), header)))
        expect(auth.claims.sub).toBe('user-1')
      }
      const [h, p, s] = (await signToken(key, claims())).split('.')
      await expectReject(verify(bearer(`${h}.${p}.${(s![0] === 'A' ? 'B' : 'A') + s!.slice(1)}`)), 'signature_invalid', { status: 401 })
    }
  })

  it('verifies with a PKCS#1 RSA PUBLIC KEY', async () => {
    const key = await deriveSigningKey('RS256')
    const pkcs1 = createPublicKey(publicKeyPem(key)).export({ type: 'pkcs1', format: 'pem' }) as string
    const auth = await createVerifierOn(backend, options(pkcs1))(bearer(await signToken(key, claims())))
    expect(auth.header?.alg).toBe('RS256')
  })

  it('verifies with a CryptoKey that is not extractable, for its one algorithm only', async () => {
    const key = await deriveSigningKey('RS256')
    const cryptoKey = await importSPKI(publicKeyPem(key), 'RS256', { extractable: false })
    const verify = createVerifierOn(backend, options(cryptoKey))
    expect((await verify(bearer(await signToken(key, claims())))).claims.sub).toBe('user-1')
    const ps = await deriveSigningKey('PS256')
    await expectReject(verify(bearer(await signToken({ ...ps, kid: undefined }, claims()))), 'alg_not_allowed')
    const es = await deriveSigningKey('ES256')
    const ecKey = await importSPKI(publicKeyPem(es), 'ES256')
    expect((await createVerifierOn(backend, options(ecKey))(bearer(await signToken(es, claims())))).header?.alg).toBe('ES256')
  })

  it('keeps algorithm families apart: an HS256 token signed with the PEM as secret, or an ES256 token for an RSA key', async () => {
    const key = await deriveSigningKey('RS256')
    const pem = publicKeyPem(key)
    const verify = createVerifierOn(backend, options(pem))
    // Forged with jose: the test kit itself refuses a PEM as an HMAC secret.
    const forged = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(pem))
    await expectReject(verify(bearer(forged)), 'alg_not_allowed')
    await expectReject(verify(bearer(await signToken({ ...(await deriveSigningKey('ES256')), kid: undefined }, claims()))), 'alg_not_allowed')
  })
})

describe('publicKey setup', () => {
  const build = (publicKey: unknown, extra: Partial<VerifierOptions> = {}) => () => createVerifierOn(nodeSignatureBackend, options(publicKey as PublicKeyInput, extra))

  it('refuses private keys, secrets and non-keys with a ConfigError naming publicKey, never quoting the key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
    expect(build(pkcs8)).toThrow('tokengate: invalid verifier option publicKey: a private key: give the public key')
    expect(build(privateKey)).toThrow('tokengate: invalid verifier option publicKey: a private KeyObject: give the public key')
    expect(build(createSecretKey(Buffer.alloc(32)))).toThrow('a secret KeyObject: give the shared secret as `secret`')
    expect(build('not a key')).toThrow('tokengate: invalid verifier option publicKey: not a PEM string')
    expect(build(42)).toThrow('tokengate: invalid verifier option publicKey: expected a PEM public key or certificate')
    expect(build({ n: 'x' })).toThrow('expected a PEM public key or certificate (a string), a KeyObject or a CryptoKey')
    try {
      build(pkcs8)()
    } catch (err) {
      expect(String(err)).not.toContain(pkcs8.split('\n')[1]!.slice(0, 12))
    }
    void publicKey
  })

  it('applies the key policy of a JWK: no RSA under 2048 bits, no algorithm off the allow-list, no HMAC', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string
    expect(build(weak)).toThrow('publicKey: not a usable verification key: RSA key of 1024 bits (minimum 2048)')
    const es = publicKeyPem(await deriveSigningKey('ES256'))
    expect(build(es, { algorithms: ['RS256'] })).toThrow('publicKey: not a usable verification key: none of its algorithms is on the allow-list')
    expect(build(es, { algorithms: ['HS256'] })).toThrow('tokengate: invalid verifier option algorithms: HS256 needs a shared secret')
    const weakCrypto = await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'])
    expect(build(weakCrypto.publicKey)).toThrow('publicKey: RSA key of 1024 bits (minimum 2048)')
    expect(build(weakCrypto.privateKey)).toThrow('publicKey: a private CryptoKey: give the public key')
  })

  it('takes one key source only, and names it inside issuers', async () => {
    const pem = publicKeyPem(await deriveSigningKey('ES256'))
    expect(build(pem, { jwksUri: 'https://idp.example.com/jwks' } as never)).toThrow('only one key source may be given, got jwksUri and publicKey')
    expect(() => createVerifierOn(nodeSignatureBackend, { audience: AUDIENCE, issuers: [{ issuer: ISSUER, publicKey: 'nope' }] })).toThrow(
      'tokengate: invalid verifier option issuers.0.publicKey: not a PEM string',
    )
  })
})
