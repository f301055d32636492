/**
 * @module
 * `introspection` settings (RFC 7662): the public interface with its defaults, the schema
 * that validates it once, and its resolution to milliseconds.
 */
import { ConfigError } from '../errors/config-error.js'
import { toSeconds, type Duration } from '../lib/duration.js'
import { duration, httpUrl, nonEmptyString, options, positiveInt, v } from '../lib/schema.js'

/**
 * How the verifier authenticates to the introspection endpoint (RFC 7662 §2.1 requires some
 * authentication): `client_secret_basic` (RFC 6749 §2.3.1, HTTP Basic with the form-encoded id
 * and secret; the default) or `client_secret_post` (the two as form parameters).
 */
export type IntrospectionClientAuth = 'client_secret_basic' | 'client_secret_post'

/** The cache of introspection answers (`introspection.cache`). */
export interface IntrospectionCacheOptions {
  /**
   * Most tokens remembered, least recently used evicted first. Default 1000. Active answers and
   * refusals are counted apart (up to `max` of each), so a flood of made-up tokens cannot evict
   * the active answers.
   */
  readonly max?: number
  /**
   * Longest an active answer is reused; never past the token's `exp` (plus `clockTolerance`).
   * A token revoked at the authorization server is refused at the latest this long after.
   * Default `'1m'`.
   */
  readonly ttl?: Duration
  /** How long a refusal (`active: false`, a claim check that failed) is remembered. Default `'5s'`, at most `'1m'`. */
  readonly negativeTtl?: Duration
}

/**
 * RFC 7662 token introspection for opaque tokens (`introspection` option of `createVerifier`).
 *
 * @example
 * introspection: {
 *   endpoint: 'https://idp.example.com/oauth2/introspect',
 *   clientId: 'orders-api',
 *   clientSecret: process.env.INTROSPECTION_SECRET!,
 *   cache: { ttl: '30s' },
 * }
 */
export interface IntrospectionOptions {
  /** The introspection endpoint. Default: `introspection_endpoint` from the metadata, with `discovery`. */
  readonly endpoint?: string | URL
  /** This API's client id at the authorization server. */
  readonly clientId: string
  /** Its client secret. Never logged, never in an error or event. */
  readonly clientSecret: string
  /** Client authentication. Default `'client_secret_basic'`. */
  readonly clientAuth?: IntrospectionClientAuth
  /** Deadline for one introspection call, body included. Default `'5s'`. */
  readonly timeout?: Duration
  /** Largest response body accepted, in bytes. Default 65536. */
  readonly maxBytes?: number
  /** The answer cache (on by default); `false` asks the server on every request (still one call per token in flight). */
  readonly cache?: IntrospectionCacheOptions | false
}

/** The settings as the introspector uses them. */
export interface ResolvedIntrospection {
  /** `undefined`: found through discovery. */
  readonly endpoint: string | undefined
  readonly clientId: string
  readonly clientSecret: string
  readonly clientAuth: IntrospectionClientAuth
  readonly timeoutMs: number
  readonly maxBytes: number
  /** `undefined` when the cache is off. */
  readonly cache: { readonly max: number; readonly ttlMs: number; readonly negativeTtlMs: number } | undefined
}

export const INTROSPECTION_DEFAULTS = Object.freeze({ timeout: 5, maxBytes: 65_536, max: 1000, ttl: 60, negativeTtl: 5 })
/** The longest a refusal may be remembered: a token refused while the server was catching up must not stay refused. */
export const MAX_NEGATIVE_TTL = 60

const positiveDuration = (example: string) => v.pipe(duration(), v.check((d) => toSeconds(d) > 0, `must be more than 0, e.g. "${example}"`))

/** `introspection`, validated with the verifier's options. */
export const introspectionSchema = options(
  {
    endpoint: v.optional(httpUrl()),
    clientId: nonEmptyString('the client id of this API at the authorization server'),
    clientSecret: nonEmptyString('the client secret of this API at the authorization server'),
    clientAuth: v.optional(v.picklist(['client_secret_basic', 'client_secret_post'], "expected 'client_secret_basic' or 'client_secret_post'")),
    timeout: v.optional(positiveDuration('5s')),
    maxBytes: v.optional(positiveInt('a positive number of bytes, e.g. 65536')),
    cache: v.optional(
      v.union(
        [
          v.literal(false),
          options(
            {
              max: v.optional(positiveInt('a positive integer, e.g. 1000')),
              ttl: v.optional(positiveDuration('1m')),
              negativeTtl: v.optional(duration()),
            },
            'the cache settings { max, ttl, negativeTtl }',
          ),
        ],
        'expected false or { max, ttl, negativeTtl }',
      ),
    ),
  },
  'introspection settings: { endpoint, clientId, clientSecret, clientAuth?, timeout?, cache? }',
)

const ms = (value: Duration | undefined, fallback: number): number => (value === undefined ? fallback : toSeconds(value)) * 1000

/** Resolves validated settings once. */
export function resolveIntrospection(o: IntrospectionOptions): ResolvedIntrospection {
  const d = INTROSPECTION_DEFAULTS
  const cache = o.cache === false ? undefined : o.cache ?? {}
  if (cache?.negativeTtl !== undefined && toSeconds(cache.negativeTtl) > MAX_NEGATIVE_TTL) {
    throw new ConfigError('verifier', 'introspection.cache.negativeTtl', `at most ${MAX_NEGATIVE_TTL} seconds: a refusal is remembered for a few seconds only, e.g. "5s"`)
  }
  return Object.freeze({
    endpoint: o.endpoint === undefined ? undefined : new URL(o.endpoint).href,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    clientAuth: o.clientAuth ?? 'client_secret_basic',
    timeoutMs: ms(o.timeout, d.timeout),
    maxBytes: o.maxBytes ?? d.maxBytes,
    cache: cache && Object.freeze({ max: cache.max ?? d.max, ttlMs: ms(cache.ttl, d.ttl), negativeTtlMs: ms(cache.negativeTtl, d.negativeTtl) }),
  })
}
