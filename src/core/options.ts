/**
 * @module
 * Verifier options: the public interface (hand-written, with defaults). `parse-options.ts`
 * validates it once at construction.
 */
import type { ClaimsSchema } from '../claims/schema.js'
import type { Algorithm } from '../keys/algorithms.js'
import type { KeySourceEvent, KeySourceFactory } from '../keys/key-source.js'
import type { RemoteJwksOptions } from '../keys/jwks-cache-options.js'
import type { JSONWebKeySet } from '../keys/local-jwks.js'
import type { IsRevoked } from '../revocation/hook.js'
import type { ScopeClaim } from '../scopes/parse.js'
import type { Duration } from '../lib/duration.js'
import type { JwtClaims } from '../lib/result.js'

/** Remote JWKS cache settings (`jwksUri`, `discovery`); see `RemoteJwksOptions` for each default. */
export type JwksCacheOptions = RemoteJwksOptions

/** What the verifier reports through `onEvent`. */
export type VerifierEvent = KeySourceEvent

/**
 * Exactly one key source: a remote JWKS, discovery, a local JWKS, a shared secret, or a
 * custom source. `discovery: true` finds `jwks_uri` from the issuer's OIDC / RFC 8414
 * metadata (a string is the metadata URL); it needs a single `issuer` string.
 */
export type KeySourceOptions =
  | { readonly jwksUri: string | URL; readonly discovery?: never; readonly jwks?: never; readonly secret?: never; readonly keys?: never }
  | { readonly discovery: true | string | URL; readonly jwksUri?: never; readonly jwks?: never; readonly secret?: never; readonly keys?: never }
  | { readonly jwks: JSONWebKeySet; readonly jwksUri?: never; readonly discovery?: never; readonly secret?: never; readonly keys?: never }
  | { readonly secret: string | Uint8Array; readonly jwksUri?: never; readonly discovery?: never; readonly jwks?: never; readonly keys?: never }
  | { readonly keys: KeySourceFactory; readonly jwksUri?: never; readonly discovery?: never; readonly jwks?: never; readonly secret?: never }

/** One trusted issuer of a multi-issuer verifier, with its own key source. */
export type IssuerEntry = {
  /** The exact `iss` value this entry accepts. */
  readonly issuer: string
  /** Overrides the verifier's `audience` for this issuer. */
  readonly audience?: string | readonly string[] | null
  /** Overrides the verifier's `algorithms` for this issuer. */
  readonly algorithms?: readonly Algorithm[]
} & KeySourceOptions

/** Options every verifier takes, whatever its key source. */
export interface CommonVerifierOptions<C extends object = object> {
  /**
   * Allowed signature algorithms. Default: every algorithm the key source's key types
   * support (asymmetric ones for key sets; the HMACs the secret is long enough for).
   */
  readonly algorithms?: readonly Algorithm[]
  /** Leeway for `exp`, `nbf` and `iat`. Default 5 seconds; at most 5 minutes (`'5m'`). */
  readonly clockTolerance?: Duration
  /**
   * Required `typ` header (e.g. `'at+jwt'`, RFC 9068); `application/` prefix and case ignored.
   * Default: absent, `JWT` or `at+jwt`; any other type (`dpop+jwt`, ...) is rejected.
   */
  readonly typ?: string | readonly string[]
  /** Claims that must be present. `exp` always is. */
  readonly requiredClaims?: readonly string[]
  /** A zod schema for custom claims; its output type becomes `auth.claims`. */
  readonly claims?: ClaimsSchema<C>
  /** Claims scopes are read from. Default `['scope', 'scp', 'permissions']`. */
  readonly scopeClaims?: readonly ScopeClaim[]
  /**
   * Revocation hook: `true` revokes (401 `token_revoked`), `false` lets the token through.
   * Anything else fails closed with 503 `revocation_unavailable`: a throw, a rejection, a
   * promise still pending after `revocationTimeout`, or an answer that is not a boolean.
   */
  readonly isRevoked?: IsRevoked<JwtClaims & C>
  /**
   * Longest wait for a promise returned by `isRevoked`; past it the request answers 503
   * `revocation_unavailable` instead of hanging. Default `'5s'`.
   */
  readonly revocationTimeout?: Duration
  /**
   * Clock in milliseconds, like `Date.now`. For tests. A clock that returns anything but a
   * finite number fails the request with 503 `verifier_misconfigured`.
   */
  readonly now?: () => number
  /** `realm` in `WWW-Authenticate`. Default `'api'`. */
  readonly realm?: string
  /**
   * Largest `Authorization` header accepted, in characters, checked before decoding.
   * Default 8192; from 64 to 65536 (64 KiB).
   */
  readonly maxTokenSize?: number
  /** `fetch` used for JWKS and discovery documents. Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch
  /** Remote JWKS cache settings. */
  readonly jwksCache?: JwksCacheOptions
  /**
   * Receives key-source events: `jwks_fetch`, `jwks_error`, `jwks_stale`, `jwks_cooldown`,
   * `kid_miss`, `key_skipped`, `discovery`. A throwing listener is ignored.
   */
  readonly onEvent?: (event: VerifierEvent) => void
  /**
   * The verified-token cache: a token seen before skips the signature check, while time,
   * scopes and `isRevoked` are checked again on every request. An entry never outlives the
   * token's `exp` (nor 10 minutes); failures are not cached. `false` turns it off.
   * Default `{ max: 1000 }`.
   */
  readonly cache?: VerifiedTokenCacheOptions | false
}

/** Verified-token cache settings (`cache`). */
export interface VerifiedTokenCacheOptions {
  /** Most tokens kept, least recently used evicted first. Default 1000. */
  readonly max?: number
}

/** `iss` and `aud` checks of a single-issuer verifier: required; `null` opts out explicitly. */
export interface IssuerAudienceOptions {
  /** Accepted `iss` value(s), exact match. `null` skips the check (not recommended). */
  readonly issuer: string | readonly string[] | null
  /** Accepted `aud` value(s); any match passes. `null` skips the check (not recommended). */
  readonly audience: string | readonly string[] | null
}

/** Options of `createVerifier`. */
export type VerifierOptions<C extends object = object> = CommonVerifierOptions<C> &
  (
    | (IssuerAudienceOptions & KeySourceOptions & { readonly issuers?: never })
    | {
        /** Several trusted issuers, each with its own key source; `iss` selects one by exact match. */
        readonly issuers: readonly IssuerEntry[]
        /** Accepted `aud` for entries that name none; required unless every entry names its own. */
        readonly audience?: string | readonly string[] | null
        readonly issuer?: never
        readonly jwksUri?: never
        readonly discovery?: never
        readonly jwks?: never
        readonly secret?: never
        readonly keys?: never
      }
  )
