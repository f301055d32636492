/**
 * Both signature backends, side by side: every algorithm verifies, and the encodings a JWS
 * forbids (DER ECDSA, PSS with another salt length, short HMACs) fail the same way on both.
 */
import { constants, generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import { importPKCS8 } from 'jose'
import { describe, expect, it } from 'vitest'
import { createVerifierOn } from '../core/create-verifier.js'
import { encodeBase64url } from '../lib/base64url.js'
import type { VerifierOptions } from '../core/options.js'
import { parseToken } from '../lib/token.js'
import { ALGORITHMS, type Algorithm } from '../keys/algorithms.js'
import type { KeySourceFactory } from '../keys/key-source.js'
import type { VerificationKey } from '../keys/verification-key.js'
import { generateSigningKey, type TestSigningKey } from '../testing/keys.js'
import { encodeSegment, signToken } from '../testing/tokens.js'
import { AUDIENCE, bearer, claims, expectReject, ISSUER, now } from '../../test/helpers/setup.js'
import { nodeParallelSignatureBackend, nodeSignatureBackend } from './node.js'
import type { SignatureBackend } from './signature-backend.js'
import { webSignatureBackend } from './web.js'

// One RSA key pair serves every RS* and PS* algorithm (RSA key generation is slow).
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const rsaPkcs8 = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
const rsaJwk = rsa.publicKey.export({ format: 'jwk' })

async function keyFor(alg: Algorithm): Promise<TestSigningKey> {
  if (!alg.startsWith('RS') && !alg.startsWith('PS')) return generateSigningKey(alg, { kid: 'k1' })
  const signingKey = await importPKCS8(rsaPkcs8, alg)
  return { alg, kid: 'k1', signingKey, publicJwk: { ...rsaJwk, alg, kid: 'k1' }, secret: undefined }
}

function verifierFor(backend: SignatureBackend, key: TestSigningKey) {
  const source = key.secret ? { secret: key.secret } : { jwks: { keys: [key.publicJwk!] } }
  return createVerifierOn(backend, { issuer: ISSUER, audience: AUDIENCE, now, cache: false, algorithms: [key.alg], ...source } as VerifierOptions)
}

/** A token whose signature is whatever `sign` makes of the signing input. */
function withSignature(key: TestSigningKey, sign: (input: Buffer) => Uint8Array): string {
  const input = `${encodeSegment({ alg: key.alg, kid: key.kid })}.${encodeSegment(claims())}`
  return `${input}.${encodeBase64url(sign(Buffer.from(input)))}`
}

const BACKENDS: readonly SignatureBackend[] = [nodeSignatureBackend, nodeParallelSignatureBackend, webSignatureBackend]

describe.each(BACKENDS)('the $name backend', (backend) => {
  it.each(ALGORITHMS.filter((alg) => alg !== 'Ed25519'))('verifies %s and rejects a flipped signature with 401 signature_invalid', async (alg) => {
    const key = await keyFor(alg)
    const verify = verifierFor(backend, key)
    const token = await signToken(key, claims())
    await expect(verify(bearer(token))).resolves.toMatchObject({ header: { alg } })
    const [h, p, s] = token.split('.')
    await expectReject(verify(bearer(`${h}.${p}.${(s![0] === 'A' ? 'B' : 'A') + s!.slice(1)}`)), 'signature_invalid', { status: 401 })
  })

  it('rejects RSA-PSS whose salt is not as long as the digest (RFC 7518 §3.5)', async () => {
    const key = await keyFor('PS256')
    const verify = verifierFor(backend, key)
    for (const saltLength of [0, 20, 64]) {
      const token = withSignature(key, (input) =>
        nodeSign('sha256', input, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }),
      )
      await expectReject(verify(bearer(token)), 'signature_invalid')
    }
    const right = withSignature(key, (input) =>
      nodeSign('sha256', input, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
    )
    await expect(verify(bearer(right))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
  })

  it('rejects a DER-encoded or resized ECDSA signature (JWS uses fixed-length R || S)', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const key: TestSigningKey = {
      alg: 'ES256', kid: 'k1', signingKey: new Uint8Array(), secret: undefined,
      publicJwk: { ...ec.publicKey.export({ format: 'jwk' }), alg: 'ES256', kid: 'k1' },
    }
    const verify = verifierFor(backend, key)
    const p1363 = (input: Buffer) => nodeSign('sha256', input, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' })
    await expect(verify(bearer(withSignature(key, p1363)))).resolves.toMatchObject({ claims: { sub: 'user-1' } })
    const der = withSignature(key, (input) => nodeSign('sha256', input, { key: ec.privateKey, dsaEncoding: 'der' }))
    await expectReject(verify(bearer(der)), 'signature_invalid')
    const longer = withSignature(key, (input) => Buffer.concat([p1363(input), Buffer.from([0])]))
    await expectReject(verify(bearer(longer)), 'signature_invalid')
  })

  it('rejects a truncated or empty HMAC with 401 signature_invalid', async () => {
    const key = await keyFor('HS256')
    const verify = verifierFor(backend, key)
    const [h, p, s] = (await signToken(key, claims())).split('.')
    await expectReject(verify(bearer(`${h}.${p}.${s!.slice(0, 20)}`)), 'signature_invalid')
    await expectReject(verify(bearer(`${h}.${p}.`)), 'signature_invalid')
  })

  it('refuses an HMAC key shorter than the hash from a custom key source (RFC 7518 §3.2): 401 signature_invalid', async () => {
    for (const size of [0, 1, 31]) {
      const secret = new Uint8Array(size)
      const short: KeySourceFactory = () => ({
        getKey: () => ({ kid: undefined, jwk: { kty: 'oct', k: encodeBase64url(secret) }, algorithms: new Set(['HS256']), secret }),
      })
      const verify = createVerifierOn(backend, { issuer: ISSUER, audience: AUDIENCE, now, keys: short, algorithms: ['HS256'] })
      // Signed with the very same short key: still refused.
      const token = await signToken({ alg: 'HS256', kid: undefined, signingKey: new Uint8Array(Math.max(size, 1)), publicJwk: undefined, secret: undefined }, claims())
      await expectReject(verify(bearer(token)), 'signature_invalid')
    }
  })

  it('rejects an Ed25519 signature of the wrong length with 401 signature_invalid', async () => {
    const key = await keyFor('EdDSA')
    const verify = verifierFor(backend, key)
    const [h, p, s] = (await signToken(key, claims())).split('.')
    await expectReject(verify(bearer(`${h}.${p}.${s}AA`)), 'signature_invalid')
  })
})

describe('the node backend on its own', () => {
  const token = (alg: string) => parseToken(`${encodeSegment({ alg })}.${encodeSegment(claims())}.AAAA`)
  const key = (jwk: Record<string, unknown>, algorithms: Algorithm[]): VerificationKey =>
    Object.freeze({ kid: undefined, jwk: jwk as VerificationKey['jwk'], algorithms: new Set(algorithms) })

  it('refuses an algorithm of another key family, whatever the caller says', () => {
    const ecJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })
    expect(() => nodeSignatureBackend.verify(key(ecJwk, ['RS256']), 'RS256', token('RS256'))).toThrow(TypeError)
    expect(() => nodeSignatureBackend.verify(key(ecJwk, ['ES384']), 'ES384', token('ES384'))).toThrow(TypeError)
    expect(() => nodeSignatureBackend.verify(key(rsaJwk, ['HS256']), 'HS256', token('HS256'))).toThrow(TypeError)
  })

  it("refuses an algorithm the key's own list leaves out", () => {
    expect(() => nodeSignatureBackend.verify(key(rsaJwk, ['RS256']), 'PS256', token('PS256'))).toThrow(TypeError)
  })
})
