/**
 * @module
 * The WebCrypto signature backend, through jose: edge runtimes, browsers, and Node.
 */
import { errors, flattenedVerify, importJWK, type CryptoKey, type JWK } from 'jose'
import type { ParsedToken } from '../core/token.js'
import type { Algorithm } from '../keys/algorithms.js'
import type { VerificationKey } from '../keys/verification-key.js'
import type { SignatureBackend } from './signature-backend.js'

/** Imported CryptoKeys per key and algorithm: imported once per isolate, not per request. */
const imported = new WeakMap<VerificationKey, Map<Algorithm, Promise<CryptoKey>>>()

function cryptoKey(key: VerificationKey, alg: Algorithm): Promise<CryptoKey> {
  let byAlg = imported.get(key)
  if (!byAlg) imported.set(key, (byAlg = new Map()))
  let pending = byAlg.get(alg)
  if (!pending) {
    pending = importJWK({ ...(key.jwk as JWK), ext: false }, alg) as Promise<CryptoKey>
    // A key that fails to import is dropped from the cache so the failure is not sticky.
    pending.catch(() => byAlg.delete(alg))
    byAlg.set(alg, pending)
  }
  return pending
}

async function verify(key: VerificationKey, alg: Algorithm, token: ParsedToken): Promise<boolean> {
  const k = await cryptoKey(key, alg)
  try {
    await flattenedVerify(
      { protected: token.protectedB64, payload: token.payloadB64, signature: token.signatureB64 },
      k,
      { algorithms: [alg] },
    )
    return true
  } catch (err) {
    if (err instanceof errors.JWSSignatureVerificationFailed) return false
    throw err
  }
}

/** Verifies with jose's `flattenedVerify` on CryptoKeys imported once per key. */
export const webSignatureBackend: SignatureBackend = Object.freeze({ name: 'webcrypto', verify })

/** The backend the edge conditions (and `"default"`) of `#signature-backend` resolve to. */
export const signatureBackend: SignatureBackend = webSignatureBackend
