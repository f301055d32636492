/**
 * @module
 * The signature seam. The pipeline only asks "does this signature verify with this key and
 * algorithm?"; a backend answers, caching its own imported key form per `VerificationKey`.
 * The WebCrypto backend (jose) runs everywhere; a `node:crypto` backend can sit beside it.
 */
import type { ParsedToken } from '../lib/token.js'
import type { Algorithm } from '../keys/algorithms.js'
import type { VerificationKey } from '../keys/verification-key.js'

export interface SignatureBackend {
  /** A name for diagnostics and benchmarks (`webcrypto`, `node`). */
  readonly name: string
  /**
   * Resolves `true` when the signature is valid, `false` when it is not. Throws only when the
   * key cannot be used at all (the pipeline reports that as `signature_invalid` too).
   */
  verify(key: VerificationKey, alg: Algorithm, token: ParsedToken): Promise<boolean> | boolean
  /**
   * SHA-256 of `data` (a string as UTF-8): DPoP `ath` and key thumbprints, certificate
   * thumbprints. Synchronous where the runtime allows (`node:crypto`); a backend without it
   * gets WebCrypto's `crypto.subtle.digest`.
   */
  readonly sha256?: (data: string | Uint8Array) => Uint8Array | Promise<Uint8Array>
}
