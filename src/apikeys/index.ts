/**
 * @module
 * `tokengate/apikeys`: API keys for service-to-service calls. `createApiKeys({ prefix, store })`
 * mints keys shown once and stored as hashes, verifies, rotates, revokes and lists them; give it
 * to `createVerifier({ apiKeys })` and one middleware accepts JWTs and keys alike. Runs on Node
 * and edge runtimes (WebCrypto); `redisApiKeyStore` in `tokengate/redis` shares keys between
 * instances.
 */
export {
  createApiKeys,
  type ApiKeyRateLimit,
  type ApiKeys,
  type ApiKeysOptions,
  type CreateApiKeyInput,
  type CreatedApiKey,
  type RotateApiKeyOptions,
} from './create-api-keys.js'
export { memoryApiKeyStore, type MemoryApiKeyStoreOptions } from './memory-store.js'
export type { ApiKeyChanges, ApiKeyStore, StoredApiKey } from './store.js'
export type { ApiKeyVerifier } from './verifier.js'
export type { ApiKeyInfo } from '../lib/result.js'
