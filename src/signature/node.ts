/**
 * @module
 * The `node:crypto` signature backend, chosen under the `"node"` export condition. Each
 * `VerificationKey` is imported once into a `KeyObject`; verification is synchronous, so a
 * request never waits on the thread pool as `crypto.subtle.verify` makes it do.
 *
 * The algorithm always comes from the pipeline (the allow-list intersected with the key's
 * own algorithms), never from the key material: a key string is never parsed to guess one.
 */
import {
  constants,
  createHmac,
  createPublicKey,
  createSecretKey,
  timingSafeEqual,
  verify as cryptoVerify,
  type JsonWebKey,
  type KeyObject,
  type VerifyKeyObjectInput,
} from 'node:crypto'
import type { ParsedToken } from '../core/token.js'
import { CURVE_BYTES, EC_CURVE_ALGORITHM, HMAC_MIN_SECRET_BYTES, type Algorithm, type HmacAlgorithm } from '../keys/algorithms.js'
import type { VerificationKey } from '../keys/verification-key.js'
import type { SignatureBackend } from './signature-backend.js'

type Method = 'hmac' | 'pkcs1' | 'pss' | 'ecdsa' | 'eddsa'

/** How each algorithm verifies: the method, the digest, and the key type it needs (RFC 7518 §3.1). */
const PLAN: Readonly<Record<Algorithm, { readonly method: Method; readonly hash: string | null; readonly kty: string }>> = {
  HS256: { method: 'hmac', hash: 'sha256', kty: 'oct' },
  HS384: { method: 'hmac', hash: 'sha384', kty: 'oct' },
  HS512: { method: 'hmac', hash: 'sha512', kty: 'oct' },
  RS256: { method: 'pkcs1', hash: 'sha256', kty: 'RSA' },
  RS384: { method: 'pkcs1', hash: 'sha384', kty: 'RSA' },
  RS512: { method: 'pkcs1', hash: 'sha512', kty: 'RSA' },
  PS256: { method: 'pss', hash: 'sha256', kty: 'RSA' },
  PS384: { method: 'pss', hash: 'sha384', kty: 'RSA' },
  PS512: { method: 'pss', hash: 'sha512', kty: 'RSA' },
  ES256: { method: 'ecdsa', hash: 'sha256', kty: 'EC' },
  ES384: { method: 'ecdsa', hash: 'sha384', kty: 'EC' },
  ES512: { method: 'ecdsa', hash: 'sha512', kty: 'EC' },
  EdDSA: { method: 'eddsa', hash: null, kty: 'OKP' },
  Ed25519: { method: 'eddsa', hash: null, kty: 'OKP' },
}

/** What verifies with one key: the KeyObject and, for RSA-PSS and ECDSA, the `crypto.verify` key input. */
interface Imported {
  readonly keyObject: KeyObject
  /** RFC 7518 §3.5: PSS with MGF1 and a salt as long as the digest, nothing else. */
  readonly pss: VerifyKeyObjectInput
  /** RFC 7518 §3.4: the signature is R || S, each as long as the curve's field. */
  readonly ecdsa: VerifyKeyObjectInput
  /** Bytes an ECDSA signature must have (2 × field size); 0 for other key types. */
  readonly ecdsaLength: number
}

/** KeyObjects per key: imported on first use, then reused for as long as the key lives. */
const imported = new WeakMap<VerificationKey, Imported>()

function importKey(key: VerificationKey): Imported {
  const cached = imported.get(key)
  if (cached) return cached
  const jwk = key.jwk
  let keyObject: KeyObject
  if (jwk.kty === 'oct') {
    if (!key.secret) throw new TypeError('An HMAC key carries no secret')
    keyObject = createSecretKey(key.secret)
  } else {
    // Only the public members were kept when the key was loaded (verification-key.ts).
    keyObject = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
  }
  const field = jwk.kty === 'EC' && typeof jwk.crv === 'string' ? (CURVE_BYTES[jwk.crv] ?? 0) : 0
  const entry: Imported = Object.freeze({
    keyObject,
    pss: Object.freeze({ key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }),
    ecdsa: Object.freeze({ key: keyObject, dsaEncoding: 'ieee-p1363' as const }),
    ecdsaLength: field * 2,
  })
  imported.set(key, entry)
  return entry
}

function verify(key: VerificationKey, alg: Algorithm, token: ParsedToken): boolean {
  const plan = PLAN[alg]
  // The pipeline only hands over keys whose algorithms include alg; check it anyway, so this
  // backend alone never lets a key verify under an algorithm of another family.
  if (plan === undefined || key.jwk.kty !== plan.kty || !key.algorithms.has(alg)) {
    throw new TypeError(`A ${key.jwk.kty} key cannot verify ${alg}`)
  }
  if (plan.method === 'ecdsa' && EC_CURVE_ALGORITHM[key.jwk.crv as string] !== alg) {
    throw new TypeError(`A ${String(key.jwk.crv)} key cannot verify ${alg}`)
  }
  // RFC 7518 §3.2: an HMAC key shorter than the hash MUST NOT be used. A custom key source
  // could hand one over; an empty key would even equal any all-zero key under HMAC's padding.
  if (plan.method === 'hmac' && (key.secret?.length ?? 0) < HMAC_MIN_SECRET_BYTES[alg as HmacAlgorithm]) {
    throw new TypeError(`${alg} needs a key of at least ${HMAC_MIN_SECRET_BYTES[alg as HmacAlgorithm]} bytes`)
  }
  const k = importKey(key)
  // The parser checked the segment is strict base64url; Buffer's decoder is then exact.
  const signature = Buffer.from(token.signatureB64, 'base64url')
  switch (plan.method) {
    case 'hmac': {
      const mac = createHmac(plan.hash!, k.keyObject).update(token.signingInput, 'latin1').digest()
      return mac.length === signature.length && timingSafeEqual(mac, signature)
    }
    case 'pkcs1':
      return cryptoVerify(plan.hash, signingInput(token), k.keyObject, signature)
    case 'pss':
      return cryptoVerify(plan.hash, signingInput(token), k.pss, signature)
    case 'ecdsa':
      // A DER or truncated signature is simply invalid: JWS ECDSA is fixed-length R || S.
      return signature.length === k.ecdsaLength && cryptoVerify(plan.hash, signingInput(token), k.ecdsa, signature)
    case 'eddsa':
      return signature.length === 64 && cryptoVerify(null, signingInput(token), k.keyObject, signature)
  }
}

/** The signing input as bytes: base64url is ASCII, so latin1 is exact and the cheapest copy. */
function signingInput(token: ParsedToken): Buffer {
  return Buffer.from(token.signingInput, 'latin1')
}

/** Verifies with `node:crypto` on KeyObjects imported once per key; synchronous. */
export const nodeSignatureBackend: SignatureBackend = Object.freeze({ name: 'node', verify })

/** The backend the `"node"` condition of `#signature-backend` resolves to. */
export const signatureBackend: SignatureBackend = nodeSignatureBackend
