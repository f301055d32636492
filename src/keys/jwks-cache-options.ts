/**
 * @module
 * Remote key cache settings (`jwksCache`), their defaults, and their resolution to
 * milliseconds once, when the key source is built.
 */
import { toSeconds, type Duration } from '../lib/duration.js'

/** Bounds for the lifetime a JWKS response advertises through `Cache-Control` / `Expires`. */
export interface CacheControlBounds {
  /** Shortest lifetime taken from headers (`max-age=0`, `no-cache` become this). Default `'1m'`. */
  readonly min?: Duration
  /** Longest lifetime taken from headers, so a withdrawn key stops being trusted in time. Default `'1h'`. */
  readonly max?: Duration
}

/**
 * Remote JWKS cache settings (`jwksCache` option, or the second argument of `remoteJwks`).
 *
 * @example
 * jwksCache: { maxAge: '10m', cooldown: '30s', staleIfError: '24h', timeout: '5s', maxBytes: 1_048_576 }
 */
export interface RemoteJwksOptions {
  /** How long a fetched set is fresh when the response has no `Cache-Control: max-age` / `Expires`. Default `'10m'`. */
  readonly maxAge?: Duration
  /** Least time between fetch attempts caused by unknown `kid`s or by a failed fetch. Default `'30s'`. */
  readonly cooldown?: Duration
  /** How long past its freshness the last good set keeps verifying while refreshes fail. Default `'24h'`; 0 disables. */
  readonly staleIfError?: Duration
  /** Deadline for one fetch, body included. Default `'5s'`. */
  readonly timeout?: Duration
  /** Largest response body accepted, in bytes. Default 1 MiB. */
  readonly maxBytes?: number
  /** Honour `Cache-Control` / `Expires` within these bounds; `false` ignores them (always `maxAge`). Default `{ min: '1m', max: '1h' }`. */
  readonly cacheControl?: CacheControlBounds | false
}

/** The settings in milliseconds, derived once. */
export interface ResolvedCacheOptions {
  readonly maxAgeMs: number
  readonly cooldownMs: number
  readonly staleIfErrorMs: number
  readonly timeoutMs: number
  readonly maxBytes: number
  /** `undefined` when headers are ignored. */
  readonly bounds: { readonly minMs: number; readonly maxMs: number } | undefined
}

export const JWKS_CACHE_DEFAULTS = Object.freeze({
  maxAge: 600,
  cooldown: 30,
  staleIfError: 86_400,
  timeout: 5,
  maxBytes: 1_048_576,
  cacheControl: Object.freeze({ min: 60, max: 3600 }),
})

function ms(value: Duration | undefined, fallback: number, where: string): number {
  let seconds: number
  try {
    seconds = value === undefined ? fallback : toSeconds(value)
  } catch {
    seconds = Number.NaN
  }
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new TypeError(`jwksCache.${where}: expected seconds or a duration such as "30s", got ${JSON.stringify(value)}`)
  }
  return seconds * 1000
}

/** Resolves and checks the settings; a mistake is a `TypeError` naming the setting. */
export function resolveCacheOptions(o: RemoteJwksOptions = {}): ResolvedCacheOptions {
  const d = JWKS_CACHE_DEFAULTS
  const maxBytes = o.maxBytes ?? d.maxBytes
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) throw new TypeError('jwksCache.maxBytes: expected a positive integer')
  const timeoutMs = ms(o.timeout, d.timeout, 'timeout')
  if (timeoutMs === 0) throw new TypeError('jwksCache.timeout: must be more than 0')
  let bounds: ResolvedCacheOptions['bounds']
  if (o.cacheControl !== false) {
    const minMs = ms(o.cacheControl?.min, d.cacheControl.min, 'cacheControl.min')
    const maxMs = ms(o.cacheControl?.max, d.cacheControl.max, 'cacheControl.max')
    if (minMs > maxMs) throw new TypeError('jwksCache.cacheControl: min is greater than max')
    bounds = { minMs, maxMs }
  }
  return Object.freeze({
    maxAgeMs: ms(o.maxAge, d.maxAge, 'maxAge'),
    cooldownMs: ms(o.cooldown, d.cooldown, 'cooldown'),
    staleIfErrorMs: ms(o.staleIfError, d.staleIfError, 'staleIfError'),
    timeoutMs,
    maxBytes,
    bounds,
  })
}
