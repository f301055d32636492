/**
 * @module
 * The API key store seam: where `createApiKeys` keeps records (hashes, never keys) and counts
 * rate-limit windows. `memoryApiKeyStore()` (one process) and `redisApiKeyStore()` from
 * `tokengate/redis` (shared by every instance) implement it; both pass
 * test/apikeys/store-contract.ts.
 */

/** One key as a store keeps it. Times are NumericDates (seconds). */
export interface StoredApiKey {
  readonly id: string
  /** SHA-256 of the key, base64url: the only trace of the key anywhere. */
  readonly hash: string
  readonly name: string
  readonly owner?: string | undefined
  readonly scopes: readonly string[]
  readonly createdAt: number
  readonly expiresAt?: number | undefined
  readonly lastUsedAt?: number | undefined
  readonly revokedAt?: number | undefined
  /** The key `rotate` replaced this one with. */
  readonly rotatedTo?: string | undefined
  /** Its own limit: `points` per `duration` seconds. */
  readonly rateLimit?: { readonly points: number; readonly duration: number } | undefined
  /** Extra claims (JSON values). */
  readonly claims?: Readonly<Record<string, unknown>> | undefined
}

/** What `update` may change. */
export interface ApiKeyChanges {
  readonly expiresAt?: number
  readonly revokedAt?: number
  readonly rotatedTo?: string
  readonly lastUsedAt?: number
}

/**
 * Where API key records live. Every method may reject (an outage): verification then answers
 * 503 `api_key_store_unavailable`, never 200.
 */
export interface ApiKeyStore {
  /** Adds a record; rejects if its id exists (ids are random: a clash is a bug or an attack). */
  insert(record: StoredApiKey): Promise<void>
  /** The record with this id, or `undefined`. */
  get(id: string): Promise<StoredApiKey | undefined>
  /** Changes a record; resolves `false` when there is none with this id. */
  update(id: string, changes: ApiKeyChanges): Promise<boolean>
  /** Every record, or those of one owner. */
  list(owner?: string): Promise<StoredApiKey[]>
  /**
   * Counts one request of key `id` in the window that starts at `windowStart` (ms, on the
   * caller's clock) and lasts `windowMs`; resolves with the count so far, this one included.
   */
  hit(id: string, windowStart: number, windowMs: number): Promise<number>
}
