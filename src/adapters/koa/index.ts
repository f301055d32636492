/**
 * @module
 * `tokengate/koa`: `app.use(bearer(options))` sets `ctx.state.auth`; the guards
 * (`requireScopes(...)`, ...) are route middleware after it. Failures are answered here with
 * `application/problem+json`, the status and `WWW-Authenticate`, or handed to `onError`.
 * Koa 2 and 3; nothing from `koa` at run time.
 */
import type { Context, Middleware, Next } from 'koa'
import type { BearerAuth } from '../../lib/result.js'
import { BearerError, DEFAULT_REALM } from '../../errors/bearer-error.js'
import { ConfigError } from '../../errors/config-error.js'
import { runGuard, type Guard } from '../../guards/guard.js'
import { requireAnyScopeGuard, requireScopesGuard } from '../../guards/scopes.js'
import { requireAnyRoleGuard, requirePermissionsGuard, requireRolesGuard } from '../../guards/roles.js'
import { requireClaimGuard } from '../../guards/claims.js'
import type { BaseClaims, ClaimExpectation, ClaimExpectationAt, ClaimPathArg, RequireClaimOptions } from '../../guards/claim-types.js'
import { authenticate, isPreflight, PREFLIGHT_STATUS, resolveAdapter, type AdapterOptions } from '../runtime.js'

export type { AdapterOptions, AdapterSettings, SharedVerifierOptions } from '../runtime.js'
export type { ClaimAt, ClaimExpectation, ClaimExpectationAt, ClaimPath, ClaimPathArg, ClaimPredicate, ClaimValue, RequireClaimOptions } from '../../guards/claim-types.js'

/** The `ctx.state` `bearer()` fills: `ctx.state.auth`. */
export interface BearerState<C extends object = object> {
  auth: BearerAuth<C>
}
/** The `ctx.state` of optional authentication (`credentialsRequired: false`): `auth` may be `undefined`. */
export interface OptionalBearerState<C extends object = object> {
  auth: BearerAuth<C> | undefined
}

/** Answers a failure your way: set `ctx.status` and `ctx.body`, or throw to reach your error middleware. */
export type KoaErrorHandler = (err: BearerError, ctx: Context) => void | Promise<void>

/** Options of `bearer()` from `tokengate/koa`. */
export type KoaBearerOptions<C extends object = object> = AdapterOptions<C> & {
  /** Customises failure responses. Default: problem+json with the status and `WWW-Authenticate`. */
  readonly onError?: KoaErrorHandler
}

interface RouteState {
  readonly realm: string
  fail(err: unknown, ctx: Context): Promise<void>
}

// What a guard needs of the `bearer()` that ran before it on this request.
const states = new WeakMap<Context, RouteState>()

/** Answers `err` as `application/problem+json` with its status and `WWW-Authenticate`. */
function sendProblem(ctx: Context, err: BearerError): void {
  ctx.status = err.status
  ctx.set({ ...err.headers, 'Cache-Control': 'no-store' })
  ctx.type = 'application/problem+json'
  ctx.body = JSON.stringify(err.toProblem())
}

const answer = (onError: KoaErrorHandler | undefined) => async (err: unknown, ctx: Context) => {
  if (!BearerError.is(err)) throw err
  if (onError) return onError(err, ctx)
  sendProblem(ctx, err)
}

/**
 * Koa middleware that verifies the `Authorization` header and sets `ctx.state.auth`. The
 * verifier is built once, here; CORS preflights are answered here with 204 (mount your CORS
 * middleware before it) unless `preflight: 'verify'`.
 *
 * Import from `tokengate/koa`.
 *
 * @example
 * const app = new Koa()
 * app.use(bearer({ issuer, audience, jwksUri }))
 * app.use((ctx) => { ctx.body = { user: ctx.state.auth.claims.sub } })
 */
export function bearer<C extends object = object>(options: KoaBearerOptions<C> & { readonly credentialsRequired: false }): Middleware<OptionalBearerState<C>>
export function bearer<C extends object = object>(options: KoaBearerOptions<C>): Middleware<BearerState<C>>
export function bearer<C extends object = object>(options: KoaBearerOptions<C>): Middleware<BearerState<C>> | Middleware<OptionalBearerState<C>> {
  const { onError, ...rest } = options ?? ({} as KoaBearerOptions<C>)
  if (onError !== undefined && typeof onError !== 'function') throw new ConfigError('koa', 'onError', 'expected a function (err, ctx) => void')
  const a = resolveAdapter('koa', rest as AdapterOptions<C>)
  const state: RouteState = { realm: a.realm, fail: answer(onError) }

  return async function tokengateBearer(ctx: Context, next: Next) {
    states.set(ctx, state)
    const headers = ctx.req.headers
    if (a.answerPreflight && isPreflight(ctx.method, headers['access-control-request-method'])) {
      // Answered here: headers a CORS middleware set before stay; nothing after runs unauthenticated.
      ctx.status = PREFLIGHT_STATUS
      return
    }
    let auth: BearerAuth<C> | undefined
    try {
      // headersDistinct keeps repeated Authorization fields: two credentials fail as header_malformed.
      auth = await authenticate(a, ctx.req.headersDistinct?.[a.header] ?? headers[a.header], undefined, ctx.req.headersDistinct?.['x-api-key'] ?? headers['x-api-key'])
    } catch (err) {
      return state.fail(err, ctx)
    }
    ctx.state.auth = auth
    await next()
  }
}

// A guard with no bearer() before it on this request (a forgotten middleware): 401, answered here.
const NO_MIDDLEWARE: RouteState = { realm: DEFAULT_REALM, fail: answer(undefined) }

/** A guard as Koa middleware: what follows runs only when the guard passes. */
function guardMiddleware(guard: Guard): Middleware {
  return async function tokengateGuard(ctx: Context, next: Next) {
    const state = states.get(ctx) ?? NO_MIDDLEWARE
    try {
      await runGuard(guard, (ctx.state as Partial<BearerState>).auth, state.realm)
    } catch (err) {
      return state.fail(err, ctx)
    }
    await next()
  }
}

/**
 * Route middleware, after `bearer()`: every listed scope is required, else 403
 * `insufficient_scope` naming them (401 when optional auth let an anonymous request in).
 *
 * Import from `tokengate/koa`.
 *
 * @example
 * router.delete('/orders/:id', requireScopes('write:orders'), handler)
 */
export function requireScopes(...scopes: string[]): Middleware {
  return guardMiddleware(requireScopesGuard(scopes))
}

/**
 * Like `requireScopes`, but one of the listed scopes is enough.
 *
 * Import from `tokengate/koa`.
 *
 * @example
 * router.get('/reports', requireAnyScope('read:reports', 'admin'), handler)
 */
export function requireAnyScope(...scopes: string[]): Middleware {
  return guardMiddleware(requireAnyScopeGuard(scopes))
}

/**
 * Route middleware, after `bearer()`: every listed role is required in `auth.roles` (the
 * verifier's `roleClaims`: `roles` by default, a preset's own claim such as Keycloak's
 * `realm_access.roles`), else 403 `insufficient_scope` with reason `role_missing`.
 *
 * Import from `tokengate/koa`.
 *
 * @example
 * router.delete('/users/:id', requireRoles('admin'), handler)
 */
export function requireRoles(...roles: string[]): Middleware {
  return guardMiddleware(requireRolesGuard(roles))
}

/**
 * Like `requireRoles`, but one of the listed roles is enough.
 *
 * Import from `tokengate/koa`.
 *
 * @example
 * router.get('/staff', requireAnyRole('admin', 'support'), handler)
 */
export function requireAnyRole(...roles: string[]): Middleware {
  return guardMiddleware(requireAnyRoleGuard(roles))
}

/**
 * Route middleware, after `bearer()`: every listed permission is required in the Auth0-style
 * `permissions` claim, else 403 `insufficient_scope` with reason `permission_missing`.
 *
 * Import from `tokengate/koa`.
 *
 * @example
 * router.get('/orders', requirePermissions('read:orders'), handler)
 */
export function requirePermissions(...permissions: string[]): Middleware {
  return guardMiddleware(requirePermissionsGuard(permissions))
}

/**
 * Route middleware, after `bearer()`: the claim at `path` (`'org.plan'` or `['org', 'plan']`)
 * must equal `expected` (or be an array including it), be one of a list, or satisfy a
 * predicate (which may be async), else 403 `insufficient_scope` with reason
 * `claim_mismatch` and `description` as the `error_description`.
 *
 * Import from `tokengate/koa`.
 *
 * @example
 * router.get('/billing', requireClaim('org.plan', ['pro', 'enterprise'], { description: 'A paid plan is required' }), handler)
 */
export function requireClaim<const P extends ClaimPathArg<BaseClaims>>(path: P, expected: ClaimExpectationAt<BaseClaims, P>, options?: RequireClaimOptions): Middleware
export function requireClaim(path: readonly string[], expected: ClaimExpectation<unknown>, options?: RequireClaimOptions): Middleware
export function requireClaim(path: string | readonly string[], expected: unknown, options?: RequireClaimOptions): Middleware {
  return guardMiddleware(requireClaimGuard(path, expected, options))
}
