/**
 * @module
 * The verifier's options, validated once at construction and normalised into
 * `ParsedVerifierOptions`: the key source as a discriminated union, durations in seconds,
 * defaults applied. Every mistake is a `ConfigError` naming the option.
 */
import { DEFAULT_REALM } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import { ALGORITHMS, type Algorithm } from '../keys/algorithms.js'
import { parseDpop, type ParsedDpopOptions } from '../binding/dpop-options.js'
import { jwksCacheSchema, type RemoteJwksOptions } from '../keys/jwks-cache-options.js'
import { sharedSecretSchema } from '../keys/key-material.js'
import type { KeySourceFactory } from '../keys/key-source.js'
import type { JSONWebKeySet } from '../keys/local-jwks.js'
import { isKeyStore, type KeyStore } from '../keys/key-store.js'
import type { PublicKeyInput } from '../keys/public-key.js'
import { DEFAULT_SCOPE_CLAIMS, type ScopeClaim } from '../scopes/parse.js'
import { DEFAULT_ROLE_CLAIMS } from '../scopes/roles.js'
import { parseClaimPath, type ClaimPathInput } from '../lib/claim-path.js'
import { isStandardSchema, type ClaimsSchema } from '../claims/schema.js'
import { claimValueRules, type ClaimValueRule, type ClaimValueRules } from '../claims/values.js'
import { DEFAULT_REVOCATION_TIMEOUT_MS, type IsRevoked } from '../revocation/hook.js'
import { toSeconds } from '../lib/duration.js'
import type { JwtClaims } from '../lib/result.js'
import { bool, duration, fn, httpUrl, nonEmptyString, options, parseOptions, positiveInt, stringOrList, v, type InferOutput } from '../lib/schema.js'
import { DEFAULT_MAX_TOKEN_SIZE, MAX_MAX_TOKEN_SIZE } from './authorization-header.js'
import type { IssuerResolver, VerifierEvent, VerifierOptions } from './options.js'
import type { TenantCacheSettings } from './tenants.js'
import { consoleLogger, type VerifierLogger } from './hints.js'
import { DEFAULT_CACHE_MAX } from './verified-token-cache.js'
import { introspectionSchema, resolveIntrospection, type ResolvedIntrospection } from '../introspection/options.js'
import { isApiKeyVerifier, type ApiKeyVerifier } from '../apikeys/verifier.js'

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
  | { readonly kind: 'publicKey'; readonly key: PublicKeyInput }
  | { readonly kind: 'x509Uri'; readonly url: string | URL }

/** One trusted issuer (or the single configuration), before its keys are built. */
export interface ParsedTenant {
  /** The dotted path of this entry in the options, for errors (`''` or `'issuers.1.'`). */
  readonly where: string
  readonly issuer: string | readonly string[] | null
  readonly audience: string | readonly string[] | null
  readonly algorithms: readonly Algorithm[] | undefined
  readonly keys: KeySourceSpec
}

/** `introspection`, resolved; with `discovery` instead of an endpoint, where to find it. */
export interface ParsedIntrospection {
  readonly settings: ResolvedIntrospection
  readonly discovery: { readonly issuer: string; readonly url: string | URL | undefined } | undefined
  /** Checks of an active response's `iss` and `aud` (the single configuration's). */
  readonly issuer: string | readonly string[] | null
  readonly audience: string | readonly string[] | null
}

/** The options as the rest of `createVerifier` uses them. */
export interface ParsedVerifierOptions {
  /** The single configuration, or one entry per `issuers` element; empty with a resolver, or when only opaque credentials are accepted. */
  readonly tenants: readonly ParsedTenant[]
  readonly multiIssuer: boolean
  /** The `issuers` resolver, when one is given. */
  readonly resolver: IssuerResolver | undefined
  /** Its cache (defaults applied). */
  readonly tenantCache: TenantCacheSettings
  /** Turns an entry the resolver returned into a tenant, or throws a `ConfigError`. */
  readonly parseResolvedEntry: (entry: unknown) => ParsedTenant
  /** Seconds. */
  readonly clockTolerance: number
  readonly typ: readonly string[] | undefined
  readonly requiredClaims: readonly string[]
  readonly claimValues: ClaimValueRules
  /** Seconds, or `undefined` for no limit. */
  readonly maxTokenAge: number | undefined
  readonly claims: ClaimsSchema<unknown> | undefined
  readonly scopeClaims: readonly ScopeClaim[]
  /** Role claim paths, as segments. */
  readonly roleClaims: readonly (readonly string[])[]
  readonly isRevoked: IsRevoked<JwtClaims> | undefined
  /** Milliseconds. */
  readonly revocationTimeoutMs: number
  readonly now: () => number
  readonly realm: string
  /** Lower-case header name; `authorization` unless configured. */
  readonly header: string
  readonly allowPadding: boolean
  readonly maxTokenSize: number
  readonly fetch: typeof fetch
  readonly jwksCache: RemoteJwksOptions
  readonly keyStore: KeyStore | undefined
  readonly onEvent: ((event: VerifierEvent) => void) | undefined
  /** `undefined` when silenced (`logger: false`). */
  readonly logger: VerifierLogger | undefined
  readonly cacheMax: number | undefined
  readonly acceptBoundAsBearer: boolean
  readonly dpop: ParsedDpopOptions | undefined
  readonly resourceMetadata: string | undefined
  readonly introspection: ParsedIntrospection | undefined
  readonly apiKeys: ApiKeyVerifier | undefined
  readonly parallel: boolean
}

const KEY_SOURCES = ['jwksUri', 'discovery', 'jwks', 'secret', 'keys', 'publicKey', 'x509Uri'] as const

const claimScalar = v.union([v.string(), v.number(), v.boolean()], 'expected a string, number or boolean')
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
  publicKey: v.optional(
    v.custom<PublicKeyInput>((x) => typeof x === 'string' || (typeof x === 'object' && x !== null), 'expected a PEM public key or certificate (a string), a KeyObject or a CryptoKey'),
  ),
  x509Uri: v.optional(httpUrl()),
}

const issuerEntry = options(
  {
    issuer: nonEmptyString('the exact "iss" value, e.g. "https://idp.example.com/"'),
    audience: v.optional(issuerOrAudience('the accepted "aud" value(s), or null to skip the check')),
    algorithms: v.optional(algorithmList),
    ...keySourceEntries,
  },
  'an issuer entry: { issuer, jwksUri | jwks | secret | discovery | publicKey | x509Uri | keys }',
)

const schema = options({
  issuer: v.optional(issuerOrAudience('the accepted "iss" value(s), e.g. "https://idp.example.com/", or null to skip the check')),
  audience: v.optional(issuerOrAudience('the accepted "aud" value(s), e.g. "https://api.example.com", or null to skip the check')),
  issuers: v.optional(
    // Chosen by the input's type (not a union), so an entry's own error reaches the user.
    v.lazy((input) =>
      typeof input === 'function'
        ? fn<IssuerResolver>()
        : v.pipe(
            v.array(issuerEntry, 'expected a list of issuer entries, or a resolver (iss) => entry | undefined'),
            v.minLength(1, 'expected at least one issuer entry'),
          ),
    ),
  ),
  tenantCache: v.optional(
    options(
      {
        max: v.optional(positiveInt('a positive number of issuers, e.g. 1000')),
        ttl: v.optional(v.pipe(duration(), v.check((d) => toSeconds(d) > 0, 'must be more than 0, e.g. "1h"'))),
        negativeTtl: v.optional(duration()),
      },
      'the tenant cache settings { max, ttl, negativeTtl }',
    ),
  ),
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
  claimValues: v.optional(
    v.record(
      nonEmptyString('a claim name'),
      v.union(
        [claimScalar, v.pipe(v.array(claimScalar), v.minLength(1, 'expected at least one value')), fn<(value: unknown) => boolean>()],
        'expected a value (string, number, boolean), a list of values, or a predicate (value) => boolean',
      ),
      'expected { claim: value | [values] | (value) => boolean }',
    ),
  ),
  maxTokenAge: v.optional(v.pipe(duration(), v.check((d) => toSeconds(d) > 0, 'must be more than 0, e.g. "1h"'))),
  claims: v.optional(v.custom<ClaimsSchema<unknown>>(isStandardSchema, 'expected a Standard Schema (zod 4, valibot, arktype, ...) for the custom claims')),
  scopeClaims: v.optional(
    v.pipe(
      v.array(
        v.picklist(DEFAULT_SCOPE_CLAIMS, (issue) =>
          issue.input === 'permissions'
            ? 'permissions are not scopes: check them with requirePermissions() (auth.permissions)'
            : `expected some of ${DEFAULT_SCOPE_CLAIMS.join(', ')}`,
        ),
      ),
      v.minLength(1, 'expected at least one claim'),
    ),
  ),
  roleClaims: v.optional(v.array(v.custom<ClaimPathInput>((x) => typeof x === 'string' || Array.isArray(x), 'expected a claim path such as "realm_access.roles"'), 'expected a list of claim paths, e.g. ["roles"]')),
  isRevoked: v.optional(fn<IsRevoked<JwtClaims>>('a function (claims, context) => boolean | Promise<boolean>')),
  revocationTimeout: v.optional(v.pipe(duration(), v.check((d) => toSeconds(d) > 0, 'expected a positive duration, e.g. "5s"'))),
  now: v.optional(fn<() => number>('a clock in milliseconds, like Date.now')),
  realm: v.optional(nonEmptyString('the realm of the challenge, e.g. "api"')),
  header: v.optional(
    v.pipe(
      v.string('expected a header name, e.g. "x-amzn-oidc-data"'),
      v.check((h) => /^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(h), 'expected a lower-case header name (RFC 9110 token), e.g. "x-amzn-oidc-data"'),
    ),
  ),
  allowPadding: v.optional(bool()),
  maxTokenSize: v.optional(
    v.pipe(
      positiveInt('a number of characters from 64 to 65536'),
      v.minValue(64, 'expected a number of characters of at least 64'),
      v.maxValue(MAX_MAX_TOKEN_SIZE, `expected at most ${MAX_MAX_TOKEN_SIZE} characters (64 KiB): larger credentials do not belong in a header`),
    ),
  ),
  fetch: v.optional(fn<typeof fetch>('a fetch function')),
  jwksCache: v.optional(jwksCacheSchema),
  keyStore: v.optional(v.custom<KeyStore>(isKeyStore, 'expected a key store: { get(key), set(key, value, ttlSeconds) }, e.g. memoryKeyStore()')),
  onEvent: v.optional(fn<(event: VerifierEvent) => void>('an event listener (event) => void')),
  logger: v.optional(
    v.union(
      [v.literal(false), v.looseObject({ warn: fn<VerifierLogger['warn']>('a function (message, details) => void') })],
      'expected false (silence) or a logger with warn(message, details), e.g. console',
    ),
  ),
  cache: v.optional(
    v.union([v.literal(false), options({ max: v.optional(positiveInt('a positive integer, e.g. 1000')) }, 'the cache settings { max }')], 'expected false or { max: a positive integer }'),
  ),
  acceptBoundAsBearer: v.optional(bool()),
  dpop: v.optional(v.union([v.boolean(), v.looseObject({})], 'expected true, false or the DPoP settings { required?, maxAge?, nonce?, replayStore?, ... }')),
  resourceMetadata: v.optional(httpUrl()),
  introspection: v.optional(introspectionSchema),
  apiKeys: v.optional(v.custom<ApiKeyVerifier>(isApiKeyVerifier, 'expected the result of createApiKeys() from tokengate/apikeys')),
  parallel: v.optional(bool()),
}, 'verifier options: { issuer, audience, jwksUri | jwks | secret | discovery | publicKey | x509Uri | keys }')

type Input = InferOutput<typeof schema>
type KeySourceInput = Pick<Input, (typeof KEY_SOURCES)[number]>

function keySourceOf(input: KeySourceInput, where: string, issuer: Input['issuer'], optional = false): KeySourceSpec | undefined {
  const given = KEY_SOURCES.filter((k) => input[k] !== undefined)
  if (given.length === 0 && optional) return undefined
  if (given.length !== 1) {
    throw new ConfigError(
      'verifier',
      where === '' ? 'options' : where.slice(0, -1),
      given.length === 0
        ? `one key source is required: ${KEY_SOURCES.join(', ')}${where === '' ? ' (or, for opaque credentials only, introspection or apiKeys)' : ''}`
        : `only one key source may be given, got ${given.join(' and ')}`,
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
  if (input.publicKey !== undefined) return { kind: 'publicKey', key: input.publicKey }
  if (input.x509Uri !== undefined) return { kind: 'x509Uri', url: input.x509Uri }
  return { kind: 'keys', factory: input.keys! }
}

const REQUIRED = 'required (a string, a list, or null to skip the check)'

/** Validates the verifier's options once and normalises them; a mistake is a `ConfigError`. */
export function parseVerifierOptions(input: VerifierOptions<object>): ParsedVerifierOptions {
  const o = parseOptions('verifier', schema, input)
  let tenants: ParsedTenant[]
  const toTenant = (entry: InferOutput<typeof issuerEntry>, where: string): ParsedTenant => {
    const audience = entry.audience === undefined ? o.audience : entry.audience
    if (audience === undefined) throw new ConfigError('verifier', `${where}audience`, `${REQUIRED}, here or at the top level`)
    return { where, issuer: entry.issuer, audience, algorithms: entry.algorithms ?? o.algorithms, keys: keySourceOf(entry, where, entry.issuer)! }
  }
  const resolver = typeof o.issuers === 'function' ? o.issuers : undefined
  if (o.tenantCache !== undefined && !resolver) throw new ConfigError('verifier', 'tenantCache', 'only an `issuers` resolver has a tenant cache')
  if (o.issuers !== undefined) {
    for (const k of ['issuer', ...KEY_SOURCES] as const) {
      if (o[k] !== undefined) throw new ConfigError('verifier', k, 'give it per entry of `issuers`, not beside it')
    }
    const seen = new Set<string>()
    tenants = resolver
      ? []
      : (o.issuers as InferOutput<typeof issuerEntry>[]).map((entry, i) => {
          const where = `issuers.${i}.`
          if (seen.has(entry.issuer)) throw new ConfigError('verifier', `${where}issuer`, 'listed twice')
          seen.add(entry.issuer)
          return toTenant(entry, where)
        })
  } else {
    // With opaque credentials, a key source is optional: without one, JWTs are introspected
    // too (or refused, for an API-key-only verifier).
    const keys = keySourceOf(o, '', o.issuer, o.introspection !== undefined || o.apiKeys !== undefined)
    if (keys === undefined && o.introspection === undefined) {
      // API keys only: nothing carries iss or aud.
      for (const k of ['issuer', 'audience', 'algorithms', 'typ'] as const) {
        if (o[k] !== undefined) throw new ConfigError('verifier', k, 'applies to JWTs and introspected tokens only; give a key source or `introspection`, or drop it')
      }
    } else {
      if (o.issuer === undefined) throw new ConfigError('verifier', 'issuer', REQUIRED)
      if (o.audience === undefined) throw new ConfigError('verifier', 'audience', REQUIRED)
    }
    tenants = keys === undefined ? [] : [{ where: '', issuer: o.issuer!, audience: o.audience!, algorithms: o.algorithms, keys }]
  }
  if ((o.introspection !== undefined || o.apiKeys !== undefined) && o.header !== undefined && o.header.toLowerCase() !== 'authorization') {
    throw new ConfigError('verifier', 'header', 'reads a bare JWT from another header (ALB); opaque credentials come in Authorization: Bearer or X-API-Key: use a separate verifier for them')
  }
  const cache = o.tenantCache ?? {}
  return {
    tenants,
    multiIssuer: o.issuers !== undefined,
    resolver,
    tenantCache: {
      max: cache.max ?? 1000,
      ttlMs: toSeconds(cache.ttl ?? 3600) * 1000,
      negativeTtlMs: toSeconds(cache.negativeTtl ?? 300) * 1000,
    },
    // An entry from the resolver is checked as a listed one would be, when it arrives.
    parseResolvedEntry: (entry) => toTenant(parseOptions('verifier', issuerEntry, entry, ['issuers', '(resolved)']), 'issuers.(resolved).'),
    clockTolerance: o.clockTolerance === undefined ? DEFAULT_CLOCK_TOLERANCE : toSeconds(o.clockTolerance),
    typ: o.typ === undefined ? undefined : typeof o.typ === 'string' ? [o.typ] : o.typ,
    requiredClaims: Object.freeze([...(o.requiredClaims ?? [])]),
    // From the input itself: valibot's record drops keys such as `constructor`, and a rule the
    // user wrote must never vanish silently.
    claimValues: claimValueRules(o.claimValues === undefined ? {} : (input as { claimValues: Record<string, ClaimValueRule> }).claimValues),
    maxTokenAge: o.maxTokenAge === undefined ? undefined : toSeconds(o.maxTokenAge),
    claims: o.claims,
    scopeClaims: Object.freeze([...(o.scopeClaims ?? DEFAULT_SCOPE_CLAIMS)]),
    roleClaims: o.roleClaims === undefined ? DEFAULT_ROLE_CLAIMS : Object.freeze(o.roleClaims.map((path, i) => parseClaimPath('verifier', `roleClaims.${i}`, path))),
    isRevoked: o.isRevoked,
    revocationTimeoutMs: o.revocationTimeout === undefined ? DEFAULT_REVOCATION_TIMEOUT_MS : toSeconds(o.revocationTimeout) * 1000,
    now: o.now ?? Date.now,
    realm: o.realm ?? DEFAULT_REALM,
    header: o.header ?? 'authorization',
    allowPadding: o.allowPadding ?? false,
    maxTokenSize: o.maxTokenSize ?? DEFAULT_MAX_TOKEN_SIZE,
    fetch: o.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    jwksCache: o.jwksCache ?? {},
    keyStore: o.keyStore,
    onEvent: o.onEvent,
    logger: o.logger === false ? undefined : ((o.logger as VerifierLogger | undefined) ?? consoleLogger),
    cacheMax: o.cache === false ? undefined : (o.cache?.max ?? DEFAULT_CACHE_MAX),
    acceptBoundAsBearer: o.acceptBoundAsBearer ?? false,
    dpop: parseDpop(o.dpop),
    resourceMetadata: o.resourceMetadata === undefined ? undefined : String(o.resourceMetadata),
    introspection: o.introspection === undefined ? undefined : parseIntrospection(o, tenants),
    apiKeys: o.apiKeys,
    parallel: o.parallel ?? false,
  }
}

/** `introspection` beside the rest: its endpoint (given, or from `discovery`) and the iss/aud it is checked against. */
function parseIntrospection(o: Input, tenants: readonly ParsedTenant[]): ParsedIntrospection {
  const input = o.introspection!
  if (o.issuers !== undefined) throw new ConfigError('verifier', 'introspection', 'works with a single issuer configuration (issuer, audience), not with `issuers`')
  const discovery = tenants[0]?.keys.kind === 'discovery' ? { issuer: o.issuer as string, url: tenants[0].keys.url } : undefined
  if (input.endpoint === undefined && discovery === undefined) {
    throw new ConfigError('verifier', 'introspection.endpoint', "required unless `discovery` finds it: give the RFC 7662 endpoint, e.g. 'https://idp.example.com/oauth2/introspect'")
  }
  if (input.endpoint !== undefined) {
    const url = new URL(input.endpoint)
    if (url.username !== '' || url.password !== '') throw new ConfigError('verifier', 'introspection.endpoint', 'must not carry credentials; give them as clientId and clientSecret')
  }
  return { settings: resolveIntrospection(input), discovery, issuer: o.issuer!, audience: o.audience! }
}
