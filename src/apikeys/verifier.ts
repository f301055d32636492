/**
 * @module
 * The seam between the verifier and API keys: what `createVerifier({ apiKeys })` needs of the
 * object `createApiKeys` returns (or of your own implementation).
 */
import type { ApiKeyInfo } from '../lib/result.js'

/**
 * Verifies API keys for a verifier: keys starting with `prefix` and `_` are routed here.
 * `createApiKeys()` returns one.
 */
export interface ApiKeyVerifier {
  /** The prefix of every key, without the `_` that follows it (e.g. `'acme'` for `acme_…`). */
  readonly prefix: string
  /** Resolves with the key's record, or rejects with a `BearerError` (`api_key_invalid`, ..., `api_key_store_unavailable`). */
  verify(key: string): Promise<ApiKeyInfo>
}

/** True for an object with a string `prefix` and a `verify` function. */
export function isApiKeyVerifier(value: unknown): value is ApiKeyVerifier {
  const o = value as Partial<ApiKeyVerifier> | null | undefined
  return typeof o === 'object' && o !== null && typeof o.prefix === 'string' && typeof o.verify === 'function'
}
