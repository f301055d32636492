/**
 * @module
 * The WebCrypto signature backend: edge runtimes (Workers, Vercel Edge), browsers, and any
 * runtime without the `"node"` export condition. It calls `crypto.subtle` directly: each key
 * is imported once per algorithm into a `CryptoKey` (`importKey('jwk' | 'raw')`), and a
 * request costs one `crypto.subtle.verify` on the raw signature bytes. The token was already
 * split and checked by the pipeline, so nothing is parsed twice; the math is the runtime's.
 *
 * JWS and WebCrypto agree on every encoding: ECDSA signatures are R || S (IEEE P1363, RFC
 * 7518 §3.4) in both, RSA-PSS takes the salt length (the digest's, RFC 7518 §3.5), Ed25519
 * is the `Ed25519` algorithm, HMAC compares in constant time inside `verify`.
 */
import { decodeBase64url } from '../lib/base64url.js'
import type { Algorithm } from '../keys/algorithms.js'
import type { VerificationKey } from '../keys/verification-key.js'
import { hmacSecret, planFor, signatureLength, type Plan } from './plan.js'
import type { SignatureBackend, SignedInput } from './signature-backend.js'

/** One key under one algorithm, ready to verify: built once, then reused by every request. */
interface Check {
  /** The CryptoKey once imported. */
  key: CryptoKey | undefined
  /**
   * The import in progress. A field of its own rather than `instanceof Promise`: on some
   * runtimes (edge-runtime's VM contexts) `crypto.subtle` answers with another realm's Promise.
   */
  readonly pending: Promise<CryptoKey>
  /** The algorithm object `crypto.subtle.verify` takes, built once. */
  readonly params: AlgorithmIdentifier | RsaPssParams | EcdsaParams
  /** The signature length the algorithm takes with this key, when fixed. */
  readonly length: number | undefined
}

/** Checks per key and algorithm: imported once per isolate, not per request. */
const checks = new WeakMap<VerificationKey, Map<Algorithm, Check>>()

const ascii = new TextEncoder()

/** The `importKey` algorithm for a plan. */
function importParams(p: Plan, key: VerificationKey): AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams {
  switch (p.method) {
    case 'hmac':
      return { name: 'HMAC', hash: p.webHash! }
    case 'pkcs1':
      return { name: 'RSASSA-PKCS1-v1_5', hash: p.webHash! }
    case 'pss':
      return { name: 'RSA-PSS', hash: p.webHash! }
    case 'ecdsa':
      return { name: 'ECDSA', namedCurve: key.jwk.crv as string }
    case 'eddsa':
      return { name: 'Ed25519' }
  }
}

const utf8 = new TextEncoder()

/** SHA-256 with WebCrypto. */
async function sha256(data: string | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? utf8.encode(data) : data
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
}
/** The `verify` algorithm for a plan. */
function verifyParams(p: Plan): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  switch (p.method) {
    case 'hmac':
      return { name: 'HMAC' }
    case 'pkcs1':
      return { name: 'RSASSA-PKCS1-v1_5' }
    case 'pss':
      return { name: 'RSA-PSS', saltLength: p.hashBytes }
    case 'ecdsa':
      return { name: 'ECDSA', hash: p.webHash! }
    case 'eddsa':
      return { name: 'Ed25519' }
  }
}

function importCryptoKey(p: Plan, key: VerificationKey): Promise<CryptoKey> {
  const algorithm = importParams(p, key)
  if (p.method === 'hmac') {
    return crypto.subtle.importKey('raw', hmacSecret(key)! as Uint8Array<ArrayBuffer>, algorithm, false, ['verify'])
  }
  // Only the public members were kept when the key was loaded (verification-key.ts); no
  // `alg`, `use` or `key_ops` that could disagree with the algorithm given here.
  return crypto.subtle.importKey('jwk', { ...key.jwk, ext: false } as JsonWebKey, algorithm, false, ['verify'])
}

function buildCheck(byAlg: Map<Algorithm, Check>, key: VerificationKey, alg: Algorithm): Check {
  const p = planFor(key, alg)
  // A CryptoKey given as `publicKey` (possibly not extractable) is used as is: its algorithm
  // was checked against the key's when it was loaded (keys/public-key.ts).
  if (key.cryptoKey) {
    const given = key.cryptoKey as CryptoKey
    const ready: Check = { key: given, pending: Promise.resolve(given), params: verifyParams(p), length: signatureLength(p, key) }
    byAlg.set(alg, ready)
    return ready
  }
  const pending = importCryptoKey(p, key)
  const check: Check = { key: undefined, pending, params: verifyParams(p), length: signatureLength(p, key) }
  byAlg.set(alg, check)
  pending.then(
    (k) => {
      check.key = k
    },
    // A key that fails to import is dropped, so the failure is not sticky.
    () => {
      if (byAlg.get(alg) === check) byAlg.delete(alg)
    },
  )
  return check
}

function verify(key: VerificationKey, alg: Algorithm, token: SignedInput): Promise<boolean> | boolean {
  let byAlg = checks.get(key)
  if (byAlg === undefined) checks.set(key, (byAlg = new Map()))
  const check = byAlg.get(alg) ?? buildCheck(byAlg, key, alg)
  // The parser checked the signature is strict base64url; a caller outside the pipeline may not have.
  const signature = decodeBase64url(token.signatureB64) as Uint8Array<ArrayBuffer> | undefined
  if (signature === undefined || (check.length !== undefined && signature.length !== check.length)) return false
  const data = ascii.encode(token.signingInput)
  const k = check.key
  return k === undefined
    ? check.pending.then((c) => crypto.subtle.verify(check.params, c, signature, data))
    : crypto.subtle.verify(check.params, k, signature, data)
}

/** Verifies with `crypto.subtle` on CryptoKeys imported once per key and algorithm. */
export const webSignatureBackend: SignatureBackend = Object.freeze({ name: 'webcrypto', verify, sha256 })

/** The backend the edge conditions (and `"default"`) of `#signature-backend` resolve to. */
export const signatureBackend: SignatureBackend = webSignatureBackend
