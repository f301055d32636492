/**
 * @module
 * `redisReplayStore`: the `jti` of accepted DPoP proofs in Redis, so a proof used on one
 * instance is refused on every other. One `SET key 1 PX ttl NX` per proof: atomic in Redis,
 * so of any number of concurrent uses of one proof, on any number of instances, exactly one
 * sets the key.
 */
import type { Redis } from 'ioredis'
import { ConfigError } from '../errors/config-error.js'
import type { ReplayStore } from '../binding/replay-store.js'
import { toSeconds, type Duration } from '../lib/duration.js'
import { evictionCheck } from './eviction.js'

/** Options of `redisReplayStore`. */
export interface RedisReplayStoreOptions {
  /**
   * An ioredis client. For fast failure during outages create it with
   * `{ enableOfflineQueue: false, maxRetriesPerRequest: 1 }`: a failed or late answer is a 503
   * (`replay_store_unavailable`), never a pass.
   */
  readonly client: Redis
  /** Prefix of every key. Default `'tokengate:dpop:'`. */
  readonly prefix?: string
  /** Longest wait for Redis; beyond it the request fails with 503. Default `'1s'`. */
  readonly timeout?: Duration
}

function invalid(option: string, message: string): never {
  throw new ConfigError('redisReplayStore', option, message)
}

/**
 * A DPoP `ReplayStore` on Redis (standalone, Sentinel, or Cluster: one key per command).
 * The Redis must not evict keys: with a `maxmemory` and a `maxmemory-policy` other than
 * `noeviction`, every request with a proof fails closed (503 `replay_store_unavailable`).
 * Give it to `createVerifier({ dpop: { replayStore } })` on every instance.
 *
 * Import from `tokengate/redis`.
 *
 * @example
 * import Redis from 'ioredis'
 * const client = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
 * const verifier = createVerifier({ issuer, audience, jwksUri, dpop: { replayStore: redisReplayStore({ client }) } })
 */
export function redisReplayStore(options: RedisReplayStoreOptions): ReplayStore {
  if (typeof options !== 'object' || options === null) invalid('options', 'expected { client, prefix?, timeout? }')
  const { client, prefix = 'tokengate:dpop:', timeout = '1s' } = options
  if (typeof client?.set !== 'function') invalid('client', 'expected an ioredis client')
  if (typeof prefix !== 'string') invalid('prefix', 'expected a string')
  let timeoutMs = NaN
  try {
    timeoutMs = toSeconds(timeout) * 1000
  } catch {
    invalid('timeout', 'expected e.g. 0.5, "500ms", "1s"')
  }
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) invalid('timeout', 'must be positive')

  // An evicted jti lets its proof be replayed: on a Redis that may evict, every add fails closed.
  const safe = evictionCheck(client)
  return {
    async add(jti, ttlSeconds) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs)
      })
      try {
        // The jti is the client's string: kept as is (bounded by the verifier to 256 characters).
        const set = safe().then(() => client.set(`${prefix}${jti}`, '1', 'PX', Math.max(1000, Math.ceil(ttlSeconds * 1000)), 'NX'))
        const reply = await Promise.race([set, late])
        return reply === 'OK'
      } finally {
        clearTimeout(timer)
      }
    },
  }
}
