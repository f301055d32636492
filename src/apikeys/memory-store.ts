/**
 * @module
 * `memoryApiKeyStore`: API key records and rate-limit windows in this process. For one
 * instance, tests and development; keys created here exist nowhere else and are gone on
 * restart. Bounded: it refuses a key beyond `max` rather than forget one.
 */
import { LRUCache } from 'lru-cache'
import { ConfigError } from '../errors/config-error.js'
import type { ApiKeyChanges, ApiKeyStore, StoredApiKey } from './store.js'

/** Options of `memoryApiKeyStore`. */
export interface MemoryApiKeyStoreOptions {
  /** Most keys kept (revoked and expired ones count until the process ends). Default 10000. */
  readonly max?: number
}

const DEFAULT_MAX = 10_000

/**
 * An in-memory `ApiKeyStore`: the default of `createApiKeys`.
 *
 * Import from `tokengate/apikeys`.
 *
 * @example
 * const apiKeys = createApiKeys({ prefix: 'acme', store: memoryApiKeyStore({ max: 1000 }) })
 */
export function memoryApiKeyStore(options: MemoryApiKeyStoreOptions = {}): ApiKeyStore {
  const max = options?.max ?? DEFAULT_MAX
  if (!Number.isSafeInteger(max) || max < 1) throw new ConfigError('memoryApiKeyStore', 'max', 'expected a positive integer, e.g. 10000')
  const records = new Map<string, StoredApiKey>()
  // One window per key at a time is all that matters; older ones are evicted or expire.
  const windows = new LRUCache<string, { start: number; count: number }>({ max, ttlResolution: 0 })

  return {
    async insert(record) {
      if (records.has(record.id)) throw new Error(`an API key with id ${record.id} exists`)
      if (records.size >= max) throw new Error(`memoryApiKeyStore is full (max ${max} keys)`)
      records.set(record.id, Object.freeze({ ...record, scopes: Object.freeze([...record.scopes]) }))
    },
    async get(id) {
      return records.get(id)
    },
    async update(id, changes: ApiKeyChanges) {
      const record = records.get(id)
      if (!record) return false
      records.set(id, Object.freeze({ ...record, ...changes }))
      return true
    },
    async list(owner) {
      return [...records.values()].filter((r) => owner === undefined || r.owner === owner)
    },
    async hit(id, windowStart, windowMs) {
      const current = windows.get(id)
      if (current && current.start === windowStart) {
        current.count++
        return current.count
      }
      windows.set(id, { start: windowStart, count: 1 }, { ttl: windowMs })
      return 1
    },
  }
}
