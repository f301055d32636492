/**
 * @module
 * The WebCrypto signature backend, through jose: edge runtimes, browsers, and Node.
 */
import { errors, flattenedVerify, importJWK, type CryptoKey, type JWK } from 'jose'
import { decodeBase64url } from '../lib/base64url.js'
import type { ParsedToken } from '../lib/token.js'
import { ALGORITHMS, HMAC_MIN_SECRET_BYTES, isHmacAlgorithm, type Algorithm } from '../keys/algorithms.js'
import type { VerificationKey } from '../keys/verification-key.js'
import type { SignatureBackend } from './signature-backend.js'

/** Imported CryptoKeys per key and algorithm: imported once per isolate, not per request. */
const imported = new WeakMap<VerificationKey, Map<Algorithm, CryptoKey | Promise<CryptoKey>>>()

/** The secret of an `oct` key, from its JWK (what jose would import). */
function hmacSecret(key: VerificationKey): Uint8Array<ArrayBuffer> {
  const bytes = decodeBase64url(key.jwk.k as string)
  if (bytes === undefined) throw new TypeError('The HMAC key is not base64url')
  return bytes as Uint8Array<ArrayBuffer>
}

/** The CryptoKey itself once imported, so later requests skip an await. */
function cryptoKey(key: VerificationKey, alg: Algorithm): CryptoKey | Promise<CryptoKey> {
  let byAlg = imported.get(key)
  if (!byAlg) imported.set(key, (byAlg = new Map()))
  const known = byAlg.get(alg)
  if (known) return known
  // A CryptoKey given as `publicKey`: its algorithm was checked against `alg` when it was loaded.
  if (key.cryptoKey) return key.cryptoKey
  const pending = isHmacAlgorithm(alg)
    ? // jose returns an oct JWK as bytes and would import them again on every verification.
      crypto.subtle.importKey('raw', hmacSecret(key), { name: 'HMAC', hash: `SHA-${alg.slice(2)}` }, false, ['verify'])
    : (importJWK({ ...(key.jwk as JWK), ext: false }, alg) as Promise<CryptoKey>)
  byAlg.set(alg, pending)
  pending.then(
    (k) => byAlg.set(alg, k),
    // A key that fails to import is dropped from the cache so the failure is not sticky.
    () => byAlg.delete(alg),
  )
  return pending
}

/** jose options per algorithm, built once: the token's algorithm is the only one accepted. */
const OPTIONS = Object.fromEntries(ALGORITHMS.map((alg) => [alg, Object.freeze({ algorithms: [alg] })])) as Record<Algorithm, { algorithms: string[] }>

const valid = (): boolean => true
const invalid = (err: unknown): boolean => {
  if (err instanceof errors.JWSSignatureVerificationFailed) return false
  throw err
}

function check(k: CryptoKey, alg: Algorithm, token: ParsedToken): Promise<boolean> {
  const jws = { protected: token.protectedB64, payload: token.payloadB64, signature: token.signatureB64 }
  return flattenedVerify(jws, k, OPTIONS[alg]).then(valid, invalid)
}

function verify(key: VerificationKey, alg: Algorithm, token: ParsedToken): Promise<boolean> {
  if (isHmacAlgorithm(alg)) {
    // RFC 7518 §3.2: an HMAC key shorter than the hash MUST NOT be used (jose would take it).
    const k = key.jwk.k
    if (key.jwk.kty !== 'oct' || typeof k !== 'string' || (k.length * 3) >> 2 < HMAC_MIN_SECRET_BYTES[alg]) {
      throw new TypeError(`${alg} needs a key of at least ${HMAC_MIN_SECRET_BYTES[alg]} bytes`)
    }
  }
  const k = cryptoKey(key, alg)
  return k instanceof Promise ? k.then((c) => check(c, alg, token)) : check(k, alg, token)
}

const utf8 = new TextEncoder()

/** SHA-256 with WebCrypto. */
async function sha256(data: string | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? utf8.encode(data) : data
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
}

/** Verifies with jose's `flattenedVerify` on CryptoKeys imported once per key. */
export const webSignatureBackend: SignatureBackend = Object.freeze({ name: 'webcrypto', verify, sha256 })

/** The backend the edge conditions (and `"default"`) of `#signature-backend` resolve to. */
export const signatureBackend: SignatureBackend = webSignatureBackend
