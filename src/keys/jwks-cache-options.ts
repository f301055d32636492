/**
 * @module
 * Remote key cache settings (`jwksCache`), their defaults, and their resolution to
 * milliseconds once, when the key source is built.
 */
import { toSeconds, type Duration } from '../lib/duration.js'
import { duration, options, parseOptions, positiveInt, v } from '../lib/schema.js'

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

/** `jwksCache`, validated here only: by the verifier's options and by `remoteJwks()` alike. */
export const jwksCacheSchema = options({
  maxAge: v.optional(duration()),
  cooldown: v.optional(duration()),
  staleIfError: v.optional(duration()),
  timeout: v.optional(v.pipe(duration(), v.check((d) => toSeconds(d) > 0, 'must be more than 0, e.g. "5s"'))),
  maxBytes: v.optional(positiveInt('a positive number of bytes, e.g. 1_048_576')),
  cacheControl: v.optional(
    v.union(
      [
        v.literal(false),
        v.pipe(
          options({ min: v.optional(duration()), max: v.optional(duration()) }),
          v.check((b) => toSeconds(b.min ?? JWKS_CACHE_DEFAULTS.cacheControl.min) <= toSeconds(b.max ?? JWKS_CACHE_DEFAULTS.cacheControl.max), 'min is greater than max'),
        ),
      ],
      'expected false (ignore Cache-Control) or { min, max } durations',
    ),
  ),
}, 'jwksCache settings, e.g. { maxAge: "10m", cooldown: "30s" }')

const ms = (value: Duration | undefined, fallback: number): number => (value === undefined ? fallback : toSeconds(value)) * 1000

/**
 * Validates and resolves the settings once; a mistake is a `ConfigError` naming the setting
 * (`jwksCache.timeout`, ...).
 */
export function resolveCacheOptions(input: RemoteJwksOptions = {}, component = 'verifier'): ResolvedCacheOptions {
  const o = parseOptions(component, jwksCacheSchema, input, ['jwksCache'])
  const d = JWKS_CACHE_DEFAULTS
  const bounds =
    o.cacheControl === false
      ? undefined
      : { minMs: ms(o.cacheControl?.min, d.cacheControl.min), maxMs: ms(o.cacheControl?.max, d.cacheControl.max) }
  return Object.freeze({
    maxAgeMs: ms(o.maxAge, d.maxAge),
    cooldownMs: ms(o.cooldown, d.cooldown),
    staleIfErrorMs: ms(o.staleIfError, d.staleIfError),
    timeoutMs: ms(o.timeout, d.timeout),
    maxBytes: o.maxBytes ?? d.maxBytes,
    bounds,
  })
}
