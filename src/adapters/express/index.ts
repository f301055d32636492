/**
 * @module
 * `tokengate/express`: `app.use(bearer(options))` sets `req.auth`; `requireScopes(...)` per
 * route. Failures are answered here as `application/problem+json` with the status and
 * `WWW-Authenticate` challenge; with `sendProblem: false` they go to `next(err)` as a
 * `BearerError`, whose `status` and `headers` Express's finalhandler and your own error
 * handlers read. Express 4 and 5; nothing from `express` at runtime.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { BearerAuth } from '../../lib/result.js'
import { BearerError, DEFAULT_REALM } from '../../errors/bearer-error.js'
import { ConfigError } from '../../errors/config-error.js'
import { runGuard, type Guard } from '../../guards/guard.js'
import { requireAnyScopeGuard, requireScopesGuard } from '../../guards/scopes.js'
import { requireAnyRoleGuard, requirePermissionsGuard, requireRolesGuard } from '../../guards/roles.js'
import { requireClaimGuard } from '../../guards/claims.js'
import type { ClaimExpectation, ClaimExpectationAt, ClaimPathArg, RequireClaimOptions } from '../../guards/claim-types.js'
import type { JwtClaims } from '../../lib/result.js'
import { requireAuthLevelGuard, type AuthLevelRequirement } from '../../guards/auth-level.js'
import { bearerOnly, type ChallengeContext } from '../../errors/www-authenticate.js'
import { metadataResponse, type ProtectedResourceMetadataOptions } from '../../metadata/protected-resource.js'
import { authenticate, isPreflight, PREFLIGHT_STATUS, setDpopNonce, parseBindingSettings, resolveAdapter, withoutStack, type AdapterOptions, type BindingSettings, type RequestView, type ThrottleSettings } from '../runtime.js'
import type { RegisteredClaims } from '../register.js'
import { expressBinding } from './binding.js'

export type { Register, RegisteredClaims } from '../register.js'
export type { AdapterOptions, AdapterSettings, BindingSettings, SharedVerifierOptions, ThrottleSettings } from '../runtime.js'
export type { AuthLevelRequirement } from '../../guards/auth-level.js'
export type { ProtectedResourceMetadataOptions } from '../../metadata/protected-resource.js'
export { expressUrl } from './binding.js'
export type { ClaimAt, ClaimExpectation, ClaimExpectationAt, ClaimPath, ClaimPathArg, ClaimPredicate, ClaimValue, RequireClaimOptions } from '../../guards/claim-types.js'
export type { ThrottleOptions } from '../../throttle/throttle.js'
export type { ThrottleStore } from '../../throttle/store.js'

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * The verified token, set by `bearer()` from `tokengate/express`. `undefined` on routes
       * without it, and without credentials when they are optional.
       */
      auth?: BearerAuth<RegisteredClaims>
    }
  }
}

/** Answers a failure your way; call `next(err)` to fall back to Express's error handling. */
export type ExpressErrorHandler = (err: BearerError, req: Request, res: Response, next: NextFunction) => void

/** Options of `bearer()` from `tokengate/express`. */
export type ExpressBearerOptions<C extends object = object> = AdapterOptions<C> & BindingSettings<Request> & ThrottleSettings<Request> & {
  /**
   * `true` (default): answer failures here with an RFC 9457 `application/problem+json` body,
   * the status and the `WWW-Authenticate` challenge. `false`: hand them to `next(err)` as a
   * `BearerError` (with `status`, `statusCode` and `headers`) for your error handler; its
   * `stack` is one line, so Express's default logging prints no stack trace for a 401.
   */
  readonly sendProblem?: boolean
  /** Customises failure responses (takes precedence over `sendProblem`). */
  readonly onError?: ExpressErrorHandler
}

interface RouteState {
  readonly challenge: ChallengeContext
  fail(err: unknown, req: Request, res: Response, next: NextFunction): void
}

// What a guard needs of the `bearer()` that ran before it on this request.
const states = new WeakMap<Request, RouteState>()

/**
 * The throttle's default key: `req.ip`, which follows the app's `trust proxy` setting (the
 * socket's address by default; with `app.set('trust proxy', ...)`, the client `X-Forwarded-For`
 * names behind the proxies you trust). The route: the pattern when `bearer()` is route middleware.
 */
const VIEW: RequestView<Request> = {
  clientAddress: (req) => req.ip,
  route: (req) => (typeof req.route?.path === 'string' ? req.route.path : undefined),
}

/** Writes `err` as `application/problem+json` with its status and `WWW-Authenticate`. */
function sendProblemResponse(res: Response, err: BearerError): void {
  res.statusCode = err.status
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value)
  res.setHeader('Content-Type', 'application/problem+json')
  res.setHeader('Cache-Control', 'no-store')
  res.end(JSON.stringify(err.toProblem()))
}

/**
 * Express middleware that verifies the `Authorization` header and sets `req.auth`. The
 * verifier is built once, here. A CORS preflight is answered here with 204 (mount your CORS
 * middleware before it), unless `preflight: 'verify'`.
 *
 * Import from `tokengate/express`.
 *
 * @example
 * app.use('/api', bearer({ issuer, audience, jwksUri }))
 * app.get('/api/orders', requireScopes('read:orders'), (req, res) => res.json(req.auth!.claims))
 */
export function bearer<C extends object = object>(options: ExpressBearerOptions<C>): RequestHandler {
  const { onError, sendProblem, url, certificate, ...rest } = options ?? ({} as ExpressBearerOptions<C>)
  const binding = expressBinding(parseBindingSettings('express', { url, certificate }))
  if (onError !== undefined && typeof onError !== 'function') throw new ConfigError('express', 'onError', 'expected a function (err, req, res, next) => void')
  if (sendProblem !== undefined && typeof sendProblem !== 'boolean') throw new ConfigError('express', 'sendProblem', 'expected true or false')
  const a = resolveAdapter('express', rest as AdapterOptions<C> & ThrottleSettings<Request>, VIEW)

  const state: RouteState = {
    // Read when an answer needs it: a lazy verifier is built on first use, not here.
    get challenge() {
      return a.challenge
    },
    fail(err, req, res, next) {
      if (!BearerError.is(err)) return next(err)
      try {
        if (onError) onError(err, req, res, next)
        else if (sendProblem === false) next(withoutStack(err))
        else sendProblemResponse(res, err)
      } catch (thrown) {
        next(thrown)
      }
    },
  }

  return function tokengateBearer(req, res, next) {
    states.set(req, state)
    if (a.answerPreflight && isPreflight(req.method, req.headers['access-control-request-method'])) {
      // Answered here: headers a CORS middleware set before stay; no handler runs unauthenticated.
      res.statusCode = PREFLIGHT_STATUS
      res.setHeader('Content-Length', '0')
      res.end()
      return
    }
    // headersDistinct keeps repeated Authorization fields (plain headers keep only the first),
    // so two credentials fail as header_malformed, as on every other adapter.
    const parts = binding(req)
    authenticate(a, req.headersDistinct?.[a.header] ?? req.headers[a.header], parts, req.headersDistinct?.['x-api-key'] ?? req.headers['x-api-key'], req).then(
      (auth) => {
        req.auth = auth as BearerAuth<RegisteredClaims> | undefined
        // RFC 9449 §8.2: the next nonce rides on the answer to a DPoP request.
        const setting = setDpopNonce(a, parts, (nonce) => res.setHeader('DPoP-Nonce', nonce))
        if (setting === undefined) next()
        else void setting.then(() => next())
      },
      (err: unknown) => state.fail(err, req, res, next),
    )
  }
}

// A guard with no bearer() before it on this request (a forgotten middleware): 401, answered here.
const NO_MIDDLEWARE: RouteState = {
  challenge: bearerOnly(DEFAULT_REALM),
  fail: (err, _req, res, next) => (BearerError.is(err) ? sendProblemResponse(res, err) : next(err)),
}

/** A guard as Express route middleware: the handler runs only when the guard passes. */
function guardMiddleware(guard: Guard): RequestHandler {
  return function tokengateGuard(req, res, next) {
    const state = states.get(req) ?? NO_MIDDLEWARE
    let checking: void | Promise<void>
    try {
      checking = runGuard(guard, req.auth, state.challenge)
    } catch (err) {
      return state.fail(err, req, res, next)
    }
    if (checking === undefined) return next()
    checking.then(() => next(), (err: unknown) => state.fail(err, req, res, next))
  }
}

/**
 * Route middleware, after `bearer()`: every listed scope is required, else 403
 * `insufficient_scope` naming them (401 when optional auth let an anonymous request in).
 *
 * Import from `tokengate/express`.
 *
 * @example
 * app.delete('/api/orders/:id', requireScopes('write:orders'), handler)
 */
export function requireScopes(...scopes: string[]): RequestHandler {
  return guardMiddleware(requireScopesGuard(scopes))
}

/**
 * Like `requireScopes`, but one of the listed scopes is enough.
 *
 * Import from `tokengate/express`.
 *
 * @example
 * app.get('/api/reports', requireAnyScope('read:reports', 'admin'), handler)
 */
export function requireAnyScope(...scopes: string[]): RequestHandler {
  return guardMiddleware(requireAnyScopeGuard(scopes))
}

/**
 * Route middleware, after `bearer()`: every listed role is required in `auth.roles` (the
 * verifier's `roleClaims`: `roles` by default, a preset's own claim such as Keycloak's
 * `realm_access.roles`), else 403 `insufficient_scope` with reason `role_missing`.
 *
 * Import from `tokengate/express`.
 *
 * @example
 * app.delete('/api/users/:id', requireRoles('admin'), handler)
 */
export function requireRoles(...roles: string[]): RequestHandler {
  return guardMiddleware(requireRolesGuard(roles))
}

/**
 * Like `requireRoles`, but one of the listed roles is enough.
 *
 * Import from `tokengate/express`.
 *
 * @example
 * app.get('/api/reports', requireAnyRole('admin', 'auditor'), handler)
 */
export function requireAnyRole(...roles: string[]): RequestHandler {
  return guardMiddleware(requireAnyRoleGuard(roles))
}

/**
 * Route middleware, after `bearer()`: every listed Auth0-style RBAC permission is required in
 * the token's `permissions` array, else 403 `insufficient_scope` with reason
 * `permission_missing`. Permissions are never read as scopes.
 *
 * Import from `tokengate/express`.
 *
 * @example
 * app.post('/api/messages', requirePermissions('create:messages'), handler)
 */
export function requirePermissions(...permissions: string[]): RequestHandler {
  return guardMiddleware(requirePermissionsGuard(permissions))
}

type Claims = JwtClaims & RegisteredClaims

/**
 * Route middleware, after `bearer()`: the claim at `path` (`'org.plan'` or `['org', 'plan']`)
 * must equal `expected` (or be an array including it), be one of a list, or satisfy a
 * predicate (which may be async), else 403 `insufficient_scope` with reason
 * `claim_mismatch` and `description` as the `error_description`. Paths and values are typed
 * from the registered claims type.
 *
 * Import from `tokengate/express`.
 *
 * @example
 * app.get('/api/billing', requireClaim('org.plan', ['pro', 'enterprise'], { description: 'A paid plan is required' }), handler)
 * app.get('/api/beta', requireClaim('email', async (email) => betaTesters.has(String(email))), handler)
 */
export function requireClaim<const P extends ClaimPathArg<Claims>>(path: P, expected: ClaimExpectationAt<Claims, P, RegisteredClaims>, options?: RequireClaimOptions): RequestHandler
export function requireClaim(path: readonly string[], expected: ClaimExpectation<unknown, RegisteredClaims>, options?: RequireClaimOptions): RequestHandler
export function requireClaim(path: string | readonly string[], expected: unknown, options?: RequireClaimOptions): RequestHandler {
  return guardMiddleware(requireClaimGuard(path, expected, options))
}

/**
 * Route middleware, after `bearer()`: RFC 9470 step-up. The token's `acr` must be one of
 * `acr` and its `auth_time` within `maxAge`, else 401 `insufficient_user_authentication` with
 * `acr_values` / `max_age` in the challenge.
 *
 * Import from `tokengate/express`.
 *
 * @example
 * app.post('/api/transfers', requireAuthLevel({ acr: ['urn:example:mfa'], maxAge: '5m' }), handler)
 */
export function requireAuthLevel(requirement: AuthLevelRequirement): RequestHandler {
  return guardMiddleware(requireAuthLevelGuard(requirement))
}

/**
 * A handler answering the RFC 9728 protected resource metadata document (JSON, cacheable,
 * readable from any origin). Mount it at `protectedResourceMetadataUrl(resource)`'s path.
 *
 * Import from `tokengate/express`.
 *
 * @example
 * app.get('/.well-known/oauth-protected-resource', resourceMetadataHandler({ resource: 'https://api.example.com', authorizationServers: [issuer], verifier }))
 */
export function resourceMetadataHandler(options: ProtectedResourceMetadataOptions): RequestHandler {
  const { body, headers } = metadataResponse(options)
  return function tokengateResourceMetadata(_req, res) {
    res.statusCode = 200
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
    res.end(body)
  }
}
