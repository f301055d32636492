/**
 * @module
 * The public types of `tokengate/apikeys`: the options of `createApiKeys`, what `create` and
 * `rotate` take and give, and the `ApiKeys` object.
 */
import type { Duration } from '../lib/duration.js'
import type { ApiKeyInfo } from '../lib/result.js'
import type { ApiKeyStore } from './store.js'
import type { ApiKeyVerifier } from './verifier.js'

/** A rate limit: at most `points` requests per `duration` for each key (fixed windows). */
export interface ApiKeyRateLimit {
  readonly points: number
  /** The window: seconds, or a string such as `'1m'`. */
  readonly duration: Duration
}

/** Options of `createApiKeys`. */
export interface ApiKeysOptions {
  /**
   * What every key starts with (before a `_`), so people, logs and secret scanners can tell
   * your keys apart: lower-case letters and digits, `_`-separated words, e.g. `'acme'` or
   * `'acme_live'`. Verifiers route keys by it.
   */
  readonly prefix: string
  /** Where records live. Default `memoryApiKeyStore()` (this process only). */
  readonly store?: ApiKeyStore
  /** A limit for every key (a key's own `rateLimit` overrides it); exceeded → 429 with `Retry-After`. Default none. */
  readonly rateLimit?: ApiKeyRateLimit
  /** Clock in milliseconds, like `Date.now`. For tests. Anything but a finite number fails closed: 503 `verifier_misconfigured`. */
  readonly now?: () => number
}

/** What `create` takes. */
export interface CreateApiKeyInput {
  /** A label for people, e.g. `'billing export'`. */
  readonly name: string
  /** Scopes the key grants. Default none. */
  readonly scopes?: readonly string[]
  /** Lifetime, e.g. `'90d'`. Default: no expiry. */
  readonly expiresIn?: Duration
  /** Who the key acts for: `auth.claims.sub`, and what `list(owner)` selects by. */
  readonly owner?: string
  /** Extra claims for `auth.claims` (JSON values; not `sub`, `jti`, `iat`, `exp`, `scope`). */
  readonly claims?: Readonly<Record<string, unknown>>
  /** This key's own limit, overriding the default. */
  readonly rateLimit?: ApiKeyRateLimit
}

/** A new key: its record plus the key itself, which is never shown again. */
export interface CreatedApiKey extends ApiKeyInfo {
  /** The key: give it to its user now; only its hash is kept. */
  readonly key: string
}

/** What `rotate` takes. */
export interface RotateApiKeyOptions {
  /** How long the old key keeps working (it never gains time). Default: it stops at once. */
  readonly overlap?: Duration
  /** Lifetime of the new key. Default: as long as the old one's was. */
  readonly expiresIn?: Duration
}

/** API keys: `create`, `verify`, `rotate`, `revoke`, `get`, `list`. Give it to `createVerifier({ apiKeys })`. */
export interface ApiKeys extends ApiKeyVerifier {
  /** Mints a key: the only time the key is returned. */
  create(input: CreateApiKeyInput): Promise<CreatedApiKey>
  /**
   * Resolves with the key's record, or rejects with a `BearerError`: `api_key_invalid`,
   * `api_key_expired`, `api_key_revoked`, `api_key_rate_limited` (429, `retryAfter`) or
   * `api_key_store_unavailable` (503).
   */
  verify(key: string): Promise<ApiKeyInfo>
  /** Replaces a key with a new one (same name, owner, scopes, claims and limit). */
  rotate(id: string, options?: RotateApiKeyOptions): Promise<CreatedApiKey>
  /** Revokes a key at once; `false` when there is no key with this id. Revoking twice keeps the first time. */
  revoke(id: string): Promise<boolean>
  /** One key's record, or `undefined`. */
  get(id: string): Promise<ApiKeyInfo | undefined>
  /** The records of every key, or of one owner's: never the keys, never their hashes. */
  list(owner?: string): Promise<ApiKeyInfo[]>
}
