/**
 * @module
 * A key source over one public key (`publicKey` option), as IdPs and teams hand them out: a
 * PEM string (SPKI `PUBLIC KEY`, PKCS#1 `RSA PUBLIC KEY` or an X.509 `CERTIFICATE`), a Node
 * `KeyObject`, or a WebCrypto `CryptoKey`. A single key without a `kid` matches whatever
 * `kid` a token names. PEM and certificates are read by the DER reader on every runtime, so
 * a bad key is a `ConfigError` at construction; nothing here imports `node:`.
 */
import type { CryptoKey } from 'jose'
import { BearerError } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import { MIN_RSA_BITS, type Algorithm } from './algorithms.js'
import type { KeySource, KeySourceFactory } from './key-source.js'
import { pemToJwk, PemError } from './pem.js'
import { loadJwk, type PublicJwk, type VerificationKey } from './verification-key.js'

/** The part of a Node `KeyObject` read here (duck-typed: the core imports nothing from `node:`). */
export interface KeyObjectLike {
  readonly type: 'public' | 'private' | 'secret'
  readonly asymmetricKeyType?: string
  /** Node's `keyObject.export({ format: 'jwk' })`: the key as a JWK. */
  export(options: { format: 'jwk' }): unknown
}

/** What `publicKey` accepts. */
export type PublicKeyInput = string | KeyObjectLike | CryptoKey

const isCryptoKey = (key: object): key is CryptoKey =>
  typeof CryptoKey === 'function' ? key instanceof CryptoKey : 'algorithm' in key && 'usages' in key && 'extractable' in key
const isKeyObject = (key: object): key is KeyObjectLike => typeof (key as KeyObjectLike).export === 'function' && typeof (key as KeyObjectLike).type === 'string'

const fail = (message: string): ConfigError => new ConfigError('verifier', 'publicKey', message)

/** A JWK-backed key: validated like any JWK from a set (size, exponent, ROCA, curve). */
function fromJwk(jwk: unknown, allowed: ReadonlySet<Algorithm>): VerificationKey {
  const loaded = loadJwk(jwk, allowed)
  if ('skipped' in loaded) throw fail(`not a usable verification key: ${loaded.skipped}`)
  return loaded.key
}

const HASH_BITS: Readonly<Record<string, string>> = { 'SHA-256': '256', 'SHA-384': '384', 'SHA-512': '512' }
const CURVE_ALG: Readonly<Record<string, Algorithm>> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }

/**
 * A CryptoKey is bound to one algorithm by how it was imported (name, hash, curve): that
 * algorithm is the only one it verifies. It is used as is, extractable or not.
 */
function fromCryptoKey(key: CryptoKey, allowed: ReadonlySet<Algorithm>): VerificationKey {
  if (key.type !== 'public') throw fail(key.type === 'secret' ? 'an HMAC CryptoKey: give the shared secret as `secret`' : 'a private CryptoKey: give the public key')
  if (!key.usages.includes('verify')) throw fail('the CryptoKey is not usable to verify (usages lacks "verify")')
  const algorithm = key.algorithm as { name: string; hash?: { name: string }; namedCurve?: string; modulusLength?: number; publicExponent?: Uint8Array }
  let alg: Algorithm | undefined
  let jwk: PublicJwk
  switch (algorithm.name) {
    case 'RSASSA-PKCS1-v1_5':
    case 'RSA-PSS': {
      const bits = HASH_BITS[algorithm.hash?.name ?? '']
      alg = bits ? ((algorithm.name === 'RSA-PSS' ? `PS${bits}` : `RS${bits}`) as Algorithm) : undefined
      if ((algorithm.modulusLength ?? 0) < MIN_RSA_BITS) throw fail(`RSA key of ${algorithm.modulusLength} bits (minimum ${MIN_RSA_BITS})`)
      const e = algorithm.publicExponent
      if (!e || e.length === 0 || (e[e.length - 1]! & 1) === 0 || (e.length === 1 && e[0]! < 3)) throw fail('RSA key with an invalid public exponent')
      jwk = Object.freeze({ kty: 'RSA' })
      break
    }
    case 'ECDSA':
      alg = CURVE_ALG[algorithm.namedCurve ?? '']
      jwk = Object.freeze({ kty: 'EC', crv: algorithm.namedCurve })
      break
    case 'Ed25519':
      alg = 'EdDSA'
      jwk = Object.freeze({ kty: 'OKP', crv: 'Ed25519' })
      break
    default:
      throw fail(`unsupported CryptoKey algorithm ${JSON.stringify(algorithm.name)}`)
  }
  if (!alg) throw fail(`unsupported CryptoKey parameters for ${algorithm.name}`)
  const algorithms = new Set([alg, ...(alg === 'EdDSA' ? (['Ed25519'] as const) : [])].filter((a) => allowed.has(a)))
  if (algorithms.size === 0) throw fail(`the CryptoKey verifies ${alg} only, which is not on the allow-list`)
  return Object.freeze({ kid: undefined, jwk, algorithms, cryptoKey: key })
}

/** The verification key of a `publicKey` value; every mistake is a `ConfigError` for `publicKey`. */
export function loadPublicKey(input: unknown, allowed: ReadonlySet<Algorithm>): VerificationKey {
  if (typeof input === 'string') {
    let jwk
    try {
      jwk = pemToJwk(input)
    } catch (err) {
      if (err instanceof PemError) throw new ConfigError('verifier', 'publicKey', err.message, { cause: err })
      throw err
    }
    return fromJwk(jwk, allowed)
  }
  if (typeof input === 'object' && input !== null) {
    if (isCryptoKey(input)) return fromCryptoKey(input, allowed)
    if (isKeyObject(input)) {
      if (input.type === 'private') throw fail('a private KeyObject: give the public key (crypto.createPublicKey(privateKey))')
      if (input.type === 'secret') throw fail('a secret KeyObject: give the shared secret as `secret`')
      // A public KeyObject exports its JWK synchronously; only the public members are kept.
      return fromJwk(input.export({ format: 'jwk' }), allowed)
    }
  }
  throw fail('expected a PEM public key or certificate (a string), a KeyObject or a CryptoKey')
}

/**
 * A key source over one public key. The token's `kid`, if any, is not consulted: the single
 * key is the key. Its algorithms are those of its type (one for a CryptoKey) on the allow-list.
 *
 * Import from `tokengate`.
 *
 * @example
 * createVerifier({ issuer, audience, publicKey: process.env.JWT_PUBLIC_KEY_PEM })
 * createVerifier({ issuer, audience, keys: publicKey(readFileSync('idp-cert.pem', 'utf8')) })
 */
export function publicKey(key: PublicKeyInput): KeySourceFactory {
  return (ctx): KeySource => {
    const loaded = loadPublicKey(key, ctx.algorithms)
    return {
      getKey: (_header, alg) => {
        if (!loaded.algorithms.has(alg)) throw new BearerError('alg_not_allowed', { message: 'The token algorithm does not match its key' })
        return loaded
      },
    }
  }
}
