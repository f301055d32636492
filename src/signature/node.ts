/**
 * @module
 * The `node:crypto` signature backend, chosen under the `"node"` export condition. Each
 * `VerificationKey` is imported once into a `KeyObject` (with its algorithm checks done once
 * too); verification is synchronous, so a request never waits on the thread pool as
 * `crypto.subtle.verify` makes it do.
 *
 * `parallel` (the verifier's `parallel: true`) is the same backend with asymmetric signatures
 * verified by `crypto.verify`'s callback form, which runs on libuv's thread pool: one process
 * then verifies on every core. HMAC stays synchronous there (a hash costs less than the hop).
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
  type VerifyKeyObjectInput,
} from 'node:crypto'
import type { Algorithm } from '../keys/algorithms.js'
import type { VerificationKey } from '../keys/verification-key.js'
import { hmacSecret, planFor, signatureLength } from './plan.js'
import type { SignatureBackend, SignedInput } from './signature-backend.js'

/** One key under one algorithm, ready to verify: built once (KeyObject imported once), then reused. */
interface Check {
  /** `null` for HMAC, which is not a `crypto.verify` algorithm. */
  readonly hash: string | null
  readonly hmac: boolean
  /** The KeyObject, with the PSS padding or the ECDSA encoding when the algorithm needs one. */
  readonly key: KeyObject | VerifyKeyObjectInput
  /** The signature length the algorithm takes with this key, when fixed. */
  readonly length: number | undefined
}

/** Checks per key and algorithm, built on first use. */
const checks = new WeakMap<VerificationKey, Map<Algorithm, Check>>()

function importKeyObject(key: VerificationKey): KeyObject {
  // A CryptoKey given as `publicKey` (possibly not extractable): node:crypto takes it as is.
  if (key.cryptoKey) return KeyObject.from(key.cryptoKey as Parameters<typeof KeyObject.from>[0])
  if (key.jwk.kty === 'oct') {
    // planFor checked the secret's length (at least the hash's) before this is reached.
    const secret = hmacSecret(key)
    if (!secret) throw new TypeError('An HMAC key carries no secret')
    return createSecretKey(secret)
  }
  // Only the public members were kept when the key was loaded (verification-key.ts).
  return createPublicKey({ key: key.jwk as JsonWebKey, format: 'jwk' })
}

function buildCheck(key: VerificationKey, alg: Algorithm): Check {
  const p = planFor(key, alg)
  const keyObject = importKeyObject(key)
  const length = signatureLength(p, key)
  switch (p.method) {
    case 'hmac':
      return { hash: p.hash, hmac: true, key: keyObject, length }
    case 'pss':
      // RFC 7518 §3.5: PSS with MGF1 and a salt exactly as long as the digest.
      return { hash: p.hash, hmac: false, key: { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, length }
    case 'ecdsa':
      // RFC 7518 §3.4: R || S, each as long as the field; a DER signature is invalid.
      return { hash: p.hash, hmac: false, key: { key: keyObject, dsaEncoding: 'ieee-p1363' }, length }
    default:
      return { hash: p.hash, hmac: false, key: keyObject, length }
  }
}

function checkFor(key: VerificationKey, alg: Algorithm): Check {
  let byAlg = checks.get(key)
  let check = byAlg?.get(alg)
  if (check === undefined) {
    check = buildCheck(key, alg)
    if (byAlg === undefined) checks.set(key, (byAlg = new Map()))
    byAlg.set(alg, check)
  }
  return check
}

/** SHA-256, synchronous (a DPoP `ath` or thumbprint costs ~1 µs, no thread-pool round trip). */
const sha256 = (data: string | Uint8Array): Uint8Array => createHash('sha256').update(data).digest()

/** The signature as bytes: the parser checked it is strict base64url, so Buffer's decoder is exact. */
const signatureOf = (token: SignedInput): Buffer => Buffer.from(token.signatureB64, 'base64url')

/** The signing input as bytes: base64url is ASCII, so latin1 is exact and the cheapest copy. */
const inputOf = (token: SignedInput): Buffer => Buffer.from(token.signingInput, 'latin1')

function hmacValid(check: Check, token: SignedInput, signature: Buffer): boolean {
  const mac = createHmac(check.hash!, check.key as KeyObject).update(token.signingInput, 'latin1').digest()
  return mac.length === signature.length && timingSafeEqual(mac, signature)
}

function verify(key: VerificationKey, alg: Algorithm, token: SignedInput): boolean {
  const check = checkFor(key, alg)
  const signature = signatureOf(token)
  if (check.length !== undefined && signature.length !== check.length) return false
  if (check.hmac) return hmacValid(check, token, signature)
  return cryptoVerify(check.hash, inputOf(token), check.key, signature)
}

function verifyOffThread(key: VerificationKey, alg: Algorithm, token: SignedInput): Promise<boolean> | boolean {
  const check = checkFor(key, alg)
  const signature = signatureOf(token)
  if (check.length !== undefined && signature.length !== check.length) return false
  if (check.hmac) return hmacValid(check, token, signature)
  return new Promise((resolve, reject) => {
    cryptoVerify(check.hash, inputOf(token), check.key, signature, (err, valid) => (err ? reject(err) : resolve(valid)))
  })
}

/** Asymmetric signatures on libuv's thread pool (`crypto.verify` with a callback); HMAC inline. */
export const nodeParallelSignatureBackend: SignatureBackend = Object.freeze({ name: 'node-parallel', verify: verifyOffThread, sha256 })

/** Verifies with `node:crypto` on KeyObjects imported once per key; synchronous. */
export const nodeSignatureBackend: SignatureBackend = Object.freeze({ name: 'node', verify, sha256, parallel: nodeParallelSignatureBackend })

/** The backend the `"node"` condition of `#signature-backend` resolves to. */
export const signatureBackend: SignatureBackend = nodeSignatureBackend
