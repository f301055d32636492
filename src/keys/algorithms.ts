/**
 * @module
 * The algorithm allow-list and which key types each algorithm may use (RFC 8725 §3.1).
 * An algorithm is never inferred from a key string or taken from the token alone.
 */

export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const
export const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const
export const EC_ALGORITHMS = ['ES256', 'ES384', 'ES512'] as const
export const OKP_ALGORITHMS = ['EdDSA', 'Ed25519'] as const

/** HS256, HS384, HS512: only ever with a shared `secret`. */
export type HmacAlgorithm = (typeof HMAC_ALGORITHMS)[number]
/** RS*, PS*, ES256/384/512, EdDSA / Ed25519: only ever with public keys. */
export type AsymmetricAlgorithm =
  | (typeof RSA_ALGORITHMS)[number]
  | (typeof EC_ALGORITHMS)[number]
  | (typeof OKP_ALGORITHMS)[number]
/** A JWS algorithm tokengate verifies. `none` is not one of them, ever. */
export type Algorithm = HmacAlgorithm | AsymmetricAlgorithm

export const ASYMMETRIC_ALGORITHMS: readonly AsymmetricAlgorithm[] = [
  ...RSA_ALGORITHMS,
  ...EC_ALGORITHMS,
  ...OKP_ALGORITHMS,
]
/** Every algorithm tokengate verifies (`none` is never one). */
export const ALGORITHMS: readonly Algorithm[] = [...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS]

/** RFC 7518 §3.2: an HMAC key must be at least as long as the hash output. */
export const HMAC_MIN_SECRET_BYTES: Readonly<Record<HmacAlgorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 }

/** ECDSA: each curve has exactly one algorithm (RFC 7518 §3.4). */
export const EC_CURVE_ALGORITHM: Readonly<Record<string, AsymmetricAlgorithm>> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
}

/** Byte length of one coordinate (EC) or of the public key (OKP), by curve. */
export const CURVE_BYTES: Readonly<Record<string, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66, Ed25519: 32 }

/** Refuse RSA keys below this size (RFC 8725 §3.5, NIST SP 800-131A). */
export const MIN_RSA_BITS = 2048

export function isHmacAlgorithm(alg: string): alg is HmacAlgorithm {
  return alg === 'HS256' || alg === 'HS384' || alg === 'HS512'
}

/** The algorithms a public key of this type and curve can verify, before any allow-list. */
export function algorithmsForKeyType(kty: string, crv: unknown): readonly AsymmetricAlgorithm[] {
  if (kty === 'RSA') return RSA_ALGORITHMS
  if (kty === 'EC') {
    const alg = typeof crv === 'string' ? EC_CURVE_ALGORITHM[crv] : undefined
    return alg ? [alg] : []
  }
  if (kty === 'OKP' && crv === 'Ed25519') return OKP_ALGORITHMS
  return []
}
