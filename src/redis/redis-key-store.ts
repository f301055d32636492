/**
 * @module
 * `redisKeyStore`: remote key sets in Redis (`keyStore`), so every instance, and every cold
 * start, verifies with a set one of them fetched.
 */
import type { Redis } from 'ioredis'
import { ConfigError } from '../errors/config-error.js'
import type { KeyStore } from '../keys/key-store.js'

/** Options of `redisKeyStore`. */
export interface RedisKeyStoreOptions {
  /** An ioredis client (`{ enableOfflineQueue: false, maxRetriesPerRequest: 1 }` fails fast in outages). */
  readonly client: Redis
  /** Prefix of every key. Default `'tokengate:'`. */
  readonly prefix?: string
}

/**
 * A `KeyStore` on Redis: one string per key source, expiring with the set's stale bound. A
 * cold start that finds Redis slow or down waits at most 1 s for it, then fetches as usual.
 *
 * Import from `tokengate/redis`.
 *
 * @example
 * import Redis from 'ioredis'
 * const client = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
 * createVerifier({ issuer, audience, jwksUri, keyStore: redisKeyStore({ client }) })
 */
export function redisKeyStore(options: RedisKeyStoreOptions): KeyStore {
  if (typeof options !== 'object' || options === null) throw new ConfigError('redisKeyStore', 'options', 'expected { client, prefix? }')
  const { client, prefix = 'tokengate:' } = options
  if (typeof client?.get !== 'function' || typeof client.set !== 'function') throw new ConfigError('redisKeyStore', 'client', 'expected an ioredis client')
  if (typeof prefix !== 'string') throw new ConfigError('redisKeyStore', 'prefix', 'expected a string')
  return {
    get: (key) => client.get(prefix + key),
    set: (key, value, ttlSeconds) => client.set(prefix + key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds))),
  }
}
