/**
 * @module
 * The order of checks (the product contract, ../shared/DESIGN.md "The core pipeline"). Each step is a plain function;
 * a new check is one file plus one line here.
 */
import { applyClaimsSchema, type ClaimsSchema } from '../claims/schema.js'
import { assertRegisteredClaims, type RegisteredClaimRules } from '../claims/registered.js'
import { assertHeaderExpiry, assertTime } from '../claims/time.js'
import { assertClaimValues, type ClaimValueRules } from '../claims/values.js'
import { BearerError } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import type { KeySource } from '../keys/key-source.js'
import type { VerificationKey } from '../keys/verification-key.js'
import { assertNotRevoked, type IsRevoked } from '../revocation/hook.js'
import { grantedScopes, type ScopeClaim } from '../scopes/parse.js'
import { assertScopes } from '../scopes/require.js'
import { grantedPermissions, grantedRoles } from '../scopes/roles.js'
import type { SignatureBackend } from '../signature/signature-backend.js'
import type { ParsedHeaders } from '../lib/parsed-headers.js'
import type { Hints } from './hints.js'
import type { TenantDirectory } from './tenants.js'
import type { VerifiedToken, VerifiedTokenCache } from './verified-token-cache.js'
import { assertToken68, readBareToken, readCredentials, type AuthorizationInput, type Credentials } from './authorization-header.js'
import { assertHeader, type HeaderRules } from './jws-header.js'
import type { BearerAuth, JwtAuth, JwtClaims, VerifyRequestOptions } from '../lib/result.js'
import { deepFreeze } from '../lib/freeze.js'
import { own } from '../lib/own.js'
import { assertSignature, isPromise, resolveKey } from './signature-step.js'
import { parseToken, type ParsedToken } from '../lib/token.js'
import type { Observation } from './outcome.js'
import { assertBinding, type BindingRules } from '../binding/binding-step.js'
import { parseProof } from '../binding/dpop-proof.js'
import type { AuthScheme, ChallengeContext } from '../errors/www-authenticate.js'
import { routeRequest, verifyApiKeyCredential, verifyIntrospectedCredential, type OpaqueRouting, type RoutedCredential } from './credential-route.js'

/** One trusted issuer (or the single configuration): its keys and its claim rules. */
export interface Tenant {
  readonly keys: KeySource
  readonly header: HeaderRules
  readonly claims: RegisteredClaimRules
}

/** Everything the request path needs, derived once at construction and frozen. */
export interface ResolvedVerifier {
  readonly realm: string
  readonly maxTokenSize: number
  /** The token arrives bare in its header (`header` other than `authorization`). */
  readonly bareToken: boolean
  /** Token segments may carry `=` padding (`allowPadding`). */
  readonly allowPadding: boolean
  /** Seconds. */
  readonly clockTolerance: number
  /** Seconds (`maxTokenAge`), or `undefined`. */
  readonly maxTokenAge: number | undefined
  readonly claimValues: ClaimValueRules
  readonly now: () => number
  readonly scopeClaims: readonly ScopeClaim[]
  readonly roleClaims: readonly (readonly string[])[]
  readonly claimsSchema: ClaimsSchema<unknown> | undefined
  readonly isRevoked: IsRevoked<JwtClaims> | undefined
  /** Tells the operator about failures that usually mean a setup mistake (once each). */
  readonly hints: Hints
  /** Bound on an `isRevoked` promise, in milliseconds. */
  readonly revocationTimeoutMs: number
  /** Step 4b: sender-constrained tokens (`acceptBoundAsBearer`, `dpop`). */
  readonly binding: BindingRules
  /** The schemes and parameters of every challenge this verifier answers with. */
  readonly challenge: ChallengeContext
  readonly signature: SignatureBackend
  /** Parsed JOSE headers by their encoded text. */
  readonly headers: ParsedHeaders
  /** The verified-token cache, or `undefined` when `cache: false`. */
  readonly cache: VerifiedTokenCache | undefined
  /** The single configuration, when there is no `issuers` list. */
  readonly tenant: Tenant | undefined
  /** Where a multi-issuer verifier finds the token's tenant: a fixed list or a resolver. */
  readonly directory: TenantDirectory | undefined
  /** Routing of opaque credentials; `undefined` when the verifier takes JWTs only. */
  readonly opaque: OpaqueRouting | undefined
}

const NO_REQUIREMENTS: VerifyRequestOptions = Object.freeze({})

/** Step 1: the token of the header, parsed as a JWT. */
function parseCredentialToken(v: ResolvedVerifier, credentials: Credentials): ParsedToken {
  // A header that carries the token bare (ALB's x-amzn-oidc-data): no scheme, no token68 rule.
  if (v.bareToken) return parseToken(credentials.token, v.headers, v.allowPadding)
  try {
    return parseToken(credentials.token, v.headers, v.allowPadding)
  } catch (err) {
    // Not one token68 is a malformed header (400) before it is a malformed token (401).
    assertToken68(credentials.token, credentials.scheme)
    throw err
  }
}

/** Step 2 (selection): the tenant is chosen by the unverified `iss` before any key is fetched. */
function selectTenant(v: ResolvedVerifier, payload: Record<string, unknown>): Tenant | Promise<Tenant> {
  return v.tenant ?? v.directory!.select(payload)
}

/** Step 0: a token verified before by this verifier, still within its cache lifetime. */
function cachedToken(v: ResolvedVerifier, key: string | undefined): VerifiedToken | undefined {
  return v.cache !== undefined && key !== undefined ? v.cache.get(key) : undefined
}

/**
 * The header value a cache entry is stored under: the string, or the only element of a
 * one-element list (what Fastify's `headersDistinct` gives), which the format step reads
 * the same way. Several values never reach the cache: they are `header_malformed`.
 */
function cacheKey(authorization: AuthorizationInput): string | undefined {
  if (typeof authorization === 'string') return authorization
  if (Array.isArray(authorization) && authorization.length === 1 && typeof authorization[0] === 'string') return authorization[0]
  return undefined
}

/**
 * The verifier's clock, in seconds, read once per request before anything else is decided. A
 * clock that returns `NaN` (or anything not finite) would make every time comparison false:
 * expired tokens would pass. It fails the request closed, as a server fault (503).
 */
function clockSeconds(v: ResolvedVerifier): number {
  const ms = v.now()
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    const got = typeof ms === 'number' ? String(ms) : `a ${typeof ms}`
    throw new BearerError('verifier_misconfigured', { cause: new ConfigError('verifier', 'now', `the clock returned ${got}; it must return milliseconds, like Date.now()`) })
  }
  return ms / 1000
}

/** Step 3 on a cache hit: the same time check; an expired entry is dropped as it fails. */
function assertCachedTime(v: ResolvedVerifier, authorization: string, hit: VerifiedToken, nowS: number): void {
  try {
    assertTime(hit.payload, nowS, v.clockTolerance, v.maxTokenAge)
    assertHeaderExpiry(hit.auth.header, nowS, v.clockTolerance)
  } catch (err) {
    v.cache!.delete(authorization)
    throw err
  }
}

/** Remembers a token that passed steps 1–4, until its `exp` (plus tolerance) at the latest. */
function rememberToken(cache: VerifiedTokenCache, authorization: string, verified: VerifiedToken, nowS: number, tolerance: number): void {
  cache.set(authorization, verified, (verified.payload.exp as number) + tolerance - nowS)
}

/**
 * Runs every step in order; resolves with the verified token or rejects with a `BearerError`.
 * A cache hit and a fresh verification are separate functions, so V8 optimises each for its
 * own path (one function for both made the fresh path up to 25% slower after hits).
 */
export function runPipeline(
  v: ResolvedVerifier,
  authorization: AuthorizationInput,
  request: VerifyRequestOptions = NO_REQUIREMENTS,
  obs?: Observation,
): Promise<BearerAuth> {
  return v.opaque === undefined ? runJwt(v, authorization, request, obs) : runRouted(v, v.opaque, authorization, request, obs)
}

/**
 * Step 1 with opaque credentials: route by shape (`credential-route.ts`), then that credential's
 * path. A JWT goes on to the JWT pipeline with no extra promise in between.
 */
function runRouted(v: ResolvedVerifier, o: OpaqueRouting, authorization: AuthorizationInput, request: VerifyRequestOptions, obs: Observation | undefined): Promise<BearerAuth> {
  let routed: RoutedCredential
  try {
    routed = routeRequest(o, authorization, request, v.maxTokenSize)
  } catch (err) {
    return inContext(v, err, 'Bearer').then((e) => Promise.reject(e))
  }
  return routed.route === 'jwt' ? runJwt(v, authorization, request, obs) : runOpaque(v, o, routed, request)
}

async function runOpaque(v: ResolvedVerifier, o: OpaqueRouting, routed: RoutedCredential, request: VerifyRequestOptions): Promise<BearerAuth> {
  try {
    return routed.route === 'api_key' ? await verifyApiKeyCredential(o, routed.credential, request) : await verifyIntrospectedCredential(o, routed.credential, request)
  } catch (err) {
    throw await inContext(v, err, 'Bearer')
  }
}

/** The JWT pipeline: a cache hit, or every step. */
function runJwt(v: ResolvedVerifier, authorization: AuthorizationInput, request: VerifyRequestOptions, obs: Observation | undefined): Promise<BearerAuth> {
  // 0. a token this verifier verified before: format, signature and claims are functions of the
  // token and the configuration, so they hold while its key does; everything else is re-checked.
  const entryKey = v.cache === undefined ? undefined : cacheKey(authorization)
  const hit = cachedToken(v, entryKey)
  return hit === undefined ? verifyFresh(v, authorization, entryKey, request, obs) : answerFromCache(v, authorization, entryKey!, hit, request, obs)
}

/**
 * The verifier is the boundary of its challenges: the steps below it throw in the default
 * realm, and every failure leaves here with the verifier's own realm, schemes (DPoP `algs`),
 * `resource_metadata`, the scheme of the request, and a fresh `DPoP-Nonce` when the verifier
 * issues nonces (one place, not a parameter of every step).
 */
async function inContext(v: ResolvedVerifier, err: unknown, scheme: AuthScheme | undefined): Promise<unknown> {
  if (!BearerError.is(err)) return err
  v.hints.report(err)
  const nonces = v.binding.dpop?.nonces
  let dpopNonce: string | undefined
  if (nonces !== undefined && err.status === 401) {
    try {
      dpopNonce = await nonces.current()
    } catch {
      // No nonce to hand out: the challenge still answers.
    }
  }
  return err.inContext(v.challenge, { scheme, dpopNonce })
}

/** For the outcome event (while someone listens): a cached token, verified before. */
function noteCached(obs: Observation, hit: VerifiedToken): void {
  obs.cached = true
  obs.header = hit.auth.header
  obs.payload = hit.payload
  obs.verified = true
}

/** For the outcome event: a token read afresh, not verified yet. */
function noteToken(obs: Observation, token: ParsedToken): void {
  obs.cached = false
  obs.header = token.header
  obs.payload = token.payload
  obs.verified = false
}

/** Steps 2, 3, 5 and 6 for a cached token; a key that changed sends it through every step. */
async function answerFromCache(
  v: ResolvedVerifier,
  authorization: AuthorizationInput,
  entryKey: string,
  hit: VerifiedToken,
  request: VerifyRequestOptions,
  obs: Observation | undefined,
): Promise<BearerAuth> {
  if (obs !== undefined) noteCached(obs, hit)
  const scheme = hit.auth.scheme ?? 'Bearer'
  try {
    let nowS = clockSeconds(v)
    // 1b. a DPoP request's proof header: the cache never skips the proof
    const proof = scheme === 'DPoP' ? parseProof(v.binding.dpop!, v.signature, request.dpop) : undefined
    // 2. with an issuers resolver, the tenant again: one no longer trusted (or rebuilt) sends the token through every step.
    if (v.directory?.dynamic) {
      const selected = v.directory.select(hit.payload)
      let tenant: Tenant
      if (isPromise(selected)) {
        tenant = await selected
        nowS = clockSeconds(v) // the resolver may have gone to the network: read the clock again
      } else tenant = selected
      if (tenant.keys !== hit.keys) {
        v.cache!.delete(entryKey)
        return await verifyFresh(v, authorization, entryKey, request, obs)
      }
    }
    // 2. the key, looked up again: a key set refetched, withdrawn or unreachable since then
    // answers as it would for a new token (a new key object means verifying afresh).
    const found = resolveKey(hit.keys, hit.auth.header, hit.alg)
    let current: VerificationKey
    if (isPromise(found)) {
      current = await found
      nowS = clockSeconds(v) // the lookup went to the network: read the clock again
    } else current = found
    if (current !== hit.key) {
      v.cache!.delete(entryKey)
      return await verifyFresh(v, authorization, entryKey, request, obs)
    }
    // 3. time
    assertCachedTime(v, entryKey, hit, nowS)
    // 4b. binding: checked on every request, cached or not
    const binding = assertBinding(v.binding, scheme, { raw: hit.auth.token, payload: hit.payload }, proof, request, nowS, v.clockTolerance)
    if (binding !== undefined) await binding
    const answered = checkRequest(v, hit.auth, request)
    return isPromise(answered) ? await answered : answered
  } catch (err) {
    throw await inContext(v, err, scheme)
  }
}

/** Every step, for a token not in the cache; remembers it when it passes steps 1–4. */
async function verifyFresh(
  v: ResolvedVerifier,
  authorization: AuthorizationInput,
  entryKey: string | undefined,
  request: VerifyRequestOptions,
  obs: Observation | undefined,
): Promise<BearerAuth> {
  let scheme: AuthScheme | undefined
  try {
    let nowS = clockSeconds(v)
    // 1. format
    const credentials: Credentials = v.bareToken
      ? { scheme: 'Bearer', token: readBareToken(authorization, v.maxTokenSize) }
      : readCredentials(authorization, v.maxTokenSize, v.binding.dpop !== undefined)
    scheme = credentials.scheme
    if (scheme === 'Bearer' && v.binding.dpop?.required === true) throw new BearerError('dpop_required')
    // 1b. a DPoP request's proof header, before any work on the token
    const proof = scheme === 'DPoP' ? parseProof(v.binding.dpop!, v.signature, request.dpop) : undefined
    const token = parseCredentialToken(v, credentials)
    if (obs !== undefined) noteToken(obs, token)
    // 2. header policy, key and signature: nothing below runs on an unverified token
    const selected = selectTenant(v, token.payload)
    let tenant: Tenant
    if (isPromise(selected)) {
      tenant = await selected
      nowS = clockSeconds(v) // the issuers resolver may have gone to the network: read the clock again
    } else tenant = selected
    const alg = assertHeader(token.header, tenant.header)
    const found = resolveKey(tenant.keys, token.header, alg)
    let key: VerificationKey
    if (isPromise(found)) {
      key = await found
      nowS = clockSeconds(v) // the lookup went to the network: read the clock again
    } else key = found
    const checking = assertSignature(v.signature, key, alg, token)
    if (checking !== undefined) await checking
    if (obs !== undefined) obs.verified = true
    // 3. time
    assertTime(token.payload, nowS, v.clockTolerance, v.maxTokenAge)
    assertHeaderExpiry(token.header, nowS, v.clockTolerance)
    // 4. iss / aud / registered claim types / required claims / custom schema
    assertRegisteredClaims(token.payload, tenant.claims)
    if (v.claimValues.length > 0) assertClaimValues(token.payload, v.claimValues)
    const checked = v.claimsSchema ? applyClaimsSchema(v.claimsSchema, token.payload) : token.payload
    const claims = (isPromise(checked) ? await checked : checked) as JwtClaims
    // 4b. a sender-constrained token is used by its holder (a failure is not cached)
    const binding = assertBinding(v.binding, scheme, token, proof, request, nowS, v.clockTolerance)
    if (binding !== undefined) await binding
    // 5a. the scopes, roles and permissions the token grants (a malformed claim is the token's fault: not cached)
    const scopes = grantedScopes(token.payload, v.scopeClaims)
    const roles = grantedRoles(token.payload, v.roleClaims)
    const permissions = grantedPermissions(token.payload)
    // Frozen: with the cache on, the same result answers every request bearing this token.
    const auth: JwtAuth = Object.freeze({
      kind: 'jwt',
      token: token.raw,
      claims: deepFreeze(claims),
      scopes: Object.freeze(scopes),
      roles: Object.freeze(roles),
      permissions: Object.freeze(permissions),
      header: deepFreeze(token.header),
      scheme,
    })
    if (entryKey !== undefined) {
      rememberToken(v.cache!, entryKey, { auth, payload: deepFreeze(token.payload), keys: tenant.keys, key, alg }, nowS, v.clockTolerance)
    }
    const answered = checkRequest(v, auth, request)
    return isPromise(answered) ? await answered : answered
  } catch (err) {
    throw await inContext(v, err, scheme)
  }
}

/** Steps 5 and 6: what this request requires of a verified token. Synchronous unless there is a revocation hook. */
function checkRequest(v: ResolvedVerifier, auth: JwtAuth, request: VerifyRequestOptions): JwtAuth | Promise<JwtAuth> {
  // 5. scopes
  if (request.scopes) assertScopes(auth.scopes, request.scopes, request.scopeMode ?? 'all')
  // 6. revocation
  if (!v.isRevoked) return auth
  return assertNotRevoked(v.isRevoked, auth.claims, { token: auth.token, header: auth.header }, v.revocationTimeoutMs).then(() => auth)
}
