/**
 * @module
 * A key ready to verify with: validated once when loaded, then handed to a signature backend,
 * which caches its own imported form (CryptoKey or KeyObject) per key.
 */
import { decodeBase64url } from '../core/base64url.js'
import {
  algorithmsForKeyType,
  CURVE_BYTES,
  MIN_RSA_BITS,
  type Algorithm,
} from './algorithms.js'

/** A public JWK, or the `oct` JWK of a shared secret. Private members are never kept. */
export interface PublicJwk {
  readonly kty: 'RSA' | 'EC' | 'OKP' | 'oct'
  readonly [member: string]: unknown
}

/**
 * A verification key: its `kid`, its public JWK, and the algorithms it may verify (the
 * intersection of its type, its own `alg` when present, and the verifier's allow-list).
 */
export interface VerificationKey {
  readonly kid: string | undefined
  readonly jwk: PublicJwk
  readonly algorithms: ReadonlySet<Algorithm>
  /** The raw secret for `oct` keys (HMAC). */
  readonly secret?: Uint8Array
}

/** The outcome of loading one JWK: a key, or why it cannot be used. */
export type LoadedKey = { readonly key: VerificationKey } | { readonly skipped: string }

const isString = (v: unknown): v is string => typeof v === 'string'

function bitLength(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length && bytes[i] === 0) i++
  if (i === bytes.length) return 0
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!))
}

function publicPart(jwk: Record<string, unknown>): PublicJwk | string {
  switch (jwk.kty) {
    case 'RSA': {
      if (!isString(jwk.n) || !isString(jwk.e)) return 'RSA key without "n" and "e"'
      const n = decodeBase64url(jwk.n)
      const e = decodeBase64url(jwk.e)
      if (!n || !e) return 'RSA key members are not base64url'
      const bits = bitLength(n)
      if (bits < MIN_RSA_BITS) return `RSA key of ${bits} bits (minimum ${MIN_RSA_BITS})`
      // e must be odd and greater than 1 (e = 1 makes every "signature" the message).
      if (bitLength(e) < 2 || (e[e.length - 1]! & 1) === 0) return 'RSA key with an invalid public exponent'
      return { kty: 'RSA', n: jwk.n, e: jwk.e }
    }
    case 'EC': {
      const size = isString(jwk.crv) ? CURVE_BYTES[jwk.crv] : undefined
      if (!size || jwk.crv === 'Ed25519') return `unsupported EC curve ${JSON.stringify(jwk.crv)}`
      if (!isString(jwk.x) || !isString(jwk.y)) return 'EC key without "x" and "y"'
      if (decodeBase64url(jwk.x)?.length !== size || decodeBase64url(jwk.y)?.length !== size) {
        return 'EC key coordinates of the wrong size'
      }
      return { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y }
    }
    case 'OKP': {
      if (jwk.crv !== 'Ed25519') return `unsupported OKP curve ${JSON.stringify(jwk.crv)}`
      if (!isString(jwk.x) || decodeBase64url(jwk.x)?.length !== 32) return 'Ed25519 key of the wrong size'
      return { kty: 'OKP', crv: 'Ed25519', x: jwk.x }
    }
    case 'oct':
      // RFC 8725 §3.1 / CVE-2016-10555 class: a key set never supplies HMAC secrets.
      return 'symmetric ("oct") keys are not accepted from a key set; use the `secret` option'
    default:
      return `unsupported key type ${JSON.stringify(jwk.kty)}`
  }
}

/**
 * Validates one JWK from a key set and derives what it may verify. Keys meant for
 * encryption, weak keys, and keys whose `alg` is not allowed are skipped, with the reason.
 */
export function loadJwk(value: unknown, allowed: ReadonlySet<Algorithm>): LoadedKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { skipped: 'not a JSON object' }
  const jwk = value as Record<string, unknown>
  if (jwk.kid !== undefined && !isString(jwk.kid)) return { skipped: '"kid" is not a string' }
  if (jwk.use !== undefined && jwk.use !== 'sig') return { skipped: `"use" is ${JSON.stringify(jwk.use)}, not "sig"` }
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    return { skipped: '"key_ops" does not include "verify"' }
  }
  const pub = publicPart(jwk)
  if (typeof pub === 'string') return { skipped: pub }
  let algorithms = algorithmsForKeyType(pub.kty, pub.crv) as readonly Algorithm[]
  if (jwk.alg !== undefined) {
    // RFC 8725 §3.1: a key that names its algorithm is used with that algorithm only.
    if (!isString(jwk.alg) || !algorithms.includes(jwk.alg as Algorithm)) {
      return { skipped: `"alg" ${JSON.stringify(jwk.alg)} does not fit a ${pub.kty} key` }
    }
    algorithms = [jwk.alg as Algorithm]
  }
  const usable = new Set(algorithms.filter((alg) => allowed.has(alg)))
  if (usable.size === 0) return { skipped: 'none of its algorithms is on the allow-list' }
  return { key: Object.freeze({ kid: jwk.kid as string | undefined, jwk: Object.freeze(pub), algorithms: usable }) }
}
