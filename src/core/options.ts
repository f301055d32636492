/**
 * @module
 * Verifier options: the public interface (hand-written, with defaults). `parse-options.ts`
 * validates it once at construction.
 */
import type { ClaimsSchema } from '../claims/schema.js'
import type { ClaimValueRule } from '../claims/values.js'
import type { Algorithm } from '../keys/algorithms.js'
import type { KeySourceEvent, KeySourceFactory } from '../keys/key-source.js'
import type { RemoteJwksOptions } from '../keys/jwks-cache-options.js'
import type { JSONWebKeySet } from '../keys/local-jwks.js'
import type { KeyStore } from '../keys/key-store.js'
import type { PublicKeyInput } from '../keys/public-key.js'
import type { IsRevoked } from '../revocation/hook.js'
import type { ScopeClaim } from '../scopes/parse.js'
import type { ClaimPathInput } from '../lib/claim-path.js'
import type { Duration } from '../lib/duration.js'
import type { DpopOptions, DpopNonceOptions } from '../binding/dpop-options-types.js'
import type { JwtClaims } from '../lib/result.js'
import type { OperatorHintEvent, VerifierLogger } from './hints.js'
import type { VerificationEvent } from './outcome.js'
import type { ThrottleEvent } from '../throttle/events.js'
import type { IntrospectionEvent } from '../introspection/introspector.js'
import type { IntrospectionOptions } from '../introspection/options.js'
import type { ApiKeyVerifier } from '../apikeys/verifier.js'

/** Remote JWKS cache settings (`jwksUri`, `discovery`); see `RemoteJwksOptions` for each default. */
export type JwksCacheOptions = RemoteJwksOptions

/**
 * What the verifier reports through `onEvent`: one outcome event (`verified` or `rejected`) per
 * verification, key-source events, introspection events, the adapters' throttle events
 * (`throttled`, `throttle_error`), and operator hints (`operator_hint`, see `logger`).
 */
export type VerifierEvent = KeySourceEvent | IntrospectionEvent | VerificationEvent | ThrottleEvent | OperatorHintEvent

export type { DpopNonceOptions, DpopOptions, OperatorHintEvent, VerifierLogger }

/** The names of the key-source options: exactly one is given. */
export type KeySourceName = 'jwksUri' | 'discovery' | 'jwks' | 'secret' | 'keys' | 'publicKey' | 'x509Uri'

/** `{ [name]: value }` with every other key-source option excluded. */
type OnlyKeySource<K extends KeySourceName, T> = { readonly [P in K]: T } & { readonly [P in Exclude<KeySourceName, K>]?: never }

/**
 * Exactly one key source:
 * - `jwksUri`: a remote JWK Set;
 * - `discovery: true` finds `jwks_uri` from the issuer's OIDC / RFC 8414 metadata (a string is
 *   the metadata URL); it needs a single `issuer` string;
 * - `jwks`: a local JWK Set;
 * - `secret`: a shared secret (HS256/384/512);
 * - `publicKey`: one public key, as a PEM string (SPKI `PUBLIC KEY`, PKCS#1 `RSA PUBLIC KEY` or
 *   an X.509 `CERTIFICATE`), a Node `KeyObject` or a WebCrypto `CryptoKey`; being the only key,
 *   it matches whatever `kid` a token names;
 * - `x509Uri`: a remote `{ kid: PEM certificate }` document (Google's and Firebase's key
 *   format), cached like a JWKS (`jwksCache`);
 * - `keys`: a custom key source.
 */
export type KeySourceOptions =
  | OnlyKeySource<'jwksUri', string | URL>
  | OnlyKeySource<'discovery', true | string | URL>
  | OnlyKeySource<'jwks', JSONWebKeySet>
  | OnlyKeySource<'secret', string | Uint8Array>
  | OnlyKeySource<'publicKey', PublicKeyInput>
  | OnlyKeySource<'x509Uri', string | URL>
  | OnlyKeySource<'keys', KeySourceFactory>

/** One trusted issuer of a multi-issuer verifier, with its own key source. */
export type IssuerEntry = {
  /** The exact `iss` value this entry accepts. */
  readonly issuer: string
  /** Overrides the verifier's `audience` for this issuer. */
  readonly audience?: string | readonly string[] | null
  /** Overrides the verifier's `algorithms` for this issuer. */
  readonly algorithms?: readonly Algorithm[]
} & KeySourceOptions

/**
 * Looks up the issuer a token claims (its unverified `iss`) before any key is fetched:
 * resolves with that issuer's entry, or `undefined` when it is not one you trust. The
 * entry's `issuer` must be that `iss` (or a `{tenantid}` template of it). Answers are cached
 * (`tenantCache`); a throw answers 503 `issuer_unavailable`.
 */
export type IssuerResolver = (iss: string) => IssuerEntry | undefined | null | Promise<IssuerEntry | undefined | null>

/** The resolver's cache of tenants (`tenantCache`). */
export interface TenantCacheOptions {
  /** Most issuers remembered (known and unknown), least recently used evicted first. Default 1000. */
  readonly max?: number
  /** How long a known issuer's entry (and its key cache) is kept before the resolver is asked again. Default `'1h'`. */
  readonly ttl?: Duration
  /** How long an unknown issuer's answer is remembered: a flood of made-up issuers asks the resolver once each per this. Default `'5m'`. */
  readonly negativeTtl?: Duration
}

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
  /** Claims that must be present. `exp` always is (for JWTs; introspected tokens and API keys may lack it). */
  readonly requiredClaims?: readonly string[]
  /**
   * Values claims must hold for a token to be accepted at all (401 `claim_missing` /
   * `claim_invalid`): a value, one of a list (strict equality), or a predicate over the value.
   * For what identifies the token's kind or client where an IdP puts it outside `typ` and
   * `aud`, e.g. `{ token_use: 'access', client_id: ['app-1', 'app-2'] }` (Cognito). Presets set
   * it; per-route requirements belong in `requireClaim` (403). Default none.
   */
  readonly claimValues?: Readonly<Record<string, ClaimValueRule>>
  /**
   * The oldest a token may be: `iat` is required and no older than this (plus
   * `clockTolerance`), whatever its `exp` says (401 `token_too_old`). Seconds or `'1h'`. Default none.
   */
  readonly maxTokenAge?: Duration
  /** A zod schema for custom claims; its output type becomes `auth.claims`. */
  readonly claims?: ClaimsSchema<C>
  /**
   * Claims scopes are read from, each a space-delimited string or an array of strings.
   * Default `['scope', 'scp']`. Auth0 RBAC `permissions` are not scopes: see `auth.permissions`
   * and `requirePermissions`.
   */
  readonly scopeClaims?: readonly ScopeClaim[]
  /**
   * Claims roles are read from into `auth.roles` (what `requireRoles` checks): paths such as
   * `'roles'`, `'realm_access.roles'`, `'cognito:groups'`, or arrays of claim names for names
   * with dots (`[['https://example.com/roles']]`). Each holds an array of strings or one
   * string. Default `['roles']`; presets set their IdP's claim.
   */
  readonly roleClaims?: readonly ClaimPathInput[]
  /**
   * Revocation hook: `true` revokes (401 `token_revoked`), `false` lets the token through.
   * Anything else fails closed with 503 `revocation_unavailable`: a throw, a rejection, a
   * promise still pending after `revocationTimeout`, or an answer that is not a boolean.
   * Introspection is its own revocation check; API keys have `revoke`.
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
   * The request header the token arrives in, lower case. `authorization` (default) holds
   * `Bearer <token>`; any other header holds the bare token, as AWS ALB's `x-amzn-oidc-data`
   * does. Adapters read the header the verifier names (`verifier.header`).
   */
  readonly header?: string
  /**
   * Accept `=` padding at the end of the token's segments (AWS ALB pads them, RFC 7515 does
   * not allow it); the signature is still checked over the segments exactly as received.
   * Default `false`.
   */
  readonly allowPadding?: boolean
  /**
   * Largest `Authorization` header accepted, in characters, checked before decoding.
   * Default 8192; from 64 to 65536 (64 KiB).
   */
  readonly maxTokenSize?: number
  /** `fetch` used for JWKS, discovery documents and introspection. Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch
  /** Remote JWKS cache settings. */
  readonly jwksCache?: JwksCacheOptions
  /**
   * Where remote key sets (`jwksUri`, `discovery`) are kept beyond this process, so a cold
   * start verifies with a set another instance fetched: `memoryKeyStore()` (optionally seeded
   * with a `tokengate jwks snapshot`), `kvKeyStore(env.KV)`, `cacheKeyStore(caches.default)`,
   * `redisKeyStore({ client })` from `tokengate/redis`, `fileKeyStore(path)` from
   * `tokengate/fs`, or any `{ get, set }`. The same freshness and stale rules apply to a
   * stored set. Default: none (each process fetches its own).
   */
  readonly keyStore?: KeyStore
  /**
   * Receives one `verified` or `rejected` event per verification (reason, `iss`, `kid`, `alg`,
   * `sub` once verified, `cached`, `durationMs`, the route); key-source events: `jwks_fetch`,
   * `jwks_refresh`, `jwks_error`, `jwks_stale`, `jwks_cooldown`, `jwks_restored`,
   * `jwks_store_error`, `kid_miss`, `key_skipped`, `discovery`; with `introspection`,
   * `introspection` and `introspection_error`; and, through an adapter's `throttle`,
   * `throttled` and `throttle_error`; `operator_hint` (see `logger`). Called synchronously and never awaited: a throwing
   * listener or a rejected promise is ignored, so a listener cannot break or delay a
   * verification. Never receives a token, a signature or key material.
   */
  readonly onEvent?: (event: VerifierEvent) => void
  /**
   * Where the verifier tells the operator, once, about a failure that usually means the
   * server is set up wrong: an `iss` or `aud` that is not the configured one (expected vs
   * actual, "differs only by a trailing slash"), keys that cannot be fetched (the URL and the
   * HTTP status or network error; told again after keys were fetched since), a claims schema,
   * revocation hook or `issuers` resolver that fails, a `now` clock that returns nonsense, a
   * token passed without its `Bearer ` scheme. The client's
   * answer is unchanged. `false` silences it (`onEvent` still gets `operator_hint`).
   * Default: one line on `console.warn`.
   */
  readonly logger?: VerifierLogger | false
  /**
   * The verified-token cache: a token seen before skips the signature check, while time,
   * scopes and `isRevoked` are checked again on every request. An entry never outlives the
   * token's `exp` (nor 10 minutes); failures are not cached. `false` turns it off.
   * Default `{ max: 1000 }`.
   */
  readonly cache?: VerifiedTokenCacheOptions | false
  /**
   * Verify asymmetric signatures (RS*, PS*, ES*, EdDSA) off the main thread, on Node's libuv
   * thread pool (`crypto.verify` with a callback), so one process verifies on every core.
   * Turn it on when verification, not I/O, bounds a busy Node process on a machine with
   * spare cores (many distinct RSA tokens per second, the cache missing); leave it off for a
   * single core, HMAC, or when the cache answers most requests: the hop to the pool costs
   * more than a sync verify then. No effect where the runtime has no such pool (edge
   * runtimes: WebCrypto is already asynchronous). Default `false`.
   */
  readonly parallel?: boolean
  /**
   * Accept a sender-constrained token (one with a `cnf` claim: DPoP-bound, certificate-bound)
   * presented as a plain `Bearer` token without its proof. Default `false`: such a token is
   * refused with 401 `token_bound`, since whoever stole it could otherwise use it without
   * its key (RFC 9449 §7.2). Turn it on only while clients migrate.
   */
  readonly acceptBoundAsBearer?: boolean
  /**
   * DPoP (RFC 9449): accept `Authorization: DPoP <token>` with a `DPoP` proof of the key the
   * token is bound to. `true` takes every default. Without `dpop.required`, Bearer tokens are
   * served too (and a DPoP-bound token sent as Bearer is refused, `token_bound`).
   */
  readonly dpop?: DpopOptions | boolean
  /**
   * The URL of this resource's RFC 9728 metadata document: every challenge then carries
   * `resource_metadata="…"` so clients can discover the authorization server.
   */
  readonly resourceMetadata?: string | URL
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

/**
 * Opaque credentials beside (or instead of) JWTs (DESIGN.md "Opaque credentials"). With either,
 * step 1 routes by shape: a key with the API-key prefix goes to `apiKeys`, a three-segment JWT
 * is verified locally (when there is a key source), anything else is introspected.
 */
export interface OpaqueCredentialOptions {
  /** RFC 7662 introspection of opaque tokens (and of JWTs, when there is no key source). */
  readonly introspection?: IntrospectionOptions
  /** API keys from `createApiKeys()` (`tokengate/apikeys`), in `Authorization: Bearer` or `X-API-Key`. */
  readonly apiKeys?: ApiKeyVerifier
}

type NoKeySource = {
  readonly jwksUri?: never
  readonly discovery?: never
  readonly jwks?: never
  readonly secret?: never
  readonly keys?: never
  readonly publicKey?: never
  readonly x509Uri?: never
}

/** Options of `createVerifier`. */
export type VerifierOptions<C extends object = object> = CommonVerifierOptions<C> &
  (
    | (IssuerAudienceOptions & KeySourceOptions & OpaqueCredentialOptions & { readonly issuers?: never; readonly tenantCache?: never })
    | ({
        /**
         * Several trusted issuers, each with its own key source; `iss` selects one by exact match
         * (or a `{tenantid}` template tied to `tid`). Or a resolver looking issuers up as tokens
         * arrive (a tenants table), before any network request.
         */
        readonly issuers: readonly IssuerEntry[] | IssuerResolver
        /** The resolver's cache of tenants; only with an `issuers` resolver. */
        readonly tenantCache?: TenantCacheOptions
        /** Accepted `aud` for entries that name none; required unless every entry names its own. */
        readonly audience?: string | readonly string[] | null
        readonly issuer?: never
        readonly introspection?: never
        readonly apiKeys?: ApiKeyVerifier
      } & NoKeySource)
    // Opaque tokens only: introspection checks iss and aud where the response has them.
    | (IssuerAudienceOptions & NoKeySource & { readonly introspection: IntrospectionOptions; readonly apiKeys?: ApiKeyVerifier; readonly issuers?: never; readonly tenantCache?: never })
    // API keys only: nothing carries iss, aud or a JOSE header.
    | (NoKeySource & {
        readonly apiKeys: ApiKeyVerifier
        readonly introspection?: never
        readonly issuers?: never
        readonly tenantCache?: never
        readonly issuer?: never
        readonly audience?: never
      })
  )

/** A verifier's options without opaque credentials: it only ever returns `JwtAuth`. */
export type JwtVerifierOptions<C extends object = object> = VerifierOptions<C> & { readonly introspection?: undefined; readonly apiKeys?: undefined }
