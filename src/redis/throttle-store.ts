/**
 * @module
 * `redisThrottleStore`: the adapters' failure counts in Redis, shared by every instance. One
 * key per throttled client (`<prefix><key>`): a counter whose expiry is its window. A failure
 * is one Lua script (INCR, PEXPIRE on the first, PTTL), so concurrent failures on any number of
 * instances all count and the window starts exactly once; a read is GET + PTTL in one script.
 */
import type { Redis } from 'ioredis'
import { ConfigError } from '../errors/config-error.js'
import { toSeconds, type Duration } from '../lib/duration.js'
import type { ThrottleStore, ThrottleWindow } from '../throttle/store.js'
import { scriptRunner } from './script-runner.js'

/** Options of `redisThrottleStore`. */
export interface RedisThrottleStoreOptions {
  /**
   * An ioredis client. For fast failure during outages create it with
   * `{ enableOfflineQueue: false, maxRetriesPerRequest: 1 }`.
   */
  readonly client: Redis
  /** Prefix of every Redis key. Default `'tokengate:throttle:'`. */
  readonly prefix?: string
  /**
   * Longest wait for one store operation; beyond it the request is answered as if there were
   * no throttle (and a `throttle_error` event says so). Default `'250ms'`.
   */
  readonly timeout?: Duration
}

/** KEYS: counter. ARGV: window (ms). Returns { failures, ms left }; a counter left without expiry gets one. */
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { n, ttl }
`

/** KEYS: counter. Returns { failures, ms left }, or false when there is no window. */
const GET = `
local n = redis.call('GET', KEYS[1])
if not n then return false end
return { tonumber(n), redis.call('PTTL', KEYS[1]) }
`

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function windowOf(reply: unknown): ThrottleWindow | undefined {
  if (!Array.isArray(reply)) return undefined
  const [failures, resetMs] = reply.map(Number)
  return Number.isFinite(failures) && Number.isFinite(resetMs) && resetMs! > 0 ? { failures: failures!, resetMs: resetMs! } : undefined
}

/**
 * A `ThrottleStore` on Redis: every instance given the same Redis and prefix shares the counts,
 * so a client's failures count against it wherever they land. Windows live on Redis's clock.
 *
 * Import from `tokengate/redis`.
 *
 * @example
 * import Redis from 'ioredis'
 * const client = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
 * app.use(bearer({ issuer, audience, jwksUri, throttle: { store: redisThrottleStore({ client }), maxFailures: 20, window: '1m' } }))
 */
export function redisThrottleStore(options: RedisThrottleStoreOptions): ThrottleStore {
  const invalid = (option: string, message: string): never => {
    throw new ConfigError('redisThrottleStore', option, message)
  }
  if (typeof options !== 'object' || options === null) invalid('options', 'expected { client, prefix?, timeout? }')
  const { client, prefix = 'tokengate:throttle:', timeout = '250ms' } = options
  if (typeof client?.evalsha !== 'function' || typeof client.eval !== 'function') invalid('client', 'expected an ioredis client')
  if (typeof prefix !== 'string') invalid('prefix', 'expected a string')
  let timeoutMs = NaN
  try {
    timeoutMs = toSeconds(timeout) * 1000
  } catch {
    invalid('timeout', 'expected e.g. 0.25, "250ms", "1s"')
  }
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) invalid('timeout', 'must be positive, e.g. "250ms"')

  const hit = scriptRunner(client, HIT)
  const get = scriptRunner(client, GET)
  return {
    get: async (key) => windowOf(await withTimeout(get([prefix + key], []), timeoutMs)),
    async hit(key, windowMs) {
      const window = windowOf(await withTimeout(hit([prefix + key], [Math.max(1, Math.round(windowMs))]), timeoutMs))
      if (window === undefined) throw new Error('Redis answered the throttle script with something else than [failures, ttl]')
      return window
    },
  }
}
