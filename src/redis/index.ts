/**
 * @module
 * `tokengate/redis`: Redis-backed stores for `createIssuer`, so many API instances share
 * refresh families and revocations. Needs the optional peer dependency `ioredis`.
 */
export { redisStore, type RedisStoreOptions } from './redis-store.js'
