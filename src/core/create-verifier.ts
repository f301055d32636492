/**
 * @module
 * `createVerifier`: validate options once, derive everything the request path needs, and
 * return the `verifyBearer` closure.
 */
import { ConfigError } from '../errors/config-error.js'
import { ASYMMETRIC_ALGORITHMS, isHmacAlgorithm, type Algorithm } from '../keys/algorithms.js'
import { discoveryJwks } from '../keys/discovery.js'
import type { KeySourceContext, KeySourceFactory } from '../keys/key-source.js'
import { localJwks } from '../keys/local-jwks.js'
import { remoteJwks } from '../keys/remote-jwks.js'
import { publicKey } from '../keys/public-key.js'
import { x509Keys } from '../keys/x509.js'
import { hmacAlgorithmsFor, secretBytes, secretKey } from '../keys/secret.js'
// Resolved by export condition (package.json "imports"): node:crypto under "node", jose/WebCrypto
// on edge runtimes and by default, so this module never names `node:` itself.
import { signatureBackend } from '#signature-backend'
import { createParsedHeaders } from '../lib/parsed-headers.js'
import { createVerifiedTokenCache } from './verified-token-cache.js'
import type { SignatureBackend } from '../signature/signature-backend.js'
import type { AuthorizationInput } from './authorization-header.js'
import { DEFAULT_TYPS, normalizeTyp } from './jws-header.js'
import type { JwtVerifierOptions, VerifierEvent, VerifierOptions } from './options.js'
import { attachEvents, createEventHub } from './events.js'
import { observeVerification } from './outcome.js'
import { parseVerifierOptions, type KeySourceSpec, type ParsedIntrospection, type ParsedTenant, type ParsedVerifierOptions } from './parse-options.js'
import { createHints } from './hints.js'
import { runPipeline, type ResolvedVerifier, type Tenant } from './pipeline.js'
import { entryFits, fixedDirectory, resolverDirectory, type TenantDirectory } from './tenants.js'
import { issuerTemplate, type IssuerTemplate } from '../claims/issuer-template.js'
import type { BearerAuth, JwtAuth, VerifyRequestOptions } from '../lib/result.js'
import { resolveDpop } from '../binding/dpop-settings.js'
import { DEFAULT_REALM } from '../errors/bearer-error.js'
import { bearerOnly, type ChallengeContext } from '../errors/www-authenticate.js'
import type { OpaqueRouting } from './credential-route.js'
import { createIntrospector, type CheckedToken, type IntrospectionEvent, type Introspector } from '../introspection/introspector.js'
import { assertIntrospectedClaims } from '../introspection/response.js'
import { discoveredEndpoint } from '../introspection/endpoint.js'
import { applyClaimsSchema } from '../claims/schema.js'
import { grantedScopes } from '../scopes/parse.js'
import { grantedPermissions, grantedRoles } from '../scopes/roles.js'
import { deepFreeze } from '../lib/freeze.js'
import { failClosedClock } from '../lib/clock.js'

/**
 * A configured verifier: call it with the `Authorization` header value. Resolves with the
 * verified credential (`A`: `JwtAuth` for a verifier without opaque credentials), or rejects
 * with a `BearerError`.
 */
export interface Verifier<C extends object = object, A extends BearerAuth<C> = BearerAuth<C>> {
  (authorization: AuthorizationInput, options?: VerifyRequestOptions): Promise<A>
  /** Loads remote keys now, so the first request does not wait for them. */
  warm(): Promise<void>
  /** The `realm` of this verifier's challenges; adapters and guards answer with it too. */
  readonly realm: string
  /** The request header adapters read the token from: `authorization`, or the `header` option (bare token). */
  readonly header: string
}

const toSet = (value: string | readonly string[] | null): ReadonlySet<string> | null =>
  value === null ? null : new Set(typeof value === 'string' ? [value] : value)

/** Accepted issuers: exact strings, and `{tenantid}` templates tied to the token's `tid`. */
function issuerRules(value: string | readonly string[] | null): { issuers: ReadonlySet<string> | null; issuerTemplates: readonly IssuerTemplate[] } {
  if (value === null) return { issuers: null, issuerTemplates: [] }
  const list = typeof value === 'string' ? [value] : value
  const templates = list.map(issuerTemplate).filter((t): t is IssuerTemplate => t !== undefined)
  return { issuers: new Set(list.filter((i) => issuerTemplate(i) === undefined)), issuerTemplates: Object.freeze(templates) }
}

function keySourceFactory(spec: KeySourceSpec, o: ParsedVerifierOptions, issuer: ParsedTenant['issuer']): KeySourceFactory {
  switch (spec.kind) {
    case 'secret':
      return secretKey(spec.secret)
    case 'jwks':
      return localJwks(spec.set)
    case 'jwksUri':
      return remoteJwks(spec.url, { ...o.jwksCache, ...(o.keyStore ? { keyStore: o.keyStore } : {}) })
    case 'discovery':
      // parseVerifierOptions guarantees a single issuer string beside `discovery`.
      return discoveryJwks(issuer as string, { ...o.jwksCache, ...(o.keyStore ? { keyStore: o.keyStore } : {}), ...(spec.url === undefined ? {} : { url: spec.url }) })
    case 'publicKey':
      return publicKey(spec.key)
    case 'x509Uri':
      return x509Keys(spec.url, o.jwksCache)
    case 'keys':
      return spec.factory
  }
}

/** The allow-list: tied to the key source, so HS* never meets a key set and RS* never a secret. */
function allowList(spec: KeySourceSpec, configured: readonly Algorithm[] | undefined, where: string): ReadonlySet<Algorithm> {
  if (spec.kind === 'secret') {
    const length = secretBytes(spec.secret).length
    const fitting = hmacAlgorithmsFor(length)
    if (!configured && fitting.length === 0) {
      throw new ConfigError('verifier', `${where}secret`, `HS256 needs a secret of at least 32 bytes, got ${length}`)
    }
    return new Set(configured ?? fitting)
  }
  if (configured) {
    const hmac = configured.find(isHmacAlgorithm)
    if (hmac && spec.kind !== 'keys') {
      throw new ConfigError('verifier', `${where}algorithms`, `${hmac} needs a shared secret (the \`secret\` option), never a key set`)
    }
    return new Set(configured)
  }
  return new Set(ASYMMETRIC_ALGORITHMS)
}

/** What the adapters need of a verifier besides calling it. */
export interface VerifierInternals {
  /** The realm, schemes and parameters of its challenges. */
  readonly challenge: ChallengeContext
  /** The DPoP nonce to send now (`DPoP-Nonce`), when the verifier issues nonces. */
  readonly dpopNonce: (() => string | Promise<string>) | undefined
}

const internals = new WeakMap<object, VerifierInternals>()
/** Verifiers built later (`createLazyVerifier`): their internals are those of the verifier they build. */
const delegates = new WeakMap<object, () => object>()

/** Internal: `verifier`'s challenge and nonces are those of `built()` (called when first needed). */
export function delegateInternals(verifier: object, built: () => object): void {
  delegates.set(verifier, built)
}

/**
 * The challenge context and DPoP nonces of a verifier built by `createVerifier`; for another
 * function posing as one, a `Bearer` challenge in its `realm`. Internal: adapters and guards.
 */
export function verifierInternals(verifier: { readonly realm?: string }): VerifierInternals {
  const delegate = delegates.get(verifier)
  if (delegate) return verifierInternals(delegate())
  return internals.get(verifier) ?? { challenge: bearerOnly(verifier.realm ?? DEFAULT_REALM), dpopNonce: undefined }
}

/**
 * Builds a verifier. Options are validated once (a mistake throws a `ConfigError`, a `TypeError`, naming the
 * option); keys, sets and the allow-list are derived once; the returned function only runs
 * the pipeline.
 *
 * Import from `tokengate`.
 *
 * @example
 * const verifyBearer = createVerifier({
 *   issuer: 'https://idp.example.com/',
 *   audience: 'https://api.example.com',
 *   jwksUri: 'https://idp.example.com/.well-known/jwks.json',
 * })
 * const auth = await verifyBearer(req.headers.authorization, { scopes: ['read:users'] })
 */
export function createVerifier<C extends object = object>(options: JwtVerifierOptions<C>): Verifier<C, JwtAuth<C>>
export function createVerifier<C extends object = object>(options: VerifierOptions<C>): Verifier<C>
export function createVerifier<C extends object = object>(options: VerifierOptions<C>): Verifier<C> {
  return createVerifierOn(signatureBackend, options)
}

/**
 * `createVerifier` on a given signature backend. Internal: benchmarks and tests use it to run
 * both backends in one process; applications get the runtime's backend from `createVerifier`.
 */
export function createVerifierOn<C extends object = object>(backend: SignatureBackend, options: VerifierOptions<C>): Verifier<C> {
  const o = parseVerifierOptions(options as VerifierOptions<object>)
  const typs = o.typ === undefined ? DEFAULT_TYPS : new Set(o.typ.map(normalizeTyp))
  // `onEvent` and internal subscribers (tokengate/otel, the adapters' throttle): listeners can
  // neither throw into nor delay a verification (events.ts).
  const events = createEventHub<VerifierEvent>(o.onEvent)
  const hints = createHints(o.logger, events.emit)
  const emit = (event: VerifierEvent): void => {
    // Keys fetched again: the next outage of that URL is worth telling the operator again.
    if (event.type === 'jwks_fetch' || event.type === 'discovery') hints.recovered(event.uri)
    events.emit(event)
  }

  function tenant(t: ParsedTenant): Tenant {
    const allowed = allowList(t.keys, t.algorithms, t.where)
    const context: KeySourceContext = { algorithms: allowed, onEvent: emit, fetch: o.fetch, now: o.now }
    return Object.freeze({
      keys: withConfigPath(t.where, () => keySourceFactory(t.keys, o, t.issuer)(context)),
      header: Object.freeze({ algorithms: allowed, typs, typRequired: o.typ !== undefined }),
      claims: Object.freeze({ ...issuerRules(t.issuer), audiences: toSet(t.audience), requiredClaims: o.requiredClaims }),
    })
  }

  const built = o.tenants.map(tenant)
  let directory: TenantDirectory | undefined
  if (o.resolver) {
    const build = (entry: unknown, iss: string): Tenant | null => {
      const parsed = o.parseResolvedEntry(entry)
      return entryFits(parsed.issuer as string, iss) ? tenant(parsed) : null
    }
    directory = resolverDirectory(o.resolver, build, o.tenantCache, o.now)
  } else if (o.multiIssuer) {
    directory = fixedDirectory(built.map((t, i) => ({ issuer: o.tenants[i]!.issuer as string, tenant: t })))
  }
  const dpop = o.dpop === undefined ? undefined : resolveDpop(o.dpop, o.now)
  const challenge: ChallengeContext = Object.freeze({
    realm: o.realm,
    bearer: dpop?.required !== true,
    dpopAlgs: dpop?.algs,
    resourceMetadata: o.resourceMetadata,
  })
  const opaque: OpaqueRouting | undefined =
    o.introspection === undefined && o.apiKeys === undefined
      ? undefined
      : Object.freeze({
          apiKeyPrefix: o.apiKeys === undefined ? undefined : `${o.apiKeys.prefix}_`,
          apiKeys: o.apiKeys,
          introspect: o.introspection === undefined ? undefined : introspector(o, o.introspection, emit),
          // A key source, listed tenants or a tenant resolver: JWTs are verified locally.
          jwt: built.length > 0 || o.resolver !== undefined,
          claimsSchema: o.claims,
          roleClaims: o.roleClaims,
          dpop: o.dpop !== undefined,
        })
  const resolved: ResolvedVerifier = Object.freeze({
    realm: o.realm,
    maxTokenSize: o.maxTokenSize,
    bareToken: o.header !== 'authorization',
    allowPadding: o.allowPadding,
    clockTolerance: o.clockTolerance,
    maxTokenAge: o.maxTokenAge,
    claimValues: o.claimValues,
    now: o.now,
    scopeClaims: o.scopeClaims,
    roleClaims: o.roleClaims,
    claimsSchema: o.claims,
    isRevoked: o.isRevoked,
    hints,
    revocationTimeoutMs: o.revocationTimeoutMs,
    // `parallel: true`: the backend's off-main-thread variant, where the runtime has one.
    signature: o.parallel ? (backend.parallel ?? backend) : backend,
    headers: createParsedHeaders(),
    binding: Object.freeze({ acceptBoundAsBearer: o.acceptBoundAsBearer, dpop, signature: backend }),
    challenge,
    cache: o.cacheMax === undefined ? undefined : createVerifiedTokenCache(o.cacheMax),
    tenant: o.multiIssuer ? undefined : built[0],
    directory,
    opaque,
  })

  // Without listeners, the pipeline alone: no outcome event is built (nothing allocated for it).
  const verify = ((authorization: AuthorizationInput, request?: VerifyRequestOptions) =>
    events.active
      ? observeVerification(events, request?.route, (obs) => runPipeline(resolved, authorization, request, obs))
      : runPipeline(resolved, authorization, request)) as Verifier<C> & { realm: string; header: string }
  verify.warm = async () => {
    await Promise.all(built.map((t) => t.keys.warm?.()))
  }
  Object.defineProperty(verify, 'realm', { value: o.realm, enumerable: true })
  Object.defineProperty(verify, 'header', { value: o.header, enumerable: true })
  const nonces = dpop?.nonces
  internals.set(verify, Object.freeze({ challenge, dpopNonce: nonces === undefined ? undefined : () => nonces.current() }))
  attachEvents(verify, events)
  return verify
}

/**
 * The introspection client, with the verifier's checks of an active answer: iss/aud/time/type
 * where present, required claims, the claims schema, then the granted scopes. What it returns is
 * cached and shared by every request bearing the token, so it is frozen.
 */
function introspector(o: ParsedVerifierOptions, i: ParsedIntrospection, emit: (event: IntrospectionEvent) => void): Introspector {
  const rules = Object.freeze({ issuers: toSet(i.issuer), audiences: toSet(i.audience), requiredClaims: o.requiredClaims, clockTolerance: o.clockTolerance })
  const finish = (response: Record<string, unknown>, claims: Record<string, unknown>): CheckedToken =>
    Object.freeze({
      claims: deepFreeze(claims),
      scopes: Object.freeze(grantedScopes(response, o.scopeClaims)),
      roles: Object.freeze(grantedRoles(response, o.roleClaims)),
      permissions: Object.freeze(grantedPermissions(response)),
    })
  const endpoint = i.settings.endpoint
  // A broken clock fails closed here as in the JWT pipeline: 503 verifier_misconfigured,
  // nothing cached (an answer kept "until NaN" would be kept forever, or checked never).
  const now = failClosedClock(o.now, 'verifier')
  return createIntrospector(i.settings, {
    fetch: o.fetch,
    now,
    onEvent: emit,
    clockTolerance: o.clockTolerance,
    endpoint:
      endpoint !== undefined
        ? () => endpoint
        : discoveredEndpoint(i.discovery!.issuer, i.discovery!.url, { fetch: o.fetch, now, timeoutMs: i.settings.timeoutMs, maxBytes: 1_048_576 }),
    check(response, nowS) {
      assertIntrospectedClaims(response, rules, nowS)
      if (!o.claims) return finish(response, response)
      const checked = applyClaimsSchema(o.claims, response)
      return typeof (checked as Promise<unknown>).then === 'function'
        ? (checked as Promise<Record<string, unknown>>).then((claims) => finish(response, claims))
        : finish(response, checked as Record<string, unknown>)
    },
  })
}

/**
 * Key sources check their keys as they are built and throw a `ConfigError` named from their
 * own option (`jwks`, `secret`, ...); inside `issuers`, the entry's path is put in front.
 */
function withConfigPath<T>(where: string, build: () => T): T {
  try {
    return build()
  } catch (err) {
    throw ConfigError.is(err) && where !== '' ? err.under(where.slice(0, -1)) : err
  }
}
