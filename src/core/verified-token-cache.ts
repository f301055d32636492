/**
 * @module
 * The verified-token cache (`cache` option): a bounded LRU, one per verifier, of tokens that
 * passed the format, signature and claim checks, so a token seen again skips the signature.
 * An entry answers only for the exact `Authorization` value it was stored for: the whole value
 * is compared on every hit, so there is no hash and no collision (fast-jwt's cache-key CVEs).
 * It is found by the value's last characters (the end of the signature): hashing a fresh
 * 800-character header string for a Map costs about 1 µs, more than the rest of a hit.
 * On every hit the pipeline looks the key up again (a withdrawn or refetched key ends the
 * entry) and re-checks time, scopes and revocation; failures are never stored.
 */
import { LRUCache } from 'lru-cache'
import type { JwtAuth } from '../lib/result.js'
import type { Algorithm } from '../keys/algorithms.js'
import type { KeySource } from '../keys/key-source.js'
import type { VerificationKey } from '../keys/verification-key.js'

/** Entries kept by default. Each holds the token string and its parsed claims. */
export const DEFAULT_CACHE_MAX = 1000

/** A token that passed steps 1–4 of the pipeline, ready to be answered again. */
export interface VerifiedToken {
  /** The frozen result every hit returns. */
  readonly auth: JwtAuth
  /** The payload as signed (before the claims schema): what time is re-checked against. */
  readonly payload: Record<string, unknown>
  /** Where the key came from, the key that verified the signature, and for which algorithm: */
  readonly keys: KeySource
  /** a hit looks the key up again and counts only while the source still returns this one. */
  readonly key: VerificationKey
  readonly alg: Algorithm
}

/** What the pipeline needs of the cache. */
export interface VerifiedTokenCache {
  get(authorization: string): VerifiedToken | undefined
  /** Keeps `entry` for at most `seconds` (the token's remaining life). */
  set(authorization: string, entry: VerifiedToken, seconds: number): void
  delete(authorization: string): void
}

/** Characters at the end of the value that find its entry: 192 bits of signature for a JWS. */
const FINDER_CHARS = 32

const finder = (authorization: string): string =>
  authorization.length <= FINDER_CHARS ? authorization : authorization.slice(-FINDER_CHARS)

interface Entry {
  /** The whole value this entry answers for. */
  readonly authorization: string
  readonly verified: VerifiedToken
}

/**
 * A verified-token cache holding at most `max` tokens, least recently used evicted first.
 *
 * @example
 * const cache = createVerifiedTokenCache(DEFAULT_CACHE_MAX)
 */
export function createVerifiedTokenCache(max: number): VerifiedTokenCache {
  // ttlResolution 0: no 1 ms timer per TTL check, which a Workers request can end before,
  // freezing the cache's clock so entries never expire (test/edge/lru-cache.test.ts).
  const lru = new LRUCache<string, Entry>({ max, ttlResolution: 0 })
  return {
    get: (authorization) => {
      const entry = lru.get(finder(authorization))
      // Another value with the same ending (a forged payload under a copied signature, say)
      // is simply not found: it is verified in full, and a failure is never stored.
      return entry !== undefined && entry.authorization === authorization ? entry.verified : undefined
    },
    set: (authorization, verified, seconds) => {
      // The pipeline re-checks exp on every hit with the verifier's clock; this ttl only
      // frees the memory of a token past its exp sooner than eviction would.
      const ttl = Math.ceil(seconds * 1000)
      if (ttl <= 0) return
      const entry: Entry = { authorization, verified }
      if (Number.isSafeInteger(ttl)) lru.set(finder(authorization), entry, { ttl })
      else lru.set(finder(authorization), entry)
    },
    delete: (authorization) => {
      const key = finder(authorization)
      if (lru.peek(key)?.authorization === authorization) lru.delete(key)
    },
  }
}
