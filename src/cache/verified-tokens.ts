/**
 * @module
 * The verified-token cache (`cache` option): a bounded LRU, one per verifier, of tokens that
 * passed the format, signature and claim checks, so a token seen again skips the signature.
 * It is keyed by the exact `Authorization` value, so an entry can only ever answer for the
 * very token that was verified (no hash, so no collision). Time, scopes and revocation are
 * checked again on every hit by the pipeline; failures are never stored.
 */
import { LRUCache } from 'lru-cache'
import type { BearerAuth } from '../core/result.js'

/** Entries kept by default. Each holds the token string and its parsed claims. */
export const DEFAULT_CACHE_MAX = 1000

/**
 * Longest time an entry lives, whatever the token's `exp`, in seconds: a key removed from the
 * key set stops vouching for cached tokens within this bound.
 */
export const MAX_CACHE_ENTRY_SECONDS = 600

/** A token that passed steps 1–4 of the pipeline, ready to be answered again. */
export interface VerifiedToken {
  /** The frozen result every hit returns. */
  readonly auth: BearerAuth
  /** The payload as signed (before the claims schema): what time is re-checked against. */
  readonly payload: Record<string, unknown>
}

/** What the pipeline needs of the cache. */
export interface VerifiedTokenCache {
  get(authorization: string): VerifiedToken | undefined
  /** Keeps `entry` for at most `seconds` (and `MAX_CACHE_ENTRY_SECONDS`). */
  set(authorization: string, entry: VerifiedToken, seconds: number): void
  delete(authorization: string): void
}

/**
 * A verified-token cache holding at most `max` tokens, least recently used evicted first.
 *
 * @example
 * const cache = createVerifiedTokenCache(DEFAULT_CACHE_MAX)
 */
export function createVerifiedTokenCache(max: number): VerifiedTokenCache {
  const lru = new LRUCache<string, VerifiedToken>({ max })
  return {
    get: (authorization) => lru.get(authorization),
    set: (authorization, entry, seconds) => {
      const ttl = Math.ceil(Math.min(seconds, MAX_CACHE_ENTRY_SECONDS) * 1000)
      if (ttl > 0) lru.set(authorization, entry, { ttl })
    },
    delete: (authorization) => {
      lru.delete(authorization)
    },
  }
}
