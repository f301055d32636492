/**
 * @module
 * `tokengate/redis`: Redis-backed stores for `createIssuer`, so many API instances share
 * refresh families and revocations, DPoP proofs are refused as replays everywhere, and a
 * key-set store for verifiers (`keyStore`) shares fetched JWKS across instances and cold
 * starts. Needs the optional peer dependency `ioredis`.
 */
export { redisStore, type RedisStoreOptions } from './redis-store.js'
export { redisKeyStore, type RedisKeyStoreOptions } from './redis-key-store.js'
export { redisReplayStore, type RedisReplayStoreOptions } from './replay-store.js'
