/**
 * @module
 * `tokengate/redis`: Redis-backed stores for `createIssuer`, so many API instances share
 * refresh families and revocations, DPoP proofs are refused as replays everywhere, and the
 * adapters' `throttle` shares failure counts. Needs the optional peer dependency `ioredis`.
 */
export { redisStore, type RedisStoreOptions } from './redis-store.js'
export { redisReplayStore, type RedisReplayStoreOptions } from './replay-store.js'
export { redisThrottleStore, type RedisThrottleStoreOptions } from './throttle-store.js'
