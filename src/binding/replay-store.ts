/**
 * @module
 * Where the `jti` of every accepted DPoP proof is remembered for as long as the proof could
 * be accepted (RFC 9449 §11.1), so a replayed proof is refused. In memory by default (one
 * process, bounded); `redisReplayStore` from `tokengate/redis` shares it across instances.
 */
import { LRUCache } from 'lru-cache'
import { ConfigError } from '../errors/config-error.js'

/**
 * The replay store seam. `add` must be atomic across everything sharing the store: of any
 * number of concurrent calls with one `jti`, exactly one resolves `true`.
 */
export interface ReplayStore {
  /**
   * Records `jti` for `ttlSeconds`. Resolves `true` when it was not there (first use),
   * `false` when it was (a replay). A throw or rejection answers 503 `replay_store_unavailable`.
   */
  add(jti: string, ttlSeconds: number): boolean | Promise<boolean>
}

/** Options of `memoryReplayStore`. */
export interface MemoryReplayStoreOptions {
  /**
   * Most proofs remembered. Beyond it the oldest are forgotten before their proofs expire
   * (their replays would then pass), so size it for the proofs one `dpop.maxAge` brings: at
   * 1 000 DPoP requests per second and a 60 s window, 70 000. Default 100 000 (a few MB when
   * full; memory grows with traffic only).
   */
  readonly max?: number
}

/**
 * An in-memory `ReplayStore`, the default of `dpop.replayStore`: one process only; several
 * instances behind one URL need a shared store (`redisReplayStore`).
 *
 * Import from `tokengate`.
 *
 * @example
 * createVerifier({ issuer, audience, jwksUri, dpop: { replayStore: memoryReplayStore({ max: 200_000 }) } })
 */
export function memoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  const max = options.max ?? 100_000
  if (!Number.isSafeInteger(max) || max < 1) throw new ConfigError('memoryReplayStore', 'max', 'expected a positive integer, e.g. 100_000')
  // ttlResolution 0: no 1 ms timer per TTL check (see verified-token-cache.ts).
  const seen = new LRUCache<string, true>({ max, ttlResolution: 0 })
  return {
    add(jti, ttlSeconds) {
      // Synchronous: nothing runs between the look-up and the set, so it is atomic in-process.
      if (seen.has(jti)) return false
      seen.set(jti, true, { ttl: Math.max(1000, Math.ceil(ttlSeconds * 1000)) })
      return true
    },
  }
}
