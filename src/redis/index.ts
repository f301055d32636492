/**
 * @module
 * `tokengate/redis`: Redis-backed stores, so many API instances share state: refresh families
 * and revocations for `createIssuer` (`redisStore`), DPoP proofs refused as replays everywhere
 * (`redisReplayStore`), API keys and their rate-limit windows for `createApiKeys`
 * (`redisApiKeyStore`), fetched key sets for verifiers (`redisKeyStore`, the `keyStore`
 * option), failure counts of the adapters' `throttle` (`redisThrottleStore`). Needs the
 * optional peer dependency `ioredis`.
 */
export { redisStore, type RedisStoreOptions } from './redis-store.js'
export { redisReplayStore, type RedisReplayStoreOptions } from './replay-store.js'
export { redisApiKeyStore, type RedisApiKeyStoreOptions } from './api-key-store.js'
export { redisKeyStore, type RedisKeyStoreOptions } from './redis-key-store.js'
export { redisThrottleStore, type RedisThrottleStoreOptions } from './throttle-store.js'
