/**
 * @module
 * A key source over one shared secret (HS256/384/512).
 */
import { ConfigError } from '../errors/config-error.js'
import { encodeBase64url } from '../lib/base64url.js'
import { assertSharedSecret } from './key-material.js'
import { BearerError } from '../errors/bearer-error.js'
import { HMAC_MIN_SECRET_BYTES, isHmacAlgorithm, type Algorithm, type HmacAlgorithm } from './algorithms.js'
import type { KeySource, KeySourceFactory } from './key-source.js'
import type { VerificationKey } from './verification-key.js'

const utf8 = new TextEncoder()

/** The secret's bytes: a string is taken as UTF-8, as jsonwebtoken and jose do. */
export function secretBytes(secret: string | Uint8Array): Uint8Array {
  return typeof secret === 'string' ? utf8.encode(secret) : secret
}

/** The HMAC algorithms a secret of this length may use (RFC 7518 §3.2). */
export function hmacAlgorithmsFor(length: number): HmacAlgorithm[] {
  return (Object.keys(HMAC_MIN_SECRET_BYTES) as HmacAlgorithm[]).filter((alg) => length >= HMAC_MIN_SECRET_BYTES[alg])
}

/**
 * A key source over a shared secret. Every allowed algorithm must be HMAC and the secret
 * at least as long as its hash; the token's `kid` is not consulted. Key material of another
 * kind (a PEM, a certificate, a JWK, a DER key) is refused with a `ConfigError`.
 *
 * @example
 * createVerifier({ issuer, audience, secret: process.env.JWT_SECRET })
 */
export function secretKey(secret: string | Uint8Array): KeySourceFactory {
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) throw new ConfigError('verifier', 'secret', 'expected the shared secret as a string or a Uint8Array')
  // A public key used as an HMAC secret lets anyone holding it mint tokens (CVE-2022-23541).
  assertSharedSecret('verifier', 'secret', secret)
  const bytes = secretBytes(secret).slice()
  return (ctx): KeySource => {
    for (const alg of ctx.algorithms) {
      if (!isHmacAlgorithm(alg)) throw new ConfigError('verifier', 'algorithms', `${alg} cannot be used with a shared secret; give an asymmetric key as jwks, jwksUri or publicKey`)
      const min = HMAC_MIN_SECRET_BYTES[alg]
      if (bytes.length < min) {
        throw new ConfigError('verifier', 'secret', `${alg} needs a secret of at least ${min} bytes, got ${bytes.length}`)
      }
    }
    const key: VerificationKey = Object.freeze({
      kid: undefined,
      jwk: Object.freeze({ kty: 'oct' as const, k: encodeBase64url(bytes) }),
      algorithms: new Set<Algorithm>(ctx.algorithms),
      secret: bytes,
    })
    return {
      getKey: (_header, alg) => {
        if (!key.algorithms.has(alg)) throw new BearerError('alg_not_allowed')
        return key
      },
    }
  }
}
