/**
 * @module
 * `tokengate/redis`: Redis-backed stores for `createIssuer`, so many API instances share
 * refresh families and revocations, and DPoP proofs are refused as replays everywhere. Needs
 * the optional peer dependency `ioredis`.
 */
export { redisStore, type RedisStoreOptions } from './redis-store.js'
export { redisReplayStore, type RedisReplayStoreOptions } from './replay-store.js'
