/**
 * @module
 * `tokengate/redis`: Redis-backed stores for `createIssuer`, so many API instances share
 * refresh families and revocations, and for the adapters' `throttle`, so they share failure
 * counts. Needs the optional peer dependency `ioredis`.
 */
export { redisStore, type RedisStoreOptions } from './redis-store.js'
export { redisThrottleStore, type RedisThrottleStoreOptions } from './throttle-store.js'
