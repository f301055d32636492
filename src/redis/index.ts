/**
 * @module
 * `tokengate/redis`: Redis-backed stores for `createIssuer`, so many API instances share
 * refresh families and revocations, and a key-set store for verifiers (`keyStore`), so they
 * share fetched JWKS across instances and cold starts. Needs the optional peer dependency `ioredis`.
 */
export { redisStore, type RedisStoreOptions } from './redis-store.js'
export { redisKeyStore, type RedisKeyStoreOptions } from './redis-key-store.js'
