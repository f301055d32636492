/**
 * @module
 * `tokengate/hono`: `app.use('/api/*', bearer(options))`, `c.get('auth')` typed through the
 * middleware's Env, `requireScopes(...)` per route. Failures are thrown as `HTTPException`s
 * carrying the problem+json response, which Hono's error handling returns as is. Built on
 * the Fetch `Request`, so it runs on Node, Workers, Deno, Bun and Vercel Edge alike.
 */
import type { Context, MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import { HTTPException } from 'hono/http-exception'
import type { BearerAuth } from '../../lib/result.js'
import { BearerError, DEFAULT_REALM } from '../../errors/bearer-error.js'
import { ConfigError } from '../../errors/config-error.js'
import { runGuard, type Guard } from '../../guards/guard.js'
import { requireAnyScopeGuard, requireScopesGuard } from '../../guards/scopes.js'
import { requireAnyRoleGuard, requirePermissionsGuard, requireRolesGuard } from '../../guards/roles.js'
import { requireClaimGuard } from '../../guards/claims.js'
import type { BaseClaims, ClaimExpectation, ClaimExpectationAt, ClaimPathArg, RequireClaimOptions } from '../../guards/claim-types.js'
import { requireAuthLevelGuard, type AuthLevelRequirement } from '../../guards/auth-level.js'
import { bearerOnly, type ChallengeContext } from '../../errors/www-authenticate.js'
import { metadataResponse, type ProtectedResourceMetadataOptions } from '../../metadata/protected-resource.js'
import { parseBindingSettings, PREFLIGHT_STATUS, resolveAdapter, setDpopNonce, socketCertificate, type AdapterOptions, type BindingSettings, type RequestView, type ThrottleSettings } from '../runtime.js'
import { authenticateRequest, isPreflightRequest, requestBinding } from '../fetch-request.js'

export type { AdapterOptions, AdapterSettings, BindingSettings, SharedVerifierOptions, ThrottleSettings } from '../runtime.js'
export type { ThrottleOptions } from '../../throttle/throttle.js'
export type { ThrottleStore } from '../../throttle/store.js'
export type { AuthLevelRequirement } from '../../guards/auth-level.js'
export type { ProtectedResourceMetadataOptions } from '../../metadata/protected-resource.js'
export type { ClaimAt, ClaimExpectation, ClaimExpectationAt, ClaimPath, ClaimPathArg, ClaimPredicate, ClaimValue, RequireClaimOptions } from '../../guards/claim-types.js'

/** Answers a failure your way: return the `Response` to send. */
export type HonoErrorHandler = (err: BearerError, c: Context) => Response | Promise<Response>

/** Options of `bearer()` from `tokengate/hono`. */
export type HonoBearerOptions<C extends object = object> = AdapterOptions<C> & BindingSettings<Context> & ThrottleSettings<Context> & {
  /** Customises failure responses. Default: throw an `HTTPException` whose response is `err.toResponse()`. */
  readonly onError?: HonoErrorHandler
}

/** The Env `bearer()` adds: `c.get('auth')`. */
export type BearerEnv<C extends object = object> = { Variables: { auth: BearerAuth<C> } }
/** The Env of optional authentication (`credentialsRequired: false`): `auth` may be `undefined`. */
export type OptionalBearerEnv<C extends object = object> = { Variables: { auth: BearerAuth<C> | undefined } }

interface RouteState {
  readonly challenge: ChallengeContext
  fail(err: unknown, c: Context): Promise<Response>
}

/**
 * The connection's address where the runtime hands it to Hono: `@hono/node-server` (the
 * socket), Bun (`server.requestIP`), Deno (`info.remoteAddr`), Cloudflare Workers (the
 * `CF-Connecting-IP` Cloudflare sets on every request it forwards). Hono has no trust-proxy
 * setting: behind a proxy, pass `throttle.key`.
 */
function connectionAddress(c: Context): string | undefined {
  const env = c.env as Record<string, unknown> | undefined
  const node = (env?.incoming as { socket?: { remoteAddress?: unknown } } | undefined)?.socket?.remoteAddress
  if (typeof node === 'string') return node
  const requestIP = env?.requestIP
  if (typeof requestIP === 'function') {
    const bun = (requestIP as (r: Request) => { address?: unknown } | null).call(env, c.req.raw)?.address
    if (typeof bun === 'string') return bun
  }
  const deno = (env?.remoteAddr as { hostname?: unknown } | undefined)?.hostname
  if (typeof deno === 'string') return deno
  if (typeof navigator !== 'undefined' && navigator.userAgent === 'Cloudflare-Workers') return c.req.raw.headers.get('cf-connecting-ip') ?? undefined
  return undefined
}

/** The route pattern of the handler this request reaches (the last matched route that is not middleware). */
function matchedRoute(c: Context): string | undefined {
  const routes = c.req.matchedRoutes
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.method !== 'ALL') return routes[i]!.path
  return undefined
}

const VIEW: RequestView<Context> = { clientAddress: connectionAddress, route: matchedRoute }

// What a guard needs of the `bearer()` that ran before it on this request.
const states = new WeakMap<Request, RouteState>()

/**
 * The `HTTPException` tokengate throws: its response is the problem+json answer; `cause` is the `BearerError`.
 *
 * @example
 * app.onError((err, c) => (err instanceof HTTPException ? err.getResponse() : c.text('error', 500)))
 * // or, in your own code: throw toHTTPException(new BearerError('insufficient_scope', { scope: 'admin' }))
 */
export function toHTTPException(err: BearerError): HTTPException {
  return new HTTPException(err.status, { res: err.toResponse(), message: err.message, cause: err })
}

/**
 * Hono middleware that verifies the `Authorization` header and sets `c.get('auth')`. The
 * verifier is built once, here. A CORS preflight is answered here with 204 (mount `cors()`
 * before it), unless `preflight: 'verify'`.
 *
 * Import from `tokengate/hono`.
 *
 * @example
 * app.use('/api/*', bearer({ issuer, audience, jwksUri }))
 * app.get('/api/me', (c) => c.json(c.get('auth').claims))
 */
export function bearer<C extends object = object>(options: HonoBearerOptions<C> & { readonly credentialsRequired: false }): MiddlewareHandler<OptionalBearerEnv<C>>
export function bearer<C extends object = object>(options: HonoBearerOptions<C>): MiddlewareHandler<BearerEnv<C>>
export function bearer<C extends object = object>(options: HonoBearerOptions<C>): MiddlewareHandler<BearerEnv<C>> | MiddlewareHandler<OptionalBearerEnv<C>> {
  const { onError, url, certificate, ...rest } = options ?? ({} as HonoBearerOptions<C>)
  parseBindingSettings('hono', { url, certificate })
  if (onError !== undefined && typeof onError !== 'function') throw new ConfigError('hono', 'onError', 'expected a function (err, c) => Response')
  const a = resolveAdapter('hono', rest as AdapterOptions<C> & ThrottleSettings<Context>, VIEW)
  const state: RouteState = {
    // Read when an answer needs it: a lazy verifier is built on first use, not here.
    get challenge() {
      return a.challenge
    },
    async fail(err, c) {
      if (!BearerError.is(err)) throw err
      if (onError) return onError(err, c)
      throw toHTTPException(err)
    },
  }

  return createMiddleware<BearerEnv<C>>(async (c, next) => {
    states.set(c.req.raw, state)
    // Answered here (headers set by an earlier middleware stay): no handler runs unauthenticated.
    if (a.answerPreflight && isPreflightRequest(c.req.raw)) return c.body(null, PREFLIGHT_STATUS)
    let auth: BearerAuth<C> | undefined
    const parts = requestBinding(c.req.raw, {
      url: url === undefined ? undefined : () => url(c),
      // On Node (@hono/node-server), the TLS socket of the incoming message.
      certificate: certificate === undefined ? () => socketCertificate((c.env as { incoming?: { socket?: unknown } } | undefined)?.incoming?.socket) : () => certificate(c),
    })
    try {
      auth = await authenticateRequest(a, c.req.raw, parts, c)
    } catch (err) {
      return state.fail(err, c)
    }
    c.set('auth', auth as BearerAuth<C>)
    // RFC 9449 §8.2: the next nonce rides on the answer to a DPoP request.
    const setting = setDpopNonce(a, parts, (nonce) => c.header('DPoP-Nonce', nonce))
    if (setting !== undefined) await setting
    await next()
  })
}

// A guard with no bearer() before it on this request (a forgotten middleware): 401.
const NO_MIDDLEWARE: RouteState = {
  challenge: bearerOnly(DEFAULT_REALM),
  fail: async (err) => {
    if (!BearerError.is(err)) throw err
    throw toHTTPException(err)
  },
}

/** A guard as Hono middleware: the handler runs only when the guard passes. */
function guardMiddleware(guard: Guard): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    const state = states.get(c.req.raw) ?? NO_MIDDLEWARE
    try {
      await runGuard(guard, c.get('auth') as BearerAuth | undefined, state.challenge)
    } catch (err) {
      return state.fail(err, c)
    }
    await next()
  })
}

/**
 * Route middleware, after `bearer()`: every listed scope is required, else 403
 * `insufficient_scope` naming them.
 *
 * Import from `tokengate/hono`.
 *
 * @example
 * app.delete('/api/orders/:id', requireScopes('write:orders'), (c) => c.body(null, 204))
 */
export function requireScopes(...scopes: string[]): MiddlewareHandler {
  return guardMiddleware(requireScopesGuard(scopes))
}

/**
 * Like `requireScopes`, but one of the listed scopes is enough.
 *
 * Import from `tokengate/hono`.
 *
 * @example
 * app.get('/api/reports', requireAnyScope('read:reports', 'admin'), handler)
 */
export function requireAnyScope(...scopes: string[]): MiddlewareHandler {
  return guardMiddleware(requireAnyScopeGuard(scopes))
}

/**
 * Route middleware, after `bearer()`: every listed role is required in `auth.roles` (the
 * verifier's `roleClaims`), else 403 `insufficient_scope` with reason `role_missing`.
 *
 * Import from `tokengate/hono`.
 *
 * @example
 * app.delete('/api/users/:id', requireRoles('admin'), handler)
 */
export function requireRoles(...roles: string[]): MiddlewareHandler {
  return guardMiddleware(requireRolesGuard(roles))
}

/**
 * Like `requireRoles`, but one of the listed roles is enough.
 *
 * Import from `tokengate/hono`.
 *
 * @example
 * app.get('/api/reports', requireAnyRole('admin', 'auditor'), handler)
 */
export function requireAnyRole(...roles: string[]): MiddlewareHandler {
  return guardMiddleware(requireAnyRoleGuard(roles))
}

/**
 * Route middleware, after `bearer()`: every listed Auth0-style RBAC permission is required,
 * else 403 `insufficient_scope` with reason `permission_missing`.
 *
 * Import from `tokengate/hono`.
 *
 * @example
 * app.post('/api/messages', requirePermissions('create:messages'), handler)
 */
export function requirePermissions(...permissions: string[]): MiddlewareHandler {
  return guardMiddleware(requirePermissionsGuard(permissions))
}

/**
 * Route middleware, after `bearer()`: the claim at `path` must equal `expected` (or be an
 * array including it), be one of a list, or satisfy a predicate (which may be async), else
 * 403 `insufficient_scope` with reason `claim_mismatch` and `description` as the
 * `error_description`.
 *
 * Import from `tokengate/hono`.
 *
 * @example
 * app.get('/api/billing', requireClaim('org.plan', ['pro', 'enterprise'], { description: 'A paid plan is required' }), handler)
 */
export function requireClaim<const P extends ClaimPathArg<BaseClaims>>(path: P, expected: ClaimExpectationAt<BaseClaims, P>, options?: RequireClaimOptions): MiddlewareHandler
export function requireClaim(path: readonly string[], expected: ClaimExpectation<unknown>, options?: RequireClaimOptions): MiddlewareHandler
export function requireClaim(path: string | readonly string[], expected: unknown, options?: RequireClaimOptions): MiddlewareHandler {
  return guardMiddleware(requireClaimGuard(path, expected, options))
}

/**
 * Route middleware, after `bearer()`: RFC 9470 step-up. The token's `acr` must be one of
 * `acr` and its `auth_time` within `maxAge`, else 401 `insufficient_user_authentication` with
 * `acr_values` / `max_age`.
 *
 * Import from `tokengate/hono`.
 *
 * @example
 * app.post('/api/transfers', requireAuthLevel({ acr: ['urn:example:mfa'], maxAge: '5m' }), handler)
 */
export function requireAuthLevel(requirement: AuthLevelRequirement): MiddlewareHandler {
  return guardMiddleware(requireAuthLevelGuard(requirement))
}

/**
 * A handler answering the RFC 9728 protected resource metadata document (JSON, cacheable,
 * readable from any origin). Mount it at `protectedResourceMetadataUrl(resource)`'s path.
 *
 * Import from `tokengate/hono`.
 *
 * @example
 * app.get('/.well-known/oauth-protected-resource', resourceMetadataHandler({ resource: 'https://api.example.com', authorizationServers: [issuer] }))
 */
export function resourceMetadataHandler(options: ProtectedResourceMetadataOptions): (c: Context) => Response {
  const { body, headers } = metadataResponse(options)
  return () => new Response(body, { status: 200, headers })
}
