/**
 * @module
 * The signature seam. The pipeline only asks "does this signature verify with this key and
 * algorithm?"; a backend answers, caching its own imported key form per `VerificationKey`.
 * `web.ts` (WebCrypto) runs everywhere; `node.ts` (`node:crypto`) under the `"node"`
 * condition. Anything that checks a JWS signature (access tokens, DPoP proofs) goes through it.
 */
import type { SplitJws } from '../lib/token.js'
import type { Algorithm } from '../keys/algorithms.js'
import type { VerificationKey } from '../keys/verification-key.js'

/** What a backend reads of a compact JWS: the signing input and the signature as sent. */
export type SignedInput = Pick<SplitJws, 'signingInput' | 'signatureB64'>

export interface SignatureBackend {
  /** A name for diagnostics and benchmarks (`webcrypto`, `node`, `node-parallel`). */
  readonly name: string
  /**
   * Resolves `true` when the signature is valid, `false` when it is not. Throws only when the
   * key cannot be used at all (the pipeline reports that as `signature_invalid` too).
   */
  verify(key: VerificationKey, alg: Algorithm, token: SignedInput): Promise<boolean> | boolean
  /**
   * The same checks with asymmetric signatures verified off the main thread (`parallel: true`),
   * when the runtime has a way to; absent where it has none (the verifier then uses `verify`).
   */
  readonly parallel?: SignatureBackend
  /**
   * SHA-256 of `data` (a string as UTF-8): DPoP `ath` and key thumbprints, certificate
   * thumbprints. Synchronous where the runtime allows (`node:crypto`); a backend without it
   * gets WebCrypto's `crypto.subtle.digest`.
   */
  readonly sha256?: (data: string | Uint8Array) => Uint8Array | Promise<Uint8Array>
}
