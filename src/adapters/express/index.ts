/**
 * @module
 * `tokengate/express`: `app.use(bearer(options))` sets `req.auth`; `requireScopes(...)` per
 * route. Failures go to `next(err)` as a `BearerError`, whose `status` and `headers` Express's
 * finalhandler and your own error handlers read; or, with `sendProblem`, are answered here
 * as `application/problem+json`. Express 4 and 5; nothing from `express` at runtime.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { BearerAuth } from '../../lib/result.js'
import { BearerError } from '../../errors/bearer-error.js'
import { assertRouteScopes, authenticate, isPreflight, parseScopes, resolveAdapter, type AdapterOptions } from '../runtime.js'
import type { RegisteredClaims } from '../register.js'

export type { Register, RegisteredClaims } from '../register.js'
export type { AdapterOptions, AdapterSettings, SharedVerifierOptions } from '../runtime.js'

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * The verified token, set by `bearer()` from `tokengate/express`. `undefined` on routes
       * without it, without credentials when they are optional, and on passed-on preflights.
       */
      auth?: BearerAuth<RegisteredClaims>
    }
  }
}

/** Answers a failure your way; call `next(err)` to fall back to Express's error handling. */
export type ExpressErrorHandler = (err: BearerError, req: Request, res: Response, next: NextFunction) => void

/** Options of `bearer()` from `tokengate/express`. */
export type ExpressBearerOptions<C extends object = object> = AdapterOptions<C> & {
  /** Answer failures here with an RFC 9457 `application/problem+json` body instead of `next(err)`. Default `false`. */
  readonly sendProblem?: boolean
  /** Customises failure responses (takes precedence over `sendProblem`). */
  readonly onError?: ExpressErrorHandler
}

interface RouteState {
  readonly realm: string
  readonly passPreflight: boolean
  fail(err: unknown, req: Request, res: Response, next: NextFunction): void
}

// What `requireScopes` needs of the `bearer()` that ran before it on this request.
const states = new WeakMap<Request, RouteState>()

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
 * verifier is built once, here; CORS preflights pass untouched unless `preflight: 'verify'`.
 *
 * Import from `tokengate/express`.
 *
 * @example
 * app.use('/api', bearer({ issuer, audience, jwksUri }))
 * app.get('/api/orders', requireScopes('read:orders'), (req, res) => res.json(req.auth!.claims))
 */
export function bearer<C extends object = object>(options: ExpressBearerOptions<C>): RequestHandler {
  const { onError, sendProblem, ...rest } = options ?? ({} as ExpressBearerOptions<C>)
  if (onError !== undefined && typeof onError !== 'function') throw new TypeError('tokengate/express: invalid option onError: expected a function')
  if (sendProblem !== undefined && typeof sendProblem !== 'boolean') throw new TypeError('tokengate/express: invalid option sendProblem: expected a boolean')
  const a = resolveAdapter('express', rest as AdapterOptions<C>)

  const state: RouteState = {
    realm: a.realm,
    passPreflight: a.passPreflight,
    fail(err, req, res, next) {
      if (!BearerError.is(err)) return next(err)
      try {
        if (onError) onError(err, req, res, next)
        else if (sendProblem) sendProblemResponse(res, err)
        else next(err)
      } catch (thrown) {
        next(thrown)
      }
    },
  }

  return function tokengateBearer(req, res, next) {
    states.set(req, state)
    if (a.passPreflight && isPreflight(req.method, req.headers['access-control-request-method'])) return next()
    // headersDistinct keeps repeated Authorization fields (plain headers keep only the first),
    // so two credentials fail as header_malformed, as on every other adapter.
    authenticate(a, req.headersDistinct?.authorization ?? req.headers.authorization).then(
      (auth) => {
        req.auth = auth as BearerAuth<RegisteredClaims> | undefined
        next()
      },
      (err: unknown) => state.fail(err, req, res, next),
    )
  }
}

function scopeGuard(required: ReturnType<typeof parseScopes>): RequestHandler {
  return function tokengateRequireScopes(req, res, next) {
    const state = states.get(req)
    if (!state) return next(new Error('tokengate/express: requireScopes() must run after bearer()'))
    if (state.passPreflight && isPreflight(req.method, req.headers['access-control-request-method'])) return next()
    try {
      assertRouteScopes(req.auth, state.realm, required)
    } catch (err) {
      return state.fail(err, req, res, next)
    }
    next()
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
  return scopeGuard(parseScopes('express', 'requireScopes()', scopes, 'all'))
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
  return scopeGuard(parseScopes('express', 'requireAnyScope()', scopes, 'any'))
}
