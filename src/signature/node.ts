/**
 * @module
 * The `node:crypto` signature backend, chosen under the `"node"` export condition. Each
 * `VerificationKey` is imported once into a `KeyObject` (with its algorithm checks done once
 * too); verification is synchronous, so a request never waits on the thread pool as
 * `crypto.subtle.verify` makes it do.
 *
 * The algorithm always comes from the pipeline (the allow-list intersected with the key's
 * own algorithms), never from the key material: a key string is never parsed to guess one.
 */
import {
  constants,
  createHash,
  createHmac,
  createPublicKey,
  createSecretKey,
  KeyObject,
  timingSafeEqual,
  verify as cryptoVerify,
  type JsonWebKey,
} from 'node:crypto'
import type { ParsedToken } from '../lib/token.js'
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

/** Checks one token's signature with one key under one algorithm. */
type Check = (token: ParsedToken) => boolean

/** Checks per key and algorithm, built on first use (KeyObject imported once), then reused. */
const checks = new WeakMap<VerificationKey, Map<Algorithm, Check>>()

function importKeyObject(key: VerificationKey): KeyObject {
  // A CryptoKey given as `publicKey` (possibly not extractable): node:crypto takes it as is.
  if (key.cryptoKey) return KeyObject.from(key.cryptoKey as Parameters<typeof KeyObject.from>[0])
  if (key.jwk.kty === 'oct') {
    if (!key.secret) throw new TypeError('An HMAC key carries no secret')
    return createSecretKey(key.secret)
  }
  // Only the public members were kept when the key was loaded (verification-key.ts).
  return createPublicKey({ key: key.jwk as JsonWebKey, format: 'jwk' })
}

/** The signature as bytes: the parser checked it is strict base64url, so Buffer's decoder is exact. */
const signatureOf = (token: ParsedToken): Buffer => Buffer.from(token.signatureB64, 'base64url')

/** The signing input as bytes: base64url is ASCII, so latin1 is exact and the cheapest copy. */
const inputOf = (token: ParsedToken): Buffer => Buffer.from(token.signingInput, 'latin1')

function buildCheck(key: VerificationKey, alg: Algorithm): Check {
  const plan = PLAN[alg]
  // The pipeline only hands over keys whose algorithms include alg; check it anyway, so this
  // backend alone never lets a key verify under an algorithm of another family.
  if (plan === undefined || key.jwk.kty !== plan.kty || !key.algorithms.has(alg)) {
    throw new TypeError(`A ${key.jwk.kty} key cannot verify ${alg}`)
  }
  const hash = plan.hash
  switch (plan.method) {
    case 'hmac': {
      // RFC 7518 §3.2: an HMAC key shorter than the hash MUST NOT be used. A custom key source
      // could hand one over; an empty key would even equal any all-zero key under HMAC's padding.
      const min = HMAC_MIN_SECRET_BYTES[alg as HmacAlgorithm]
      if ((key.secret?.length ?? 0) < min) throw new TypeError(`${alg} needs a key of at least ${min} bytes`)
      const keyObject = importKeyObject(key)
      return (token) => {
        const mac = createHmac(hash!, keyObject).update(token.signingInput, 'latin1').digest()
        const signature = signatureOf(token)
        return mac.length === signature.length && timingSafeEqual(mac, signature)
      }
    }
    case 'pkcs1': {
      const keyObject = importKeyObject(key)
      return (token) => cryptoVerify(hash, inputOf(token), keyObject, signatureOf(token))
    }
    case 'pss': {
      // RFC 7518 §3.5: PSS with MGF1 and a salt exactly as long as the digest.
      const input = { key: importKeyObject(key), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
      return (token) => cryptoVerify(hash, inputOf(token), input, signatureOf(token))
    }
    case 'ecdsa': {
      if (EC_CURVE_ALGORITHM[key.jwk.crv as string] !== alg) throw new TypeError(`A ${String(key.jwk.crv)} key cannot verify ${alg}`)
      // RFC 7518 §3.4: R || S, each as long as the field; a DER or resized signature is invalid.
      const length = CURVE_BYTES[key.jwk.crv as string]! * 2
      const input = { key: importKeyObject(key), dsaEncoding: 'ieee-p1363' as const }
      return (token) => {
        const signature = signatureOf(token)
        return signature.length === length && cryptoVerify(hash, inputOf(token), input, signature)
      }
    }
    case 'eddsa': {
      const keyObject = importKeyObject(key)
      return (token) => {
        const signature = signatureOf(token)
        return signature.length === 64 && cryptoVerify(null, inputOf(token), keyObject, signature)
      }
    }
  }
}

function verify(key: VerificationKey, alg: Algorithm, token: ParsedToken): boolean {
  let byAlg = checks.get(key)
  let check = byAlg?.get(alg)
  if (check === undefined) {
    check = buildCheck(key, alg)
    if (byAlg === undefined) checks.set(key, (byAlg = new Map()))
    byAlg.set(alg, check)
  }
  return check(token)
}

/** SHA-256, synchronous (a DPoP `ath` or thumbprint costs ~1 µs, no thread-pool round trip). */
const sha256 = (data: string | Uint8Array): Uint8Array => createHash('sha256').update(data).digest()

/** Verifies with `node:crypto` on KeyObjects imported once per key; synchronous. */
export const nodeSignatureBackend: SignatureBackend = Object.freeze({ name: 'node', verify, sha256 })

/** The backend the `"node"` condition of `#signature-backend` resolves to. */
export const signatureBackend: SignatureBackend = nodeSignatureBackend
