/**
 * @module
 * How each JWS algorithm verifies (RFC 7518 §3), shared by every signature backend: the
 * method, the digest, the key type it needs, and the one key-and-algorithm check every
 * backend runs once per key, before it imports anything.
 */
import { CURVE_BYTES, EC_CURVE_ALGORITHM, HMAC_MIN_SECRET_BYTES, type Algorithm, type HmacAlgorithm } from '../keys/algorithms.js'
import type { VerificationKey } from '../keys/verification-key.js'
import { decodeBase64url } from '../lib/base64url.js'

export type Method = 'hmac' | 'pkcs1' | 'pss' | 'ecdsa' | 'eddsa'

export interface Plan {
  readonly method: Method
  /** The digest in `node:crypto` spelling (`sha256`), `null` for EdDSA. */
  readonly hash: string | null
  /** The digest in WebCrypto spelling (`SHA-256`), `null` for EdDSA. */
  readonly webHash: string | null
  /** The digest length in bytes (the PSS salt length), 0 for EdDSA. */
  readonly hashBytes: number
  readonly kty: 'oct' | 'RSA' | 'EC' | 'OKP'
}

const plan = (method: Method, bits: number | null, kty: Plan['kty']): Plan =>
  Object.freeze({ method, hash: bits === null ? null : `sha${bits}`, webHash: bits === null ? null : `SHA-${bits}`, hashBytes: (bits ?? 0) / 8, kty })

/** Every algorithm tokengate verifies, and how. */
export const PLAN: Readonly<Record<Algorithm, Plan>> = {
  HS256: plan('hmac', 256, 'oct'),
  HS384: plan('hmac', 384, 'oct'),
  HS512: plan('hmac', 512, 'oct'),
  RS256: plan('pkcs1', 256, 'RSA'),
  RS384: plan('pkcs1', 384, 'RSA'),
  RS512: plan('pkcs1', 512, 'RSA'),
  PS256: plan('pss', 256, 'RSA'),
  PS384: plan('pss', 384, 'RSA'),
  PS512: plan('pss', 512, 'RSA'),
  ES256: plan('ecdsa', 256, 'EC'),
  ES384: plan('ecdsa', 384, 'EC'),
  ES512: plan('ecdsa', 512, 'EC'),
  EdDSA: plan('eddsa', null, 'OKP'),
  Ed25519: plan('eddsa', null, 'OKP'),
}

/**
 * The plan for verifying `alg` with `key`, after the checks that depend only on the two:
 * the key's type fits the algorithm's family, the key's own algorithms include it, an EC
 * key's curve is the algorithm's, an HMAC secret is at least as long as the hash (RFC 7518
 * §3.2). The pipeline only hands over fitting keys; a backend checks anyway, so no backend
 * alone lets a key verify under another family's algorithm. Throws a `TypeError`.
 */
export function planFor(key: VerificationKey, alg: Algorithm): Plan {
  const p = PLAN[alg]
  if (p === undefined || key.jwk.kty !== p.kty || !key.algorithms.has(alg)) throw new TypeError(`A ${key.jwk.kty} key cannot verify ${alg}`)
  if (p.method === 'ecdsa' && EC_CURVE_ALGORITHM[key.jwk.crv as string] !== alg) throw new TypeError(`A ${String(key.jwk.crv)} key cannot verify ${alg}`)
  if (p.method === 'eddsa' && key.jwk.crv !== 'Ed25519') throw new TypeError(`A ${String(key.jwk.crv)} key cannot verify ${alg}`)
  if (p.method === 'hmac') {
    // An empty key would even equal any all-zero key under HMAC's padding.
    const min = HMAC_MIN_SECRET_BYTES[alg as HmacAlgorithm]
    if ((hmacSecret(key)?.length ?? 0) < min) throw new TypeError(`${alg} needs a key of at least ${min} bytes`)
  }
  return p
}

/** The secret of an `oct` key: its bytes, or its JWK's `k` decoded; `undefined` if neither. */
export function hmacSecret(key: VerificationKey): Uint8Array | undefined {
  if (key.secret !== undefined) return key.secret
  return typeof key.jwk.k === 'string' ? decodeBase64url(key.jwk.k) : undefined
}

/**
 * The exact signature length an algorithm's key takes, or `undefined` when it varies (RSA:
 * the modulus length, checked by the primitive). ECDSA is R || S, each as long as the field
 * (RFC 7518 §3.4): a DER or resized signature is invalid rather than converted.
 */
export function signatureLength(p: Plan, key: VerificationKey): number | undefined {
  switch (p.method) {
    case 'hmac':
      return p.hashBytes
    case 'ecdsa':
      return CURVE_BYTES[key.jwk.crv as string]! * 2
    case 'eddsa':
      return 64
    default:
      return undefined
  }
}
