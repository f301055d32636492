/**
 * @module
 * Deterministic test keys: the same seed gives the same keys on every machine, so fixture
 * files, snapshots and `kid`s stay stable across runs. Keys are derived with HKDF-SHA256
 * (RFC 5869) through `node:crypto`: HMAC secrets and Ed25519 seeds directly, EC private
 * scalars by rejection sampling, RSA primes by search (see derive-rsa.ts).
 *
 * Anyone who knows the seed can sign tokens with these keys: never let a production
 * verifier trust them.
 */
import { ConfigError } from '../errors/config-error.js'
import { createECDH, createPrivateKey, hkdfSync, type JsonWebKey } from 'node:crypto'
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from 'jose'
import { ALGORITHMS, HMAC_MIN_SECRET_BYTES, isHmacAlgorithm, type Algorithm } from '../keys/algorithms.js'
import { deriveRsaJwk } from './derive-rsa.js'
import type { TestSigningKey } from './keys.js'

/** The seed used when none is given. Public: keys from it protect nothing. */
export const DEFAULT_SEED = 'tokengate-test-seed'

/** Options of `deriveSigningKey`. */
export interface DeriveSigningKeyOptions {
  /** Any string or bytes. Default `DEFAULT_SEED`. */
  readonly seed?: string | Uint8Array
  /** Which key of the seed's sequence (rotation generations). Default 0. */
  readonly index?: number
  /** Separates key roles of one seed (the kit uses `'signing'` and `'untrusted'`). Default `'signing'`. */
  readonly purpose?: string
  /** Key id. Default: the first 16 characters of the RFC 7638 thumbprint (none for HS*). */
  readonly kid?: string
  /** RSA modulus size in bits. Default 2048. */
  readonly modulusLength?: number
}

const EC_CURVES: Partial<Record<Algorithm, { crv: string; openssl: string; bytes: number }>> = {
  ES256: { crv: 'P-256', openssl: 'prime256v1', bytes: 32 },
  ES384: { crv: 'P-384', openssl: 'secp384r1', bytes: 48 },
  ES512: { crv: 'P-521', openssl: 'secp521r1', bytes: 66 },
}
// PKCS#8 prefix of an Ed25519 private key (RFC 8410 §7), followed by the 32-byte seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SALT = 'tokengate/testing/v1'

const cache = new Map<string, Promise<TestSigningKey>>()

function hkdf(ikm: Uint8Array, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, SALT, info, length))
}

function deriveEcJwk(ikm: Uint8Array, label: string, curve: { crv: string; openssl: string; bytes: number }): JsonWebKey {
  const ecdh = createECDH(curve.openssl)
  // Rejection sampling: a candidate ≥ the group order is refused by OpenSSL; try the next.
  for (let counter = 0; ; counter++) {
    const d = hkdf(ikm, `${label}/${counter}`, curve.bytes)
    if (curve.crv === 'P-521') d[0]! &= 0x01
    try {
      ecdh.setPrivateKey(d)
    } catch {
      continue
    }
    const point = ecdh.getPublicKey()
    const x = point.subarray(1, 1 + curve.bytes)
    const y = point.subarray(1 + curve.bytes)
    return { kty: 'EC', crv: curve.crv, x: x.toString('base64url'), y: y.toString('base64url'), d: d.toString('base64url') }
  }
}

function deriveEd25519Jwk(ikm: Uint8Array, label: string): JsonWebKey {
  const seed = hkdf(ikm, label, 32)
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' })
  return key.export({ format: 'jwk' })
}

function derivePrivateJwk(alg: Algorithm, ikm: Uint8Array, label: string, modulusLength: number): JsonWebKey {
  const curve = EC_CURVES[alg]
  if (curve) return deriveEcJwk(ikm, label, curve)
  if (alg === 'EdDSA' || alg === 'Ed25519') return deriveEd25519Jwk(ikm, label)
  return deriveRsaJwk(ikm, label, modulusLength)
}

async function derive(alg: Algorithm, ikm: Uint8Array, options: DeriveSigningKeyOptions): Promise<TestSigningKey> {
  const label = `${options.purpose ?? 'signing'}/${alg}/${options.index ?? 0}`
  if (isHmacAlgorithm(alg)) {
    const secret = new Uint8Array(hkdf(ikm, label, HMAC_MIN_SECRET_BYTES[alg]))
    return Object.freeze({ alg, kid: options.kid, signingKey: secret, publicJwk: undefined, secret })
  }
  const privateJwk = derivePrivateJwk(alg, ikm, label, options.modulusLength ?? 2048) as JWK
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = privateJwk
  const kid = options.kid ?? (await calculateJwkThumbprint(pub)).slice(0, 16)
  const signingKey = (await importJWK({ ...privateJwk, alg }, alg, { extractable: true })) as CryptoKey
  const publicJwk: JWK = { ...pub, alg, use: 'sig', kid }
  return Object.freeze({ alg, kid, signingKey, publicJwk: Object.freeze(publicJwk), secret: undefined })
}

/**
 * Derives the signing key for `alg` from a seed: the same seed, algorithm, purpose and index
 * always give the same key (and the same `kid`). Results are cached per process, so asking
 * twice costs nothing; an RSA-2048 derivation takes about as long as generating one.
 *
 * Import from `tokengate/testing`.
 *
 * @example
 * const key = await deriveSigningKey('RS256', { seed: 'orders-api' })
 * const token = await signToken(key, { sub: 'alice', exp: Math.floor(Date.now() / 1000) + 60 })
 */
export function deriveSigningKey(alg: Algorithm, options: DeriveSigningKeyOptions = {}): Promise<TestSigningKey> {
  if (!ALGORITHMS.includes(alg)) throw new ConfigError('testing', 'alg', `unsupported algorithm ${JSON.stringify(alg)}; expected one of ${ALGORITHMS.join(', ')}`)
  const seed = options.seed ?? DEFAULT_SEED
  const ikm = typeof seed === 'string' ? new TextEncoder().encode(seed) : seed
  const id = [Buffer.from(ikm).toString('hex'), alg, options.purpose ?? 'signing', options.index ?? 0, options.kid ?? '', options.modulusLength ?? 2048].join('|')
  let pending = cache.get(id)
  if (!pending) {
    pending = derive(alg, ikm.slice(), options)
    pending.catch(() => cache.delete(id))
    cache.set(id, pending)
  }
  return pending
}
