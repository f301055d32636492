/**
 * @module
 * Verifier options: the public interface (hand-written, with defaults), the zod schema that
 * validates it once at construction, and the error thrown for configuration mistakes.
 */
import { z } from 'zod'
import { configError } from './config-error.js'
import type { ClaimsSchema } from '../claims/schema.js'
import { ALGORITHMS, type Algorithm } from '../keys/algorithms.js'
import type { KeySourceEvent, KeySourceFactory } from '../keys/key-source.js'
import { JWKS_CACHE_DEFAULTS, type RemoteJwksOptions } from '../keys/jwks-cache-options.js'
import type { JSONWebKeySet } from '../keys/local-jwks.js'
import type { IsRevoked } from '../revocation/hook.js'
import type { ScopeClaim } from '../scopes/parse.js'
import { DURATION_PATTERN, toSeconds, type Duration } from '../lib/duration.js'
import type { JwtClaims } from '../lib/result.js'

/** Remote JWKS cache settings (`jwksUri`, `discovery`); see `RemoteJwksOptions` for each default. */
export type JwksCacheOptions = RemoteJwksOptions

/** What the verifier reports through `onEvent`. */
export type VerifierEvent = KeySourceEvent

/**
 * Exactly one key source: a remote JWKS, discovery, a local JWKS, a shared secret, or a
 * custom source. `discovery: true` finds `jwks_uri` from the issuer's OIDC / RFC 8414
 * metadata (a string is the metadata URL); it needs a single `issuer` string.
 */
export type KeySourceOptions =
  | { readonly jwksUri: string | URL; readonly discovery?: never; readonly jwks?: never; readonly secret?: never; readonly keys?: never }
  | { readonly discovery: true | string | URL; readonly jwksUri?: never; readonly jwks?: never; readonly secret?: never; readonly keys?: never }
  | { readonly jwks: JSONWebKeySet; readonly jwksUri?: never; readonly discovery?: never; readonly secret?: never; readonly keys?: never }
  | { readonly secret: string | Uint8Array; readonly jwksUri?: never; readonly discovery?: never; readonly jwks?: never; readonly keys?: never }
  | { readonly keys: KeySourceFactory; readonly jwksUri?: never; readonly discovery?: never; readonly jwks?: never; readonly secret?: never }

/** One trusted issuer of a multi-issuer verifier, with its own key source. */
export type IssuerEntry = {
  /** The exact `iss` value this entry accepts. */
  readonly issuer: string
  /** Overrides the verifier's `audience` for this issuer. */
  readonly audience?: string | readonly string[] | null
  /** Overrides the verifier's `algorithms` for this issuer. */
  readonly algorithms?: readonly Algorithm[]
} & KeySourceOptions

/** Options every verifier takes, whatever its key source. */
export interface CommonVerifierOptions<C extends object = object> {
  /**
   * Allowed signature algorithms. Default: every algorithm the key source's key types
   * support (asymmetric ones for key sets; the HMACs the secret is long enough for).
   */
  readonly algorithms?: readonly Algorithm[]
  /** Leeway for `exp`, `nbf` and `iat`. Default 5 seconds. */
  readonly clockTolerance?: Duration
  /**
   * Required `typ` header (e.g. `'at+jwt'`, RFC 9068); `application/` prefix and case ignored.
   * Default: absent, `JWT` or `at+jwt`; any other type (`dpop+jwt`, ...) is rejected.
   */
  readonly typ?: string | readonly string[]
  /** Claims that must be present. `exp` always is. */
  readonly requiredClaims?: readonly string[]
  /** A zod schema for custom claims; its output type becomes `auth.claims`. */
  readonly claims?: ClaimsSchema<C>
  /** Claims scopes are read from. Default `['scope', 'scp', 'permissions']`. */
  readonly scopeClaims?: readonly ScopeClaim[]
  /** Revocation hook; a throw answers 503 `revocation_unavailable` (fail closed). */
  readonly isRevoked?: IsRevoked<JwtClaims & C>
  /** Clock in milliseconds, like `Date.now`. For tests. */
  readonly now?: () => number
  /** `realm` in `WWW-Authenticate`. Default `'api'`. */
  readonly realm?: string
  /** Largest `Authorization` header accepted, in characters, checked before decoding. Default 8192. */
  readonly maxTokenSize?: number
  /** `fetch` used for JWKS and discovery documents. Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch
  /** Remote JWKS cache settings. */
  readonly jwksCache?: JwksCacheOptions
  /**
   * Receives key-source events: `jwks_fetch`, `jwks_error`, `jwks_stale`, `jwks_cooldown`,
   * `kid_miss`, `key_skipped`, `discovery`. A throwing listener is ignored.
   */
  readonly onEvent?: (event: VerifierEvent) => void
  /**
   * The verified-token cache: a token seen before skips the signature check, while time,
   * scopes and `isRevoked` are checked again on every request. An entry never outlives the
   * token's `exp` (nor 10 minutes); failures are not cached. `false` turns it off.
   * Default `{ max: 1000 }`.
   */
  readonly cache?: VerifiedTokenCacheOptions | false
}

/** Verified-token cache settings (`cache`). */
export interface VerifiedTokenCacheOptions {
  /** Most tokens kept, least recently used evicted first. Default 1000. */
  readonly max?: number
}

/** `iss` and `aud` checks of a single-issuer verifier: required; `null` opts out explicitly. */
export interface IssuerAudienceOptions {
  /** Accepted `iss` value(s), exact match. `null` skips the check (not recommended). */
  readonly issuer: string | readonly string[] | null
  /** Accepted `aud` value(s); any match passes. `null` skips the check (not recommended). */
  readonly audience: string | readonly string[] | null
}

/** Options of `createVerifier`. */
export type VerifierOptions<C extends object = object> = CommonVerifierOptions<C> &
  (
    | (IssuerAudienceOptions & KeySourceOptions & { readonly issuers?: never })
    | {
        /** Several trusted issuers, each with its own key source; `iss` selects one by exact match. */
        readonly issuers: readonly IssuerEntry[]
        readonly audience: string | readonly string[] | null
        readonly issuer?: never
        readonly jwksUri?: never
        readonly discovery?: never
        readonly jwks?: never
        readonly secret?: never
        readonly keys?: never
      }
  )

// ---- the schema: validated once, at construction ----

const nonEmptyStrings = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])
const duration = z.union([z.number().finite().nonnegative(), z.string().regex(DURATION_PATTERN, 'expected e.g. 30, "30s", "10m", "7d"')])
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'expected a function')
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a Uint8Array')
const url = z.union([
  z.string().refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'expected an http(s) URL'),
  z.custom<URL>((v) => v instanceof URL && /^https?:$/.test(v.protocol), 'expected an http(s) URL'),
])

const keySourceShape = {
  jwksUri: url.optional(),
  discovery: z.union([z.literal(true), url]).optional(),
  jwks: z.object({ keys: z.array(z.unknown()) }).optional(),
  secret: z.union([z.string().min(1, 'an empty secret verifies nothing'), bytes.refine((b) => b.length > 0, 'an empty secret verifies nothing')]).optional(),
  keys: fn.optional(),
}
const KEY_SOURCES = ['jwksUri', 'discovery', 'jwks', 'secret', 'keys'] as const

function exactlyOneKeySource(value: Record<string, unknown>, ctx: z.RefinementCtx, path: (string | number)[] = []): void {
  const given = KEY_SOURCES.filter((k) => value[k] !== undefined)
  if (given.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: given.length === 0 ? `one key source is required: ${KEY_SOURCES.join(', ')}` : `only one key source may be given, got ${given.join(' and ')}`,
    })
  }
}

/** Discovery checks the metadata against one issuer, so it needs exactly one, as a URL when derived from it. */
function discoveryNeedsIssuer(value: Record<string, unknown>, ctx: z.RefinementCtx, path: (string | number)[] = []): void {
  if (value.discovery === undefined) return
  const issuer = value.issuer
  if (typeof issuer !== 'string') {
    ctx.addIssue({ code: 'custom', path: [...path, 'discovery'], message: 'needs a single `issuer` string to check the metadata against' })
  } else if (value.discovery === true && !(URL.canParse(issuer) && /^https?:$/.test(new URL(issuer).protocol) && !/[?#]/.test(issuer))) {
    ctx.addIssue({ code: 'custom', path: [...path, 'issuer'], message: 'discovery: true needs an http(s) issuer URL without query or fragment' })
  }
}

const algorithmList = z.array(z.enum(ALGORITHMS as [Algorithm, ...Algorithm[]])).min(1)

const issuerEntry = z
  .strictObject({
    issuer: z.string().min(1),
    audience: nonEmptyStrings.nullable().optional(),
    algorithms: algorithmList.optional(),
    ...keySourceShape,
  })
  .superRefine((v, ctx) => {
    exactlyOneKeySource(v, ctx)
    discoveryNeedsIssuer(v, ctx)
  })

export const verifierOptionsSchema = z
  .strictObject({
    issuer: nonEmptyStrings.nullable().optional(),
    audience: nonEmptyStrings.nullable().optional(),
    issuers: z.array(issuerEntry).min(1).optional(),
    ...keySourceShape,
    algorithms: algorithmList.optional(),
    clockTolerance: duration.optional(),
    typ: nonEmptyStrings.optional(),
    requiredClaims: z.array(z.string().min(1)).optional(),
    claims: z.custom<ClaimsSchema<unknown>>((v) => typeof (v as ClaimsSchema<unknown> | null)?.safeParse === 'function', 'expected a zod schema').optional(),
    scopeClaims: z.array(z.enum(['scope', 'scp', 'permissions'])).min(1).optional(),
    isRevoked: fn.optional(),
    now: fn.optional(),
    realm: z.string().min(1).optional(),
    maxTokenSize: z.number().int().min(64).optional(),
    fetch: fn.optional(),
    jwksCache: z
      .strictObject({
        maxAge: duration.optional(),
        cooldown: duration.optional(),
        staleIfError: duration.optional(),
        timeout: duration.optional().refine((d) => d === undefined || toSeconds(d) > 0, 'must be more than 0'),
        maxBytes: z.number().int().positive().optional(),
        cacheControl: z
          .union([z.literal(false), z.strictObject({ min: duration.optional(), max: duration.optional() })])
          .optional()
          .refine((b) => !b || toSeconds(b.min ?? JWKS_CACHE_DEFAULTS.cacheControl.min) <= toSeconds(b.max ?? JWKS_CACHE_DEFAULTS.cacheControl.max), 'min is greater than max'),
      })
      .optional(),
    onEvent: fn.optional(),
    cache: z
      .union([z.literal(false), z.strictObject({ max: z.number().int().positive().optional() })], { error: 'expected false or { max: a positive integer }' })
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.issuers !== undefined) {
      for (const k of ['issuer', ...KEY_SOURCES] as const) {
        if (v[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'give it per entry of `issuers`, not beside it' })
      }
      if (v.audience === undefined) ctx.addIssue({ code: 'custom', path: ['audience'], message: 'required (a string, a list, or null to skip the check)' })
      return
    }
    exactlyOneKeySource(v, ctx)
    discoveryNeedsIssuer(v, ctx)
    for (const k of ['issuer', 'audience'] as const) {
      if (v[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: 'required (a string, a list, or null to skip the check)' })
    }
  })

/** Validates options once; a mistake is a `TypeError` naming the option, with the `ZodError` as `cause`. */
export function parseOptions(options: unknown): z.output<typeof verifierOptionsSchema> {
  const result = verifierOptionsSchema.safeParse(options)
  if (result.success) return result.data
  throw configError('tokengate: invalid verifier option', result.error)
}
