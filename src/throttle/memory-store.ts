/**
 * @module
 * `memoryThrottleStore`: failure counts in this process (one instance, or per isolate on edge
 * runtimes), bounded by an LRU, with no timers: a window is judged by its end time on every read.
 */
import { LRUCache } from 'lru-cache'
import { ConfigError } from '../errors/config-error.js'
import { fn, options, parseOptions, positiveInt, v } from '../lib/schema.js'
import type { ThrottleStore, ThrottleWindow } from './store.js'

/** Options of `memoryThrottleStore`. */
export interface MemoryThrottleStoreOptions {
  /**
   * Most keys counted at once; beyond it the least recently failed key is forgotten (its count
   * starts over). Default 10000.
   */
  readonly max?: number
  /** Clock in milliseconds, like `Date.now`. For tests. */
  readonly now?: () => number
}

const DEFAULT_MAX = 10_000

/** The memory store: a `ThrottleStore` that always answers synchronously. */
export interface MemoryThrottleStore extends ThrottleStore {
  get(key: string): ThrottleWindow | undefined
  hit(key: string, windowMs: number): ThrottleWindow
}

interface Entry {
  failures: number
  /** Milliseconds, on the store's clock. */
  readonly endsAt: number
}

const schema = options(
  { max: v.optional(positiveInt('a positive integer, e.g. 10000')), now: v.optional(fn<() => number>('a clock in milliseconds, like Date.now')) },
  'memoryThrottleStore options: { max?, now? }',
)

/**
 * An in-memory `ThrottleStore`: the default of every adapter's `throttle`. Counts live in
 * this process only; with several instances, use `redisThrottleStore` from `tokengate/redis`.
 *
 * Import from `tokengate`.
 *
 * @example
 * app.use(bearer({ issuer, audience, jwksUri, throttle: { store: memoryThrottleStore({ max: 50_000 }), maxFailures: 10, window: '5m' } }))
 */
export function memoryThrottleStore(input: MemoryThrottleStoreOptions = {}): MemoryThrottleStore {
  if (typeof input !== 'object' || input === null) throw new ConfigError('memoryThrottleStore', 'options', 'expected { max?, now? }')
  const o = parseOptions('memoryThrottleStore', schema, input)
  const now = o.now ?? Date.now
  // No ttl: lru-cache would start a timer per check resolution; expiry is read from `endsAt`.
  const windows = new LRUCache<string, Entry>({ max: o.max ?? DEFAULT_MAX, ttlResolution: 0 })

  const current = (key: string, t: number): Entry | undefined => {
    const entry = windows.get(key)
    if (entry === undefined || entry.endsAt > t) return entry
    windows.delete(key)
    return undefined
  }
  const view = (entry: Entry, t: number): ThrottleWindow => ({ failures: entry.failures, resetMs: entry.endsAt - t })

  return {
    get(key) {
      const t = now()
      const entry = current(key, t)
      return entry === undefined ? undefined : view(entry, t)
    },
    hit(key, windowMs) {
      const t = now()
      let entry = current(key, t)
      if (entry === undefined) {
        entry = { failures: 0, endsAt: t + windowMs }
        windows.set(key, entry)
      }
      entry.failures++
      return view(entry, t)
    },
  }
}
