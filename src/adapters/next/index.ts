/**
 * @module
 * `tokengate/next`: `withBearer(handler, options)` wraps an App Router route handler and
 * passes it `auth`; `bearerMiddleware(options)` guards paths from `middleware.ts` (edge
 * runtime) or `proxy.ts`. Only the Fetch `Request`/`Response`: nothing from `next` is imported.
 */
import type { BearerAuth } from '../../lib/result.js'
import { BearerError, DEFAULT_REALM } from '../../errors/bearer-error.js'
import { bearerOnly, type ChallengeContext } from '../../errors/www-authenticate.js'
import { ConfigError } from '../../errors/config-error.js'
import { runGuard, type Guard } from '../../guards/guard.js'
import { requireAnyScopeGuard, requireScopesGuard } from '../../guards/scopes.js'
import { requireAnyRoleGuard, requirePermissionsGuard, requireRolesGuard } from '../../guards/roles.js'
import { requireClaimGuard } from '../../guards/claims.js'
import type { BaseClaims, ClaimExpectation, ClaimExpectationAt, ClaimPathArg, RequireClaimOptions } from '../../guards/claim-types.js'
import { requireAuthLevelGuard, type AuthLevelRequirement } from '../../guards/auth-level.js'
import { metadataResponse, type ProtectedResourceMetadataOptions } from '../../metadata/protected-resource.js'
import { parseBindingSettings, PREFLIGHT_STATUS, resolveAdapter, setDpopNonce, type AdapterOptions, type BindingSettings, type RequestBinding, type RequestView, type ResolvedAdapter, type ThrottleSettings } from '../runtime.js'
import { authenticateRequest, isPreflightRequest, requestBinding } from '../fetch-request.js'

export type { AdapterOptions, AdapterSettings, BindingSettings, SharedVerifierOptions, ThrottleSettings } from '../runtime.js'
export type { ThrottleOptions } from '../../throttle/throttle.js'
export type { ThrottleStore } from '../../throttle/store.js'
export type { AuthLevelRequirement } from '../../guards/auth-level.js'
export type { ProtectedResourceMetadataOptions } from '../../metadata/protected-resource.js'
export type { Guard } from '../../guards/guard.js'
export type { ClaimAt, ClaimExpectation, ClaimExpectationAt, ClaimPath, ClaimPathArg, ClaimPredicate, ClaimValue, RequireClaimOptions } from '../../guards/claim-types.js'

/** Answers a failure your way: return the `Response` to send. */
export type NextErrorHandler = (err: BearerError, request: Request) => Response | Promise<Response>

/** Options of `withBearer` and `bearerMiddleware` from `tokengate/next`. */
export type NextBearerOptions<C extends object = object> = AdapterOptions<C> & BindingSettings<Request> & ThrottleSettings<Request> & {
  /** Customises failure responses. Default `err.toResponse()`: RFC 9457 problem+json with `WWW-Authenticate`. */
  readonly onError?: NextErrorHandler
  /**
   * Checks every request must pass after verification, in order: `requireRoles(...)`,
   * `requirePermissions(...)`, `requireClaim(...)`, ... from `tokengate/next`. A request without
   * `auth` (optional auth, no token) gets 401 before any guard runs. Default none.
   */
  readonly guards?: readonly Guard[]
}

/** The route handler's context with the verified token added. */
export type AuthContext<Ctx, A> = Ctx & { readonly auth: A }

/** The context Next passes a route handler (`params` is a Promise since Next 15). */
export type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> }

type Handler<Req, Ctx, A> = (request: Req, context: AuthContext<Ctx, A>) => Response | Promise<Response>

/** A Next.js `Request` carries no client address (`request.ip` is gone since Next 15): `throttle.key` is required. */
const VIEW: RequestView<Request> = {
  noAddress: "Next.js gives no client address: pass key, e.g. (request) => request.headers.get('x-real-ip') ?? undefined on Vercel (the platform sets it), or the header your own proxy sets",
}

/** Validates the options once: the adapter, and how its failures are answered. */
function resolveNextAdapter<C extends object>(options: NextBearerOptions<C>) {
  const { onError, guards = [], url, certificate, ...rest } = options ?? ({} as NextBearerOptions<C>)
  parseBindingSettings('next', { url, certificate })
  const binding = (request: Request): RequestBinding =>
    requestBinding(request, { url: url === undefined ? undefined : () => url(request), certificate: certificate === undefined ? undefined : () => certificate(request) })
  if (onError !== undefined && typeof onError !== 'function') throw new ConfigError('next', 'onError', 'expected a function (err, request) => Response')
  if (!Array.isArray(guards)) throw new ConfigError('next', 'guards', 'expected a list of guards, e.g. [requireRoles("admin")]')
  guards.forEach((g: unknown, i) => {
    if (typeof g !== 'object' || g === null || typeof (g as Guard).check !== 'function') {
      throw new ConfigError('next', `guards.${i}`, 'expected a guard from tokengate/next, e.g. requireRoles("admin")')
    }
  })
  // Lazy: `next build` imports route modules without the runtime environment the options are
  // usually read from (process.env.ISSUER!, ...); they are checked on the first request.
  const a = resolveAdapter('next', rest as AdapterOptions<C> & ThrottleSettings<Request>, VIEW, true)
  const fail = (err: unknown, request: Request): Response | Promise<Response> => {
    if (!BearerError.is(err)) throw err
    return onError ? onError(err, request) : err.toResponse()
  }
  /** Verifies the request, then runs the guards on it (cached tokens too). */
  const check = async (request: Request, parts: RequestBinding): Promise<BearerAuth<C> | undefined> => {
    const auth = await authenticateRequest(a, request, parts, request)
    for (const guard of guards) await runGuard(guard, auth, a.challenge)
    return auth
  }
  return { a, fail, binding, check }
}

// What a guard wrapped inside withBearer needs of it: the verifier's challenge, by request.
const challenges = new WeakMap<Request, ChallengeContext>()
const challengeOf = (request: Request): ChallengeContext => challenges.get(request) ?? bearerOnly(DEFAULT_REALM)

/** The handler's response with the `DPoP-Nonce` of the request (RFC 9449 §8.2), copied when its headers are immutable. */
async function withDpopNonce<C extends object, Req>(a: ResolvedAdapter<C, Req>, parts: RequestBinding, response: Response): Promise<Response> {
  let out = response
  const setting = setDpopNonce(a, parts, (nonce) => {
    try {
      response.headers.set('DPoP-Nonce', nonce)
    } catch {
      out = new Response(response.body, response)
      out.headers.set('DPoP-Nonce', nonce)
    }
  })
  if (setting !== undefined) await setting
  return out
}

/**
 * Wraps an App Router route handler: the request is verified before the handler runs, and
 * the handler gets `auth` beside `params`. Failures answer with problem+json and the
 * `WWW-Authenticate` challenge. Build the options once per module (or share a verifier).
 *
 * Import from `tokengate/next`.
 *
 * @example
 * // app/api/orders/route.ts
 * export const GET = withBearer(async (req, { auth }) => Response.json({ sub: auth.claims.sub }),
 *   { issuer, audience, jwksUri, scopes: ['read:orders'] })
 */
export function withBearer<C extends object = object, Ctx = RouteContext, Req extends Request = Request>(
  handler: Handler<Req, Ctx, BearerAuth<C> | undefined>,
  options: NextBearerOptions<C> & { readonly credentialsRequired: false },
): (request: Req, context: Ctx) => Promise<Response>
export function withBearer<C extends object = object, Ctx = RouteContext, Req extends Request = Request>(
  handler: Handler<Req, Ctx, BearerAuth<C>>,
  options: NextBearerOptions<C>,
): (request: Req, context: Ctx) => Promise<Response>
export function withBearer<C extends object, Ctx, Req extends Request>(
  handler: Handler<Req, Ctx, BearerAuth<C> | undefined>,
  options: NextBearerOptions<C>,
): (request: Req, context: Ctx) => Promise<Response> {
  if (typeof handler !== 'function') throw new ConfigError('next', 'handler', 'withBearer(handler, options) takes the route handler first')
  const { a, fail, binding, check } = resolveNextAdapter(options)
  return async function tokengateRoute(request, context) {
    // A CORS preflight is answered here: the handler (maybe exported for OPTIONS too) never runs
    // without auth, so `auth` is always there when credentials are required.
    if (a.answerPreflight && isPreflightRequest(request)) return new Response(null, { status: PREFLIGHT_STATUS })
    let auth: BearerAuth<C> | undefined
    const parts = binding(request)
    challenges.set(request, a.challenge)
    try {
      auth = await check(request, parts)
    } catch (err) {
      return fail(err, request)
    }
    return withDpopNonce(a, parts, await handler(request, { ...context, auth } as AuthContext<Ctx, BearerAuth<C> | undefined>))
  }
}

/** Options of `bearerMiddleware`. */
export type NextMiddlewareOptions<C extends object = object> = NextBearerOptions<C> & {
  /**
   * Runs after a successful check. Return a `Response` (for instance
   * `NextResponse.next({ request: { headers } })` to forward claims as headers) or nothing
   * to let the request continue.
   */
  readonly onAuthenticated?: (auth: BearerAuth<C> | undefined, request: Request) => Response | undefined | Promise<Response | undefined>
}

/**
 * A Next.js `middleware.ts` (edge runtime) or `proxy.ts` function: answers failures with
 * problem+json and lets verified requests continue. Scope its paths with `config.matcher`.
 *
 * Import from `tokengate/next`.
 *
 * @example
 * // middleware.ts
 * export const middleware = bearerMiddleware({ issuer, audience, jwksUri })
 * export const config = { matcher: '/api/:path*' }
 */
export function bearerMiddleware<C extends object = object>(options: NextMiddlewareOptions<C>): (request: Request) => Promise<Response | undefined> {
  const { onAuthenticated, ...rest } = options ?? ({} as NextMiddlewareOptions<C>)
  if (onAuthenticated !== undefined && typeof onAuthenticated !== 'function') {
    throw new ConfigError('next', 'onAuthenticated', 'expected a function (auth, request) => Response | undefined')
  }
  const { a, fail, binding, check } = resolveNextAdapter(rest as NextBearerOptions<C>)
  return async function tokengateMiddleware(request) {
    if (a.answerPreflight && isPreflightRequest(request)) return new Response(null, { status: PREFLIGHT_STATUS })
    let auth: BearerAuth<C> | undefined
    try {
      // A continuing request carries no DPoP-Nonce (the route's withBearer adds it; challenges always do).
      auth = await check(request, binding(request))
    } catch (err) {
      return fail(err, request)
    }
    return onAuthenticated ? onAuthenticated(auth, request) : undefined
  }
}

/**
 * A guard for the `guards` option of `withBearer` / `bearerMiddleware`: every listed scope is
 * required, else 403 `insufficient_scope` naming them (the `scopes` option does the same).
 *
 * Import from `tokengate/next`.
 *
 * @example
 * export const DELETE = withBearer(handler, { verifier, guards: [requireScopes('write:orders')] })
 */
export function requireScopes(...scopes: string[]): Guard {
  return requireScopesGuard(scopes)
}

/**
 * A guard: one of the listed scopes is enough.
 *
 * Import from `tokengate/next`.
 *
 * @example
 * export const GET = withBearer(handler, { verifier, guards: [requireAnyScope('read:reports', 'admin')] })
 */
export function requireAnyScope(...scopes: string[]): Guard {
  return requireAnyScopeGuard(scopes)
}

/**
 * A guard: every listed role is required in `auth.roles` (the verifier's `roleClaims`), else
 * 403 `insufficient_scope` with reason `role_missing`.
 *
 * Import from `tokengate/next`.
 *
 * @example
 * export const DELETE = withBearer(handler, { verifier, guards: [requireRoles('admin')] })
 */
export function requireRoles(...roles: string[]): Guard {
  return requireRolesGuard(roles)
}

/**
 * A guard: one of the listed roles is enough.
 *
 * Import from `tokengate/next`.
 *
 * @example
 * export const middleware = bearerMiddleware({ verifier, guards: [requireAnyRole('admin', 'auditor')] })
 */
export function requireAnyRole(...roles: string[]): Guard {
  return requireAnyRoleGuard(roles)
}

/**
 * A guard: every listed Auth0-style RBAC permission is required, else 403
 * `insufficient_scope` with reason `permission_missing`.
 *
 * Import from `tokengate/next`.
 *
 * @example
 * export const POST = withBearer(handler, { verifier, guards: [requirePermissions('create:messages')] })
 */
export function requirePermissions(...permissions: string[]): Guard {
  return requirePermissionsGuard(permissions)
}

/**
 * A guard: the claim at `path` must equal `expected` (or be an array including it), be one
 * of a list, or satisfy a predicate (which may be async), else 403 `insufficient_scope`
 * with reason `claim_mismatch` and `description` as the `error_description`.
 *
 * Import from `tokengate/next`.
 *
 * @example
 * export const GET = withBearer(handler, { verifier, guards: [requireClaim('org.plan', 'pro', { description: 'A paid plan is required' })] })
 */
export function requireClaim<const P extends ClaimPathArg<BaseClaims>>(path: P, expected: ClaimExpectationAt<BaseClaims, P>, options?: RequireClaimOptions): Guard
export function requireClaim(path: readonly string[], expected: ClaimExpectation<unknown>, options?: RequireClaimOptions): Guard
export function requireClaim(path: string | readonly string[], expected: unknown, options?: RequireClaimOptions): Guard {
  return requireClaimGuard(path, expected, options)
}

/**
 * Wraps a route handler that `withBearer` already wraps, adding RFC 9470 step-up: the token's
 * `acr` must be one of `acr` and its `auth_time` within `maxAge`, else 401
 * `insufficient_user_authentication` with `acr_values` / `max_age`.
 *
 * Import from `tokengate/next`.
 *
 * @example
 * export const POST = withBearer(requireAuthLevel({ acr: ['urn:example:mfa'], maxAge: '5m' }, handler), options)
 */
export function requireAuthLevel<Req extends Request, Ctx extends { readonly auth: BearerAuth | undefined }>(
  requirement: AuthLevelRequirement,
  handler: (request: Req, context: Ctx) => Response | Promise<Response>,
): (request: Req, context: Ctx) => Promise<Response> {
  const guard = requireAuthLevelGuard(requirement)
  if (typeof handler !== 'function') throw new ConfigError('next', 'handler', 'requireAuthLevel(requirement, handler) takes the route handler second')
  return async (request, context) => {
    try {
      await runGuard(guard, context.auth, challengeOf(request))
    } catch (err) {
      if (!BearerError.is(err)) throw err
      return err.toResponse()
    }
    return handler(request, context)
  }
}

/**
 * A `GET` route handler answering the RFC 9728 protected resource metadata document (JSON,
 * cacheable, readable from any origin), for `app/.well-known/oauth-protected-resource/route.ts`.
 *
 * Import from `tokengate/next`.
 *
 * @example
 * // app/.well-known/oauth-protected-resource/route.ts
 * export const GET = resourceMetadataHandler({ resource: 'https://api.example.com', authorizationServers: [issuer] })
 */
export function resourceMetadataHandler(options: ProtectedResourceMetadataOptions): () => Response {
  const { body, headers } = metadataResponse(options)
  return () => new Response(body, { status: 200, headers })
}
