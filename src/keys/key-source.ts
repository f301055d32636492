/**
 * @module
 * The key-source seam: where the signature step gets its key. Local sets, secrets and
 * remote JWKS implement it; a custom source (a shared remote JWKS, a KMS) can too.
 */
import type { JwsHeader } from '../core/token.js'
import type { Algorithm } from './algorithms.js'
import type { VerificationKey } from './verification-key.js'

/** Events a key source reports through the verifier's `onEvent`. */
export type KeySourceEvent =
  | { readonly type: 'key_skipped'; readonly source: string; readonly kid: string | undefined; readonly reason: string }
  | { readonly type: 'jwks_fetch'; readonly uri: string; readonly status: number; readonly keys: number }
  | { readonly type: 'jwks_error'; readonly uri: string; readonly error: string }
  | { readonly type: 'kid_miss'; readonly uri: string; readonly kid: string; readonly refetch: boolean }

export interface KeySourceContext {
  /** The verifier's algorithm allow-list. */
  readonly algorithms: ReadonlySet<Algorithm>
  readonly realm: string
  readonly onEvent: (event: KeySourceEvent) => void
  readonly fetch: typeof fetch
  /** The verifier's clock (milliseconds), so caches age under an injected clock too. */
  readonly now: () => number
}

/**
 * Resolves the key that verifies a token. Throws a `BearerError` (`kid_not_found`,
 * `kid_missing`, `alg_not_allowed`, `jwks_unavailable`) when there is none.
 * Returning synchronously when possible keeps the hot path free of extra awaits.
 */
export interface KeySource {
  /** True when the source holds shared secrets (HS*), false for public keys. */
  readonly symmetric: boolean
  getKey(header: JwsHeader, alg: Algorithm): VerificationKey | Promise<VerificationKey>
  /** Loads keys ahead of the first request (remote sources). */
  warm?(): Promise<void>
}

/** Builds a key source once the verifier's allow-list and hooks are known. */
export type KeySourceFactory = (context: KeySourceContext) => KeySource
