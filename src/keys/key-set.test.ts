import { describe, expect, it } from 'vitest'
import { generateSigningKey } from '../testing/keys.js'
import { ASYMMETRIC_ALGORITHMS, type Algorithm } from './algorithms.js'
import { buildKeySet, selectKey, type KeySet } from './key-set.js'
import { loadJwk } from './verification-key.js'

const all = new Set<Algorithm>(ASYMMETRIC_ALGORITHMS)
const rsa = await generateSigningKey('RS256', { kid: 'rsa' })
const ec = await generateSigningKey('ES256', { kid: 'ec' })
const ed = await generateSigningKey('EdDSA', { kid: 'ed' })

function skippedReason(jwk: unknown, allowed = all): string {
  const result = loadJwk(jwk, allowed)
  if ('key' in result) throw new Error('expected the key to be skipped')
  return result.skipped
}

describe('loading a JWK', () => {
  it('derives the algorithms from the key type and its alg', () => {
    const { alg: _a, ...noAlg } = rsa.publicJwk!
    const load = (jwk: unknown) => {
      const r = loadJwk(jwk, all)
      return 'key' in r ? [...r.key.algorithms] : r.skipped
    }
    expect(load(noAlg)).toEqual(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'])
    expect(load(rsa.publicJwk)).toEqual(['RS256'])
    expect(load(ec.publicJwk)).toEqual(['ES256'])
    expect(load({ ...ec.publicJwk, alg: undefined })).toEqual(['ES256'])
    expect(load(ed.publicJwk)).toEqual(['EdDSA'])
  })

  it('keeps only public members, even from a private JWK', async () => {
    const { exportJWK } = await import('jose')
    const priv = await exportJWK(rsa.signingKey as CryptoKey)
    const result = loadJwk({ ...priv, kid: 'p' }, all)
    expect('key' in result && Object.keys(result.key.jwk).sort()).toEqual(['e', 'kty', 'n'])
  })

  it.each([
    ['an encryption key', () => ({ ...rsa.publicJwk, use: 'enc' }), /"use" is "enc"/],
    ['key_ops without verify', () => ({ ...rsa.publicJwk, key_ops: ['encrypt'] }), /key_ops/],
    ['an oct key', () => ({ kty: 'oct', k: 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0' }), /symmetric/],
    ['an unknown kty', () => ({ kty: 'AKP', x: 'AA' }), /unsupported key type/],
    ['an alg that does not fit the key', () => ({ ...ec.publicJwk, alg: 'RS256' }), /does not fit/],
    ['an unregistered alg', () => ({ ...ec.publicJwk, alg: 'ES521' }), /does not fit/],
    ['a curve we do not verify', () => ({ ...ec.publicJwk, crv: 'secp256k1' }), /unsupported EC curve/],
    ['EC coordinates of the wrong size', () => ({ ...ec.publicJwk, x: 'AAAA' }), /wrong size/],
    ['RSA e = 1', () => ({ ...rsa.publicJwk, e: 'AQ' }), /public exponent/],
    ['RSA even e', () => ({ ...rsa.publicJwk, e: 'AQAA' }), /public exponent/],
    ['a non-string kid', () => ({ ...rsa.publicJwk, kid: 3 }), /kid/],
    ['not an object', () => 'key', /not a JSON object/],
  ])('skips %s, saying why', (_name, jwk, reason) => {
    expect(skippedReason(jwk())).toMatch(reason)
  })

  it('refuses RSA keys under 2048 bits', async () => {
    const params = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
    const pair = (await crypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair
    const weak = await crypto.subtle.exportKey('jwk', pair.publicKey)
    expect(skippedReason({ ...weak, alg: 'RS256' })).toMatch(/RSA key of 1024 bits \(minimum 2048\)/)
  })

  it('skips a key none of whose algorithms is allowed', () => {
    expect(skippedReason(ec.publicJwk, new Set<Algorithm>(['RS256']))).toMatch(/allow-list/)
  })
})

describe('a key set', () => {
  const set = (keys: unknown[]): KeySet => {
    const s = buildKeySet({ keys }, all)
    if (typeof s === 'string') throw new Error(s)
    return s
  }

  it('refuses documents that are not a JWK Set', () => {
    for (const doc of [null, [], { keys: {} }, 'x', { key: [] }]) expect(typeof buildKeySet(doc, all)).toBe('string')
  })

  it('keeps the good keys when one key is bad', () => {
    const s = set([rsa.publicJwk, { kty: 'RSA', kid: 'broken' }, ec.publicJwk])
    expect(s.keys.map((k) => k.kid)).toEqual(['rsa', 'ec'])
    expect(s.skipped).toMatchObject([{ index: 1, kid: 'broken' }])
  })

  it('uses neither of two usable keys that share a kid and an algorithm', async () => {
    const other = await generateSigningKey('ES256', { kid: 'ec' })
    const s = set([ec.publicJwk, other.publicJwk, rsa.publicJwk])
    expect(s.keys.map((k) => k.kid)).toEqual(['rsa'])
    expect(selectKey(s, 'ec', 'ES256')).toBe('kid_not_found')
  })

  it('keeps keys that share a kid but not an algorithm (RSA and EC)', () => {
    const s = set([ec.publicJwk, { ...rsa.publicJwk, kid: 'ec' }])
    expect(selectKey(s, 'ec', 'ES256')).toMatchObject({ kid: 'ec', algorithms: new Set(['ES256']) })
    expect(selectKey(s, 'ec', 'RS256')).toMatchObject({ kid: 'ec', algorithms: new Set(['RS256']) })
  })

  it('never matches a kid-less key to a token that names a kid', () => {
    const s = set([{ ...ec.publicJwk, kid: undefined }])
    expect(selectKey(s, 'ec', 'ES256')).toBe('kid_not_found')
    expect(selectKey(s, undefined, 'ES256')).toMatchObject({ kid: undefined })
  })
})
