/**
 * @module
 * `tokengate/lambda`: `createAuthorizer(options)` for API Gateway Lambda authorizers (REST
 * `TOKEN` / `REQUEST`, HTTP API payload 1.0 and 2.0) and `withBearer(handler, options)` for
 * proxy integrations (payload 1.0 and 2.0, function URLs). Build either at module scope: the
 * verifier, and with it the key cache, lives as long as the warm container.
 */
import type { BearerAuth } from '../../lib/result.js'
import { BearerError } from '../../errors/bearer-error.js'
import { ConfigError } from '../../errors/config-error.js'
import { fn, parseOptions, v, type OptionSchema } from '../../lib/schema.js'
import { runGuard, type Guard } from '../../guards/guard.js'
import { requireAnyScopeGuard, requireScopesGuard } from '../../guards/scopes.js'
import { requireAnyRoleGuard, requirePermissionsGuard, requireRolesGuard } from '../../guards/roles.js'
import { requireClaimGuard } from '../../guards/claims.js'
import type { BaseClaims, ClaimExpectation, ClaimExpectationAt, ClaimPathArg, RequireClaimOptions } from '../../guards/claim-types.js'
import { authenticate, isPreflight, PREFLIGHT_STATUS, resolveAdapter, type AdapterOptions, type ResolvedAdapter } from '../runtime.js'
import { authorizationOf, headerOf } from './headers.js'
import type { AuthorizerContext, AuthorizerEvent, HttpApiAuthorizerEvent, IamAuthorizerResult, ProxyEventV1, ProxyEventV2, ProxyResult, RequestAuthorizerEvent, SimpleAuthorizerResult, TokenAuthorizerEvent } from './events.js'

export type * from './events.js'
export type { AdapterOptions, AdapterSettings, SharedVerifierOptions } from '../runtime.js'
export type { ClaimAt, ClaimExpectation, ClaimExpectationAt, ClaimPath, ClaimPathArg, ClaimPredicate, ClaimValue, RequireClaimOptions } from '../../guards/claim-types.js'

/** A route requirement for `guards` (`requireScopes(...)`, ...): checked after the token. */
export type LambdaGuard = Guard

/** Options of `createAuthorizer` and `withBearer`. */
export type LambdaOptions<C extends object = object> = AdapterOptions<C> & {
  /** Checks every request must pass after the token, e.g. `[requireScopes('read:orders')]`. */
  readonly guards?: readonly LambdaGuard[]
}

/** Options of `createAuthorizer`. */
export type AuthorizerOptions<C extends object = object> = LambdaOptions<C> & {
  /** The answer to HTTP API payload 2.0 events: `simple` (`isAuthorized`, the default) or `iam`. REST events always get IAM policies. */
  readonly responseFormat?: 'simple' | 'iam'
  /** What an IAM policy covers: the whole `stage` (default; safe with authorizer caching) or only the invoked `method`. */
  readonly policyResource?: 'stage' | 'method'
  /** Extra values for the authorizer context, beside `sub` and `scope`. */
  readonly context?: (auth: BearerAuth<C>) => AuthorizerContext
}

/** The authorizer handler: an IAM policy for REST events; for HTTP API 2.0 events, per `responseFormat`. */
export interface Authorizer<F extends 'simple' | 'iam' = 'simple'> {
  (event: TokenAuthorizerEvent | RequestAuthorizerEvent, context?: unknown): Promise<IamAuthorizerResult>
  (event: HttpApiAuthorizerEvent, context?: unknown): Promise<F extends 'iam' ? IamAuthorizerResult : SimpleAuthorizerResult>
}

const OWN = { guards: v.optional(v.array(v.object({ name: v.string(), check: fn() }), 'expected guards, e.g. [requireScopes("read")]')) }
const authorizerSchema = v.object({
  ...OWN,
  responseFormat: v.optional(v.picklist(['simple', 'iam'], "expected 'simple' or 'iam'")),
  policyResource: v.optional(v.picklist(['stage', 'method'], "expected 'stage' or 'method'")),
  context: v.optional(fn()),
})

/** Splits our keys from the adapter's, validates them, and resolves the adapter. */
function setup(schema: OptionSchema & { readonly entries: object }, options: object) {
  if (typeof options !== 'object' || options === null) throw new ConfigError('lambda', 'options', 'expected the verifier options, e.g. { issuer, audience, jwksUri }, or { verifier }')
  const keys = Object.keys(schema.entries)
  const own = parseOptions('lambda', schema, Object.fromEntries(keys.map((k) => [k, (options as Record<string, unknown>)[k]]))) as Record<string, unknown>
  const rest = Object.fromEntries(Object.entries(options).filter(([k]) => !keys.includes(k)))
  return { own, a: resolveAdapter('lambda', rest as AdapterOptions) }
}

/** Runs the guards on a verified request; rejects with a `BearerError` when one fails. */
async function guard(a: ResolvedAdapter, guards: readonly Guard[], auth: BearerAuth | undefined): Promise<void> {
  for (const g of guards) await runGuard(g, auth, a.realm)
}

/** `arn:aws:execute-api:region:account:api/stage/VERB/path` → `.../api/stage/*`. */
const stageOf = (arn: string): string => (arn.split('/').length >= 3 ? `${arn.split('/', 2).join('/')}/*` : arn)

/**
 * An API Gateway Lambda authorizer. A missing or invalid token throws `Unauthorized` (API
 * Gateway answers 401); a valid token lacking a scope or failing a guard gets a Deny (403);
 * a key or store outage throws (500), never Allow. The context carries `sub` and `scope`
 * (space-delimited).
 *
 * Import from `tokengate/lambda`.
 *
 * @example
 * export const handler = createAuthorizer({ issuer, audience, jwksUri, scopes: ['read:orders'] })
 */
export function createAuthorizer<C extends object = object>(options: AuthorizerOptions<C> & { readonly responseFormat: 'iam' }): Authorizer<'iam'>
export function createAuthorizer<C extends object = object>(options: AuthorizerOptions<C>): Authorizer<'simple'>
export function createAuthorizer<C extends object>(options: AuthorizerOptions<C>): Authorizer<'simple' | 'iam'> {
  const { own, a } = setup(authorizerSchema, options)
  const guards = (own.guards ?? []) as readonly Guard[]
  const extra = own.context as AuthorizerOptions['context']
  const simple = own.responseFormat !== 'iam'
  const resource = (arn: string) => (own.policyResource === 'method' ? arn : stageOf(arn))

  return async function tokengateAuthorizer(event: AuthorizerEvent): Promise<IamAuthorizerResult & SimpleAuthorizerResult> {
    const v2 = 'routeArn' in event
    const arn = v2 ? event.routeArn : event.methodArn
    let auth: BearerAuth | undefined
    let allow = true
    try {
      // An authorizer always verifies: no preflight pass, since its Allow may be cached for the stage.
      const authorization = event.type === 'TOKEN' ? event.authorizationToken : authorizationOf(a.header, event.headers, v2 ? undefined : event.multiValueHeaders)
      auth = await authenticate(a, authorization)
      await guard(a, guards, auth)
    } catch (err) {
      if (!BearerError.is(err) || err.status === 503) throw err
      if (err.status !== 403) throw new Error('Unauthorized')
      allow = false
    }
    const context: AuthorizerContext | undefined = auth && { ...extra?.(auth as BearerAuth<C>), sub: auth.claims.sub ?? '', scope: auth.scopes.join(' ') }
    if (v2 && simple) return { isAuthorized: allow, ...(allow && context ? { context } : {}) } as IamAuthorizerResult & SimpleAuthorizerResult
    const Statement: IamAuthorizerResult['policyDocument']['Statement'] = [{ Action: 'execute-api:Invoke', Effect: allow ? 'Allow' : 'Deny', Resource: resource(arn) }]
    return { principalId: auth?.claims.sub ?? 'anonymous', policyDocument: { Version: '2012-10-17', Statement }, ...(allow && context ? { context } : {}) } as IamAuthorizerResult & SimpleAuthorizerResult
  } as Authorizer<'simple' | 'iam'>
}

/** A failure as a proxy result: status, `WWW-Authenticate`, problem+json. */
function problem(err: BearerError): ProxyResult {
  return {
    statusCode: err.status,
    headers: { ...err.headers, 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' },
    body: JSON.stringify(err.toProblem()),
  }
}

type ProxyHandler<E, Ctx, A, R> = (event: E, context: Ctx, auth: A) => R | Promise<R>

/**
 * Wraps a proxy-integration handler (payload 1.0 or 2.0): the request is verified first and
 * the handler gets `auth` as its third argument. Failures answer with the status,
 * `WWW-Authenticate` and `application/problem+json`.
 *
 * Import from `tokengate/lambda`.
 *
 * @example
 * export const handler = withBearer(async (event, context, auth) => ({ statusCode: 200, body: auth.claims.sub ?? '' }),
 *   { issuer, audience, jwksUri, guards: [requireScopes('read:orders')] })
 */
export function withBearer<E extends ProxyEventV1 | ProxyEventV2, R, C extends object = object, Ctx = unknown>(
  handler: ProxyHandler<E, Ctx, BearerAuth<C> | undefined, R>,
  options: LambdaOptions<C> & { readonly credentialsRequired: false },
): (event: E, context: Ctx) => Promise<R | ProxyResult>
export function withBearer<E extends ProxyEventV1 | ProxyEventV2, R, C extends object = object, Ctx = unknown>(
  handler: ProxyHandler<E, Ctx, BearerAuth<C>, R>,
  options: LambdaOptions<C>,
): (event: E, context: Ctx) => Promise<R | ProxyResult>
export function withBearer<E extends ProxyEventV1 | ProxyEventV2, R, C extends object, Ctx>(
  handler: ProxyHandler<E, Ctx, never, R>,
  options: LambdaOptions<C>,
): (event: E, context: Ctx) => Promise<R | ProxyResult> {
  if (typeof handler !== 'function') throw new ConfigError('lambda', 'handler', 'withBearer(handler, options) takes the handler first')
  const { own, a } = setup(v.object(OWN), options)
  const guards = (own.guards ?? []) as readonly Guard[]
  return async function tokengateProxy(event, context) {
    const v1 = 'httpMethod' in event
    const method = v1 ? event.httpMethod : event.requestContext?.http?.method
    const headers = event.headers
    let auth: BearerAuth | undefined
    try {
      // Answered here (204): the handler never runs unauthenticated.
      if (a.answerPreflight && isPreflight(method, headerOf(headers, 'access-control-request-method'))) return { statusCode: PREFLIGHT_STATUS, headers: {}, body: '' }
      auth = await authenticate(a, authorizationOf(a.header, headers, v1 ? event.multiValueHeaders : undefined), undefined, authorizationOf('x-api-key', headers, v1 ? event.multiValueHeaders : undefined))
      await guard(a, guards, auth)
    } catch (err) {
      if (!BearerError.is(err)) throw err
      return problem(err)
    }
    return handler(event, context, auth as never)
  }
}

/**
 * A guard for `guards`: every listed scope is required, else 403 `insufficient_scope`
 * (a Deny from an authorizer).
 *
 * Import from `tokengate/lambda`.
 *
 * @example
 * export const handler = createAuthorizer({ issuer, audience, jwksUri, guards: [requireScopes('read:orders')] })
 */
export const requireScopes = (...scopes: string[]): LambdaGuard => requireScopesGuard(scopes)

/**
 * A guard for `guards`: one of the listed scopes is enough.
 *
 * Import from `tokengate/lambda`.
 *
 * @example
 * export const handler = withBearer(handle, { issuer, audience, jwksUri, guards: [requireAnyScope('read', 'admin')] })
 */
export const requireAnyScope = (...scopes: string[]): LambdaGuard => requireAnyScopeGuard(scopes)

/**
 * A guard for `guards`: every listed role is required in `auth.roles` (the verifier's
 * `roleClaims`, e.g. Cognito's `cognito:groups` with the `cognito` preset), else 403 with
 * reason `role_missing` (a Deny from an authorizer).
 *
 * Import from `tokengate/lambda`.
 *
 * @example
 * export const handler = createAuthorizer({ ...cognito({ userPoolId, clientId }), guards: [requireRoles('admins')] })
 */
export const requireRoles = (...roles: string[]): LambdaGuard => requireRolesGuard(roles)

/**
 * A guard for `guards`: one of the listed roles is enough.
 *
 * Import from `tokengate/lambda`.
 *
 * @example
 * export const handler = withBearer(handle, { issuer, audience, jwksUri, guards: [requireAnyRole('admin', 'support')] })
 */
export const requireAnyRole = (...roles: string[]): LambdaGuard => requireAnyRoleGuard(roles)

/**
 * A guard for `guards`: every listed permission is required in the Auth0-style `permissions`
 * claim, else 403 with reason `permission_missing`.
 *
 * Import from `tokengate/lambda`.
 *
 * @example
 * export const handler = withBearer(handle, { issuer, audience, jwksUri, guards: [requirePermissions('read:orders')] })
 */
export const requirePermissions = (...permissions: string[]): LambdaGuard => requirePermissionsGuard(permissions)

/**
 * A guard for `guards`: the claim at `path` (`'org.plan'` or `['org', 'plan']`) must equal
 * `expected` (or be an array including it), be one of a list, or satisfy a predicate (which
 * may be async), else 403 with reason `claim_mismatch` and `description` as the `error_description`.
 *
 * Import from `tokengate/lambda`.
 *
 * @example
 * export const handler = withBearer(handle, { issuer, audience, jwksUri, guards: [requireClaim('plan', 'pro', { description: 'A paid plan is required' })] })
 */
export function requireClaim<const P extends ClaimPathArg<BaseClaims>>(path: P, expected: ClaimExpectationAt<BaseClaims, P>, options?: RequireClaimOptions): LambdaGuard
export function requireClaim(path: readonly string[], expected: ClaimExpectation<unknown>, options?: RequireClaimOptions): LambdaGuard
export function requireClaim(path: string | readonly string[], expected: unknown, options?: RequireClaimOptions): LambdaGuard {
  return requireClaimGuard(path, expected, options)
}
