/**
 * @module
 * The verifier's options, validated once at construction and normalised into
 * `ParsedVerifierOptions`: the key source as a discriminated union, durations in seconds,
 * defaults applied. Every mistake is a `ConfigError` naming the option.
 */
import { DEFAULT_REALM } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import { ALGORITHMS, type Algorithm } from '../keys/algorithms.js'
import { jwksCacheSchema, type RemoteJwksOptions } from '../keys/jwks-cache-options.js'
import { sharedSecretSchema } from '../keys/key-material.js'
import type { KeySourceFactory } from '../keys/key-source.js'
import type { JSONWebKeySet } from '../keys/local-jwks.js'
import { DEFAULT_SCOPE_CLAIMS, type ScopeClaim } from '../scopes/parse.js'
import { isStandardSchema, type ClaimsSchema } from '../claims/schema.js'
import { DEFAULT_REVOCATION_TIMEOUT_MS, type IsRevoked } from '../revocation/hook.js'
import { toSeconds } from '../lib/duration.js'
import type { JwtClaims } from '../lib/result.js'
import { duration, fn, httpUrl, nonEmptyString, options, parseOptions, positiveInt, stringOrList, v, type InferOutput } from '../lib/schema.js'
import { DEFAULT_MAX_TOKEN_SIZE, MAX_MAX_TOKEN_SIZE } from './authorization-header.js'
import type { VerifierEvent, VerifierOptions } from './options.js'
import { DEFAULT_CACHE_MAX } from './verified-token-cache.js'

/** Default leeway for `exp`, `nbf` and `iat`, in seconds. */
export const DEFAULT_CLOCK_TOLERANCE = 5

/**
 * The largest `clockTolerance`, in seconds: 5 minutes, the most any common stack defaults to.
 * Beyond it the leeway stops being clock skew and silently extends every token's life (a
 * tolerance given in milliseconds, 30000, would accept tokens 8 hours past `exp`).
 */
const MAX_CLOCK_TOLERANCE = 300

/** Where a tenant's keys come from: exactly one of the key-source options. */
export type KeySourceSpec =
  | { readonly kind: 'jwksUri'; readonly url: string | URL }
  | { readonly kind: 'discovery'; readonly url: string | URL | undefined }
  | { readonly kind: 'jwks'; readonly set: JSONWebKeySet }
  | { readonly kind: 'secret'; readonly secret: string | Uint8Array }
  | { readonly kind: 'keys'; readonly factory: KeySourceFactory }

/** One trusted issuer (or the single configuration), before its keys are built. */
export interface ParsedTenant {
  /** The dotted path of this entry in the options, for errors (`''` or `'issuers.1.'`). */
  readonly where: string
  readonly issuer: string | readonly string[] | null
  readonly audience: string | readonly string[] | null
  readonly algorithms: readonly Algorithm[] | undefined
  readonly keys: KeySourceSpec
}

/** The options as the rest of `createVerifier` uses them. */
export interface ParsedVerifierOptions {
  /** The single configuration, or one entry per `issuers` element. */
  readonly tenants: readonly ParsedTenant[]
  readonly multiIssuer: boolean
  /** Seconds. */
  readonly clockTolerance: number
  readonly typ: readonly string[] | undefined
  readonly requiredClaims: readonly string[]
  readonly claims: ClaimsSchema<unknown> | undefined
  readonly scopeClaims: readonly ScopeClaim[]
  readonly isRevoked: IsRevoked<JwtClaims> | undefined
  /** Milliseconds. */
  readonly revocationTimeoutMs: number
  readonly now: () => number
  readonly realm: string
  readonly maxTokenSize: number
  readonly fetch: typeof fetch
  readonly jwksCache: RemoteJwksOptions
  readonly onEvent: ((event: VerifierEvent) => void) | undefined
  readonly cacheMax: number | undefined
}

const KEY_SOURCES = ['jwksUri', 'discovery', 'jwks', 'secret', 'keys'] as const

const issuerOrAudience = (what: string) => v.nullable(stringOrList(what))
const algorithmList = v.pipe(
  v.array(v.picklist(ALGORITHMS, `expected one of ${ALGORITHMS.join(', ')}`), 'expected a list of algorithms, e.g. ["RS256"]'),
  v.minLength(1, 'expected at least one algorithm, e.g. ["RS256"]'),
)
const keySourceEntries = {
  jwksUri: v.optional(httpUrl()),
  discovery: v.optional(v.union([v.literal(true), httpUrl()], 'expected true (derive the metadata URL from issuer) or the metadata URL')),
  jwks: v.optional(options({ keys: v.array(v.looseObject({}, 'expected a JWK (an object)'), 'expected an array of JWKs') }, 'a JWK Set: { keys: [...] }')),
  secret: v.optional(sharedSecretSchema('verifier')),
  keys: v.optional(fn<KeySourceFactory>('a key source factory, e.g. remoteJwks(url)')),
}

const issuerEntry = options(
  {
    issuer: nonEmptyString('the exact "iss" value, e.g. "https://idp.example.com/"'),
    audience: v.optional(issuerOrAudience('the accepted "aud" value(s), or null to skip the check')),
    algorithms: v.optional(algorithmList),
    ...keySourceEntries,
  },
  'an issuer entry: { issuer, jwksUri | jwks | secret | discovery | keys }',
)

const schema = options({
  issuer: v.optional(issuerOrAudience('the accepted "iss" value(s), e.g. "https://idp.example.com/", or null to skip the check')),
  audience: v.optional(issuerOrAudience('the accepted "aud" value(s), e.g. "https://api.example.com", or null to skip the check')),
  issuers: v.optional(v.pipe(v.array(issuerEntry, 'expected a list of issuer entries'), v.minLength(1, 'expected at least one issuer entry'))),
  ...keySourceEntries,
  algorithms: v.optional(algorithmList),
  clockTolerance: v.optional(
    v.pipe(
      duration(),
      v.check(
        (d) => toSeconds(d) <= MAX_CLOCK_TOLERANCE,
        `at most ${MAX_CLOCK_TOLERANCE} seconds ("5m"): a larger leeway accepts expired tokens for that long. It is in seconds, not milliseconds; e.g. 5 or "30s"`,
      ),
    ),
  ),
  typ: v.optional(stringOrList('a token type such as "at+jwt", or a list of them')),
  requiredClaims: v.optional(v.array(nonEmptyString('a claim name'), 'expected a list of claim names')),
  claims: v.optional(v.custom<ClaimsSchema<unknown>>(isStandardSchema, 'expected a Standard Schema (zod 4, valibot, arktype, ...) for the custom claims')),
  scopeClaims: v.optional(
    v.pipe(v.array(v.picklist(DEFAULT_SCOPE_CLAIMS, `expected some of ${DEFAULT_SCOPE_CLAIMS.join(', ')}`)), v.minLength(1, 'expected at least one claim')),
  ),
  isRevoked: v.optional(fn<IsRevoked<JwtClaims>>('a function (claims, context) => boolean | Promise<boolean>')),
  revocationTimeout: v.optional(v.pipe(duration(), v.check((d) => toSeconds(d) > 0, 'expected a positive duration, e.g. "5s"'))),
  now: v.optional(fn<() => number>('a clock in milliseconds, like Date.now')),
  realm: v.optional(nonEmptyString('the realm of the challenge, e.g. "api"')),
  maxTokenSize: v.optional(
    v.pipe(
      positiveInt('a number of characters from 64 to 65536'),
      v.minValue(64, 'expected a number of characters of at least 64'),
      v.maxValue(MAX_MAX_TOKEN_SIZE, `expected at most ${MAX_MAX_TOKEN_SIZE} characters (64 KiB): larger credentials do not belong in a header`),
    ),
  ),
  fetch: v.optional(fn<typeof fetch>('a fetch function')),
  jwksCache: v.optional(jwksCacheSchema),
  onEvent: v.optional(fn<(event: VerifierEvent) => void>('an event listener (event) => void')),
  cache: v.optional(
    v.union([v.literal(false), options({ max: v.optional(positiveInt('a positive integer, e.g. 1000')) }, 'the cache settings { max }')], 'expected false or { max: a positive integer }'),
  ),
}, 'verifier options: { issuer, audience, jwksUri | jwks | secret | discovery | keys }')

type Input = InferOutput<typeof schema>
type KeySourceInput = Pick<Input, (typeof KEY_SOURCES)[number]>

function keySourceOf(input: KeySourceInput, where: string, issuer: Input['issuer']): KeySourceSpec {
  const given = KEY_SOURCES.filter((k) => input[k] !== undefined)
  if (given.length !== 1) {
    throw new ConfigError(
      'verifier',
      where === '' ? 'options' : where.slice(0, -1),
      given.length === 0 ? `one key source is required: ${KEY_SOURCES.join(', ')}` : `only one key source may be given, got ${given.join(' and ')}`,
    )
  }
  if (input.discovery !== undefined) {
    // Discovery checks the metadata against one issuer, so it needs exactly one; as a URL when derived from it.
    if (typeof issuer !== 'string') throw new ConfigError('verifier', `${where}discovery`, 'needs a single `issuer` string to check the metadata against')
    if (input.discovery === true && !(URL.canParse(issuer) && /^https?:$/.test(new URL(issuer).protocol) && !/[?#]/.test(issuer))) {
      throw new ConfigError('verifier', `${where}issuer`, 'discovery: true needs an http(s) issuer URL without query or fragment')
    }
    return { kind: 'discovery', url: input.discovery === true ? undefined : input.discovery }
  }
  if (input.jwksUri !== undefined) return { kind: 'jwksUri', url: input.jwksUri }
  if (input.jwks !== undefined) return { kind: 'jwks', set: input.jwks }
  if (input.secret !== undefined) return { kind: 'secret', secret: input.secret }
  return { kind: 'keys', factory: input.keys! }
}

const REQUIRED = 'required (a string, a list, or null to skip the check)'

/** Validates the verifier's options once and normalises them; a mistake is a `ConfigError`. */
export function parseVerifierOptions(input: VerifierOptions<object>): ParsedVerifierOptions {
  const o = parseOptions('verifier', schema, input)
  let tenants: ParsedTenant[]
  if (o.issuers !== undefined) {
    for (const k of ['issuer', ...KEY_SOURCES] as const) {
      if (o[k] !== undefined) throw new ConfigError('verifier', k, 'give it per entry of `issuers`, not beside it')
    }
    const seen = new Set<string>()
    tenants = o.issuers.map((entry, i) => {
      const where = `issuers.${i}.`
      if (seen.has(entry.issuer)) throw new ConfigError('verifier', `${where}issuer`, 'listed twice')
      seen.add(entry.issuer)
      const audience = entry.audience === undefined ? o.audience : entry.audience
      if (audience === undefined) throw new ConfigError('verifier', `${where}audience`, `${REQUIRED}, here or at the top level`)
      return { where, issuer: entry.issuer, audience, algorithms: entry.algorithms ?? o.algorithms, keys: keySourceOf(entry, where, entry.issuer) }
    })
  } else {
    const keys = keySourceOf(o, '', o.issuer)
    if (o.issuer === undefined) throw new ConfigError('verifier', 'issuer', REQUIRED)
    if (o.audience === undefined) throw new ConfigError('verifier', 'audience', REQUIRED)
    tenants = [{ where: '', issuer: o.issuer, audience: o.audience, algorithms: o.algorithms, keys }]
  }
  return {
    tenants,
    multiIssuer: o.issuers !== undefined,
    clockTolerance: o.clockTolerance === undefined ? DEFAULT_CLOCK_TOLERANCE : toSeconds(o.clockTolerance),
    typ: o.typ === undefined ? undefined : typeof o.typ === 'string' ? [o.typ] : o.typ,
    requiredClaims: Object.freeze([...(o.requiredClaims ?? [])]),
    claims: o.claims,
    scopeClaims: Object.freeze([...(o.scopeClaims ?? DEFAULT_SCOPE_CLAIMS)]),
    isRevoked: o.isRevoked,
    revocationTimeoutMs: o.revocationTimeout === undefined ? DEFAULT_REVOCATION_TIMEOUT_MS : toSeconds(o.revocationTimeout) * 1000,
    now: o.now ?? Date.now,
    realm: o.realm ?? DEFAULT_REALM,
    maxTokenSize: o.maxTokenSize ?? DEFAULT_MAX_TOKEN_SIZE,
    fetch: o.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    jwksCache: o.jwksCache ?? {},
    onEvent: o.onEvent,
    cacheMax: o.cache === false ? undefined : (o.cache?.max ?? DEFAULT_CACHE_MAX),
  }
}
