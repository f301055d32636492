/**
 * @module
 * The key-source seam: where the signature step gets its key. Local sets, secrets and
 * remote JWKS implement it; a custom source (a shared remote JWKS, a KMS) can too.
 */
import type { JwsHeader } from '../lib/token.js'
import type { Algorithm } from './algorithms.js'
import type { FetchFailureCode } from './fetch-json.js'
import type { VerificationKey } from './verification-key.js'

/**
 * Events a key source reports through the verifier's `onEvent`. Times are seconds.
 * Per failed fetch: `jwks_error` (and `jwks_stale` when old keys stay in use); per request:
 * `kid_miss` and `jwks_cooldown`, so an unknown-`kid` flood is visible without a fetch flood.
 */
export type KeySourceEvent =
  /** A key in a set could not be used (wrong `kty`, `use: enc`, weak, `alg` not allowed, ...). */
  | { readonly type: 'key_skipped'; readonly source: string; readonly kid: string | undefined; readonly reason: string }
  /** A background refresh of a fresh set started, `expiresIn` seconds before its freshness ends (refresh-ahead). */
  | { readonly type: 'jwks_refresh'; readonly uri: string; readonly expiresIn: number }
  /** A key set another instance stored (`keyStore`) was taken on a cold start: `age` seconds old, fresh for `maxAge` from its fetch. */
  | { readonly type: 'jwks_restored'; readonly uri: string; readonly age: number; readonly maxAge: number }
  /** The key store failed to read or write a set, or held an unusable one; verification goes on without it. */
  | { readonly type: 'jwks_store_error'; readonly uri: string; readonly operation: 'get' | 'set'; readonly error: string }
  /** A key set was fetched (in `durationMs` milliseconds); it is fresh for `maxAge` seconds. */
  | { readonly type: 'jwks_fetch'; readonly uri: string; readonly status: number; readonly keys: number; readonly maxAge: number; readonly durationMs: number }
  /** A key set or discovery document could not be fetched or used; the attempt took `durationMs` milliseconds; `status` when the server answered with another HTTP status than 200. */
  | { readonly type: 'jwks_error'; readonly uri: string; readonly code: FetchFailureCode; readonly error: string; readonly durationMs: number; readonly status?: number }
  /** A refresh failed and the last good set stays in use, `age` seconds old, for at most `remaining` more. */
  | { readonly type: 'jwks_stale'; readonly uri: string; readonly age: number; readonly remaining: number }
  /** No usable keys and a fetch just failed: answered 503 without asking again for `retryIn` seconds. */
  | { readonly type: 'jwks_cooldown'; readonly uri: string; readonly retryIn: number }
  /** A token named a `kid` not in the set; `refetch` is false during the cooldown. */
  | { readonly type: 'kid_miss'; readonly uri: string; readonly kid: string; readonly refetch: boolean }
  /** Discovery found the issuer's `jwks_uri`. */
  | { readonly type: 'discovery'; readonly uri: string; readonly issuer: string; readonly jwksUri: string }

/** What a key source gets from the verifier that builds it. */
export interface KeySourceContext {
  /** The verifier's algorithm allow-list. */
  readonly algorithms: ReadonlySet<Algorithm>
  /** Reports key-source events to the verifier's `onEvent` (a throwing listener is ignored). */
  readonly onEvent: (event: KeySourceEvent) => void
  /** The verifier's `fetch` (injectable for tests and custom transports). */
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
  /** The key for this header and (already allow-listed) algorithm, or a thrown `BearerError`. */
  getKey(header: JwsHeader, alg: Algorithm): VerificationKey | Promise<VerificationKey>
  /** Loads keys ahead of the first request (remote sources). */
  warm?(): Promise<void>
}

/** Builds a key source once the verifier's allow-list and hooks are known. */
export type KeySourceFactory = (context: KeySourceContext) => KeySource
