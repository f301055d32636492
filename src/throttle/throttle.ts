/**
 * @module
 * Failed-authentication throttling (DESIGN.md "Seeing and stopping abuse"), once for every
 * adapter: after `maxFailures` failed authentications (401s) from one key within `window`,
 * every request from that key — a valid token too — is answered 429 `too_many_failures` with
 * `Retry-After`, without verifying anything, until the window ends. A success does not reset
 * the count. The adapters only say how to read a request's key (the client address, following
 * the framework's trust-proxy setting) and call `throttled()` around the verification.
 */
import { BearerError } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import { toSeconds, type Duration } from '../lib/duration.js'
import { duration, fn, options, parseOptions, positiveInt, v } from '../lib/schema.js'
import type { ThrottleEvent } from './events.js'
import { memoryThrottleStore } from './memory-store.js'
import type { ThrottleStore, ThrottleWindow } from './store.js'

/**
 * The `throttle` option of every adapter. `Req` is what the framework calls the request
 * (Express `req`, Fastify `request`, Hono `c`, Next `Request`).
 */
export interface ThrottleOptions<Req = never> {
  /** Where failures are counted. Default `memoryThrottleStore()` (this process only). */
  readonly store?: ThrottleStore
  /**
   * Failed authentications (401s, except a request with no credentials at all) from one key
   * that are answered normally within a window; every request after them gets 429 until the
   * window ends. Default 20.
   */
  readonly maxFailures?: number
  /** How long a window lasts, from the key's first failure in it. Default `'1m'`. */
  readonly window?: Duration
  /**
   * The key a request counts under; `undefined` leaves the request unthrottled. Default: the
   * client address as the framework knows it, following its own trust-proxy setting (Express
   * `trust proxy`, Fastify `trustProxy`, Koa `proxy`); Hono reads the connection's address
   * where the runtime gives one; Next.js has none, so `key` is required there. The key shows
   * up in `throttled` events and audit records: never make it a credential.
   */
  readonly key?: (req: Req) => string | undefined | null
}

/** Defaults, documented on `ThrottleOptions`. */
export const DEFAULT_MAX_FAILURES = 20
export const DEFAULT_THROTTLE_WINDOW = '1m'

/** A throttle, validated once at setup. */
export interface ResolvedThrottle<Req> {
  readonly store: ThrottleStore
  readonly maxFailures: number
  readonly windowMs: number
  readonly key: (req: Req) => string | undefined | null
}

const isStore = (s: unknown): s is ThrottleStore =>
  typeof s === 'object' && s !== null && typeof (s as ThrottleStore).get === 'function' && typeof (s as ThrottleStore).hit === 'function'

const schema = options(
  {
    store: v.optional(v.custom<ThrottleStore>(isStore, 'expected a ThrottleStore { get, hit }, e.g. memoryThrottleStore() or redisThrottleStore({ client })')),
    maxFailures: v.optional(positiveInt('a positive integer, e.g. 20')),
    window: v.optional(v.pipe(duration(), v.check((d) => toSeconds(d) >= 1, 'expected at least 1 second, e.g. "1m"'))),
    key: v.optional(fn<(req: unknown) => string | undefined>('a function (req) => string | undefined')),
  },
  'throttle settings { store?, maxFailures?, window?, key? }',
)

/**
 * Validates `throttle` once. `clientAddress` is the adapter's default key; an adapter that
 * cannot know the client's address passes `undefined`, and then `key` is required.
 */
export function resolveThrottle<Req>(
  adapter: string,
  input: ThrottleOptions<Req> | undefined,
  clientAddress: ((req: Req) => string | undefined) | undefined,
  noAddress = 'this framework gives no client address',
): ResolvedThrottle<Req> | undefined {
  if (input === undefined) return undefined
  const o = parseOptions(adapter, schema, input, ['throttle'])
  const key = (o.key as ((req: Req) => string | undefined | null) | undefined) ?? clientAddress
  if (key === undefined) throw new ConfigError(adapter, 'throttle.key', `${noAddress}: pass key, a function of the request returning the client's address`)
  return Object.freeze({
    store: o.store ?? memoryThrottleStore(),
    maxFailures: o.maxFailures ?? DEFAULT_MAX_FAILURES,
    windowMs: Math.round(toSeconds(o.window ?? DEFAULT_THROTTLE_WINDOW) * 1000),
    key,
  })
}

/** A failed authentication: a 401, except a request that sent no credentials (it guessed nothing). */
function isFailure(err: unknown): boolean {
  return BearerError.is(err) && err.status === 401 && err.reason !== 'token_missing'
}

const isThenable = <T>(value: T | Promise<T>): value is Promise<T> => typeof (value as Promise<T> | null)?.then === 'function'

const describe = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err))

/**
 * Runs `verify` for a request whose key is `key`, unless the key is over its limit (then a
 * 429 `too_many_failures` rejection, and `verify` never runs); counts the failure when
 * `verify` rejects with one. `report` receives `throttled` and `throttle_error` events.
 * A store failure never decides a request: it is reported and the request is verified.
 */
export function throttled<T>(
  t: ResolvedThrottle<never>,
  key: string,
  verify: () => Promise<T>,
  report: (event: ThrottleEvent) => void,
  route: string | undefined,
): Promise<T> {
  const run = (): Promise<T> =>
    verify().then(undefined, (err: unknown) => {
      if (!isFailure(err)) throw err
      return count(t, key, report).then(() => {
        throw err
      })
    })
  const decide = (window: ThrottleWindow | undefined): Promise<T> => {
    if (window === undefined || window.failures < t.maxFailures || !(window.resetMs > 0)) return run()
    const retryAfter = Math.max(1, Math.ceil(window.resetMs / 1000))
    report({ type: 'throttled', key, failures: window.failures, retryAfter, route })
    return Promise.reject(new BearerError('too_many_failures', { retryAfter }))
  }
  const storeDown = (err: unknown): Promise<T> => {
    report({ type: 'throttle_error', operation: 'get', error: describe(err) })
    return run()
  }
  let window: ThrottleWindow | undefined | Promise<ThrottleWindow | undefined>
  try {
    window = t.store.get(key)
  } catch (err) {
    return storeDown(err)
  }
  return isThenable(window) ? window.then(decide, storeDown) : decide(window)
}

/** Counts one failure; the answer waits for it, so the client's next request sees it. */
async function count(t: ResolvedThrottle<never>, key: string, report: (event: ThrottleEvent) => void): Promise<void> {
  try {
    await t.store.hit(key, t.windowMs)
  } catch (err) {
    report({ type: 'throttle_error', operation: 'hit', error: describe(err) })
  }
}
