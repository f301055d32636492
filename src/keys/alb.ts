/**
 * @module
 * AWS Application Load Balancer keys (`albKeys`, the `alb` preset): ALB signs the
 * `x-amzn-oidc-data` token with ES256 and publishes each key alone, as a PEM public key at
 * `https://public-keys.auth.elb.{region}.amazonaws.com/{kid}` — a URL shared by every ALB of
 * the region. So before any key is fetched the header `signer` must be one of your ALBs
 * (AWS's guidance since the 2024 "ALBeast" report: any ALB's key verifies against that URL),
 * and `client` one of your client ids when given. Fetches are bounded: the `kid` must be a
 * UUID, each kid has its own cache (single flight, cooldown, stale if error: `jwks-cache.ts`
 * through the loader seam), an unknown kid's 404/403 is remembered for the cooldown, and at
 * most `newKidFetches` kids never seen before are fetched per cooldown.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html#user-claims-encoding
 */
import { LRUCache } from 'lru-cache'
import { BearerError } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import { own } from '../lib/own.js'
import { nonEmptyString, options as strictOptions, parseOptions, positiveInt, stringOrList, v } from '../lib/schema.js'
import { fetchJson, FetchFailure } from './fetch-json.js'
import { createJwksCache, type JwksCache, type JwksLoader } from './jwks-cache.js'
import { jwksCacheSchema, resolveCacheOptions, type RemoteJwksOptions } from './jwks-cache-options.js'
import type { KeySet } from './key-set.js'
import type { KeySource, KeySourceFactory } from './key-source.js'
import { pemToJwk, PemError } from './pem.js'
import { loadJwk, type VerificationKey } from './verification-key.js'

/** Options of `albKeys`. */
export interface AlbKeysOptions {
  /** The ARN(s) of your load balancer(s): the header `signer` must be one. Required. */
  readonly albArn: string | readonly string[]
  /** Region of the key endpoint. Default: the region of `albArn` (all ARNs must share one). */
  readonly region?: string
  /**
   * Where keys are fetched from, as `{url}/{kid}`. Default
   * `https://public-keys.auth.elb.{region}.amazonaws.com`; GovCloud publishes them at
   * `https://s3-us-gov-west-1.amazonaws.com/aws-elb-public-keys-prod-us-gov-west-1` (and east).
   */
  readonly url?: string | URL
  /** The client id(s) of the ALB's OIDC configuration: the header `client` must be one. Default: not checked. */
  readonly clientId?: string | readonly string[]
  /** Cache settings of each key (`cooldown` is also how long an unknown kid is remembered). Default: the JWKS defaults. */
  readonly cache?: RemoteJwksOptions
  /** Most kids held (known and unknown), least recently used evicted first. Default 64. */
  readonly maxKeys?: number
  /** Most kids never seen before fetched per `cooldown`; past it such tokens get 503, not a fetch. Default 10. */
  readonly newKidFetches?: number
}

// arn:{partition}:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{id}
const ALB_ARN = /^arn:aws(?:-[a-z]+)*:elasticloadbalancing:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:loadbalancer\/app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{1,32}$/
// ALB key ids are UUIDs; anything else is never put into a URL.
const KID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const schema = strictOptions(
  {
    albArn: stringOrList('the ARN of your load balancer, e.g. "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188"'),
    region: v.optional(nonEmptyString('an AWS region such as "eu-west-1"')),
    url: v.optional(v.custom<string | URL>((x) => (typeof x === 'string' && URL.canParse(x)) || x instanceof URL, 'expected the http(s) URL keys are fetched under')),
    clientId: v.optional(stringOrList('the client id of the ALB OIDC configuration')),
    cache: v.optional(jwksCacheSchema),
    maxKeys: v.optional(positiveInt('a positive number of keys, e.g. 64')),
    newKidFetches: v.optional(positiveInt('a positive number of fetches, e.g. 10')),
  },
  'ALB key options: { albArn, region?, url?, clientId? }',
)

const list = (x: string | readonly string[]): readonly string[] => (typeof x === 'string' ? [x] : x)

/** The validated options: the ARNs, the base URL, the client ids. */
function resolve(input: AlbKeysOptions): { arns: ReadonlySet<string>; base: string; clients: ReadonlySet<string> | undefined } {
  const o = parseOptions('alb', schema, input)
  const arns = list(o.albArn)
  const regions = new Set<string>()
  arns.forEach((arn, i) => {
    const match = ALB_ARN.exec(arn)
    if (!match) throw new ConfigError('alb', typeof o.albArn === 'string' ? 'albArn' : `albArn.${i}`, 'expected an application load balancer ARN, arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}/{id}')
    regions.add(match[1]!)
  })
  if (regions.size > 1) throw new ConfigError('alb', 'albArn', `all load balancers must be in one region (keys are per region), got ${[...regions].join(', ')}`)
  const region = o.region ?? [...regions][0]!
  if (o.region !== undefined && !regions.has(o.region)) throw new ConfigError('alb', 'region', `the load balancers are in ${[...regions][0]}, not ${o.region}`)
  let base: string
  if (o.url !== undefined) {
    const url = new URL(o.url)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('alb', 'url', `expected an http(s) URL, got a ${url.protocol} URL`)
    base = url.href.replace(/\/+$/, '')
  } else {
    base = `https://public-keys.auth.elb.${region}.amazonaws.com`
  }
  return { arns: new Set(arns), base, clients: o.clientId === undefined ? undefined : new Set(list(o.clientId)) }
}

/** A kid whose key endpoint answered "no such key" (404, or S3's 403). */
const notFound = (err: unknown): boolean => {
  const cause = BearerError.is(err) ? err.cause : err
  return cause instanceof FetchFailure && cause.code === 'http_status' && (cause.status === 404 || cause.status === 403)
}

/**
 * A key source for AWS ALB's `x-amzn-oidc-data` tokens (what the `alb` preset uses). Checks
 * the header `signer` (and `client`) before any key is fetched, then fetches the PEM key of
 * the token's `kid`, each kid cached like a JWKS.
 *
 * Import from `tokengate`.
 *
 * @example
 * createVerifier({ issuer: null, audience: null, header: 'x-amzn-oidc-data', allowPadding: true, algorithms: ['ES256'],
 *   keys: albKeys({ albArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188' }) })
 */
export function albKeys(options: AlbKeysOptions): KeySourceFactory {
  const { arns, base, clients } = resolve(options)
  const cacheOptions = resolveCacheOptions(options.cache ?? {}, 'alb')
  const max = options.maxKeys ?? 64
  const budget = options.newKidFetches ?? 10
  return (ctx): KeySource => {
    const caches = new LRUCache<string, JwksCache>({ max, ttlResolution: 0 })
    // When the current window of new-kid fetches opened, and how many it has used.
    let windowStart = -Infinity
    let windowFetches = 0

    function cacheFor(kid: string): JwksCache {
      const url = `${base}/${kid}`
      const loader: JwksLoader = {
        label: () => url,
        maxDurationMs: () => cacheOptions.timeoutMs,
        async load() {
          const response = await fetchJson(url, { fetch: ctx.fetch, timeoutMs: cacheOptions.timeoutMs, maxBytes: cacheOptions.maxBytes, accept: 'application/x-pem-file, text/plain;q=0.9', parse: 'text' })
          let key: VerificationKey
          try {
            const loaded = loadJwk({ ...pemToJwk(response.body as string), kid }, ctx.algorithms)
            if ('skipped' in loaded) throw new FetchFailure('no_usable_keys', loaded.skipped, url)
            key = loaded.key
          } catch (err) {
            if (err instanceof PemError) throw new FetchFailure('not_jwks', `not a PEM public key: ${err.message}`, url)
            throw err
          }
          const set: KeySet = { keys: [key], skipped: [], byKid: new Map([[kid, [key]]]) }
          return { set, uri: url, status: response.status, headers: response.headers }
        },
      }
      return createJwksCache(ctx, cacheOptions, loader)
    }

    /** The cache of a kid, or `undefined` when a new kid is over the fetch budget of this cooldown. */
    function existingOrNew(kid: string): JwksCache | undefined {
      let cache = caches.get(kid)
      if (cache) return cache
      const t = ctx.now()
      if (t - windowStart >= cacheOptions.cooldownMs) {
        windowStart = t
        windowFetches = 0
      }
      if (windowFetches >= budget) {
        ctx.onEvent({ type: 'jwks_cooldown', uri: `${base}/{kid}`, retryIn: Math.max(0, Math.round((windowStart + cacheOptions.cooldownMs - t) / 1000)) })
        return undefined
      }
      windowFetches++
      cache = cacheFor(kid)
      caches.set(kid, cache)
      return cache
    }

    function pick(set: KeySet, kid: string, alg: string): VerificationKey {
      const key = set.byKid.get(kid)?.[0]
      if (!key) throw new BearerError('kid_not_found')
      if (!key.algorithms.has(alg as never)) throw new BearerError('alg_not_allowed', { message: 'The token algorithm does not match its key' })
      return key
    }

    return {
      getKey(header, alg) {
        // ALBeast: the key URL serves every ALB of the region; only the signer ties the token to yours.
        // Own members only, as every header read: a polluted prototype names no signer.
        const signer = own(header, 'signer')
        if (typeof signer !== 'string' || !arns.has(signer)) {
          throw new BearerError('issuer_invalid', { claim: 'signer', message: 'The token was not signed by the expected load balancer' })
        }
        const client = own(header, 'client')
        if (clients !== undefined && (typeof client !== 'string' || !clients.has(client))) {
          throw new BearerError('audience_invalid', { claim: 'client', message: 'The token was issued for another client' })
        }
        const kid = own(header, 'kid')
        if (kid === undefined) throw new BearerError('kid_missing')
        if (typeof kid !== 'string' || !KID.test(kid)) throw new BearerError('kid_not_found')
        const cache = existingOrNew(kid)
        if (!cache) throw new BearerError('jwks_unavailable')
        const fresh = cache.fresh()
        if (fresh) return pick(fresh, kid, alg)
        return cache.current().then(
          (set) => pick(set, kid, alg),
          (err: unknown) => {
            // "No such key" is the token's fault (401), remembered for the cooldown; anything else is an outage (503).
            if (notFound(err)) throw new BearerError('kid_not_found', { cause: BearerError.is(err) ? err.cause : err })
            throw err
          },
        )
      },
    }
  }
}
