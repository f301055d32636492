/**
 * @module
 * Step 2b: the key for the token and its signature. Synchronous whenever the key source and
 * the signature backend are (local keys on Node), so the hot path takes no extra await.
 */
import { BearerError } from '../errors/bearer-error.js'
import type { Algorithm } from '../keys/algorithms.js'
import type { KeySource } from '../keys/key-source.js'
import type { VerificationKey } from '../keys/verification-key.js'
import type { SignatureBackend } from '../signature/signature-backend.js'
import type { JwsHeader, ParsedToken } from '../lib/token.js'

/** True for a promise (or any thenable a custom key source returns). */
export const isPromise = <T>(value: T | Promise<T>): value is Promise<T> =>
  typeof (value as Promise<T> | null)?.then === 'function'

/** The key the source names for this header and algorithm; throws `kid_not_found`, `jwks_unavailable`, ... */
export function resolveKey(keys: KeySource, header: JwsHeader, alg: Algorithm): VerificationKey | Promise<VerificationKey> {
  return keys.getKey(header, alg)
}

function unusableKey(cause: unknown): BearerError {
  return new BearerError('signature_invalid', { cause, message: 'The token signature could not be checked with its key' })
}

/** Throws (or rejects with) `signature_invalid` unless the signature verifies with `key`. */
export function assertSignature(
  backend: SignatureBackend,
  key: VerificationKey,
  alg: Algorithm,
  token: ParsedToken,
): void | Promise<void> {
  let valid: boolean | Promise<boolean>
  try {
    valid = backend.verify(key, alg, token)
  } catch (cause) {
    throw unusableKey(cause)
  }
  if (!isPromise(valid)) {
    if (!valid) throw new BearerError('signature_invalid')
    return
  }
  return valid.then(
    (ok) => {
      if (!ok) throw new BearerError('signature_invalid')
    },
    (cause: unknown) => {
      throw unusableKey(cause)
    },
  )
}
