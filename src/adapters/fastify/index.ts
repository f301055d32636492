/**
 * @module
 * `tokengate/fastify`: a `fastify-plugin` plugin that decorates `request.auth` and
 * `fastify.authenticate` (an `onRequest`/`preHandler` hook), honours route-level
 * `config: { scopes }`, and exports `requireScopes`. Failures are thrown as `BearerError`s,
 * whose `statusCode` and `headers` Fastify's error handler sends; or, with `sendProblem`,
 * answered here as `application/problem+json`. Fastify 5.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { BearerAuth } from '../../lib/result.js'
import { BearerError, DEFAULT_REALM } from '../../errors/bearer-error.js'
import { ConfigError } from '../../errors/config-error.js'
import type { ScopeMode } from '../../scopes/require.js'
import { runGuard, type Guard } from '../../guards/guard.js'
import { requireAnyScopeGuard, requireScopesGuard } from '../../guards/scopes.js'
import { authenticate, isPreflight, resolveAdapter, withoutStack, type AdapterOptions } from '../runtime.js'
import type { RegisteredClaims } from '../register.js'
import { checkRouteScopes, routeGuard } from './route-scopes.js'

export type { Register, RegisteredClaims } from '../register.js'
export type { AdapterOptions, AdapterSettings, SharedVerifierOptions } from '../runtime.js'

/** A hook that authenticates the request: use it as `onRequest` or `preHandler`. */
export type AuthenticateHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token, set by `fastify.authenticate` (tokengate); `null` until then, or without credentials when they are optional. */
    auth: BearerAuth<RegisteredClaims> | null
  }
  interface FastifyInstance {
    /** tokengate's hook: verifies the `Authorization` header and sets `request.auth`. */
    authenticate: AuthenticateHook
  }
  interface FastifyContextConfig {
    /** Scopes this route requires, checked by `fastify.authenticate` (tokengate). */
    scopes?: readonly string[]
    /** `all` (default) or `any` of the route's `scopes`. */
    scopeMode?: ScopeMode
  }
}

/** Answers a failure your way: send a reply, or throw to use Fastify's error handler. */
export type FastifyErrorHandler = (err: BearerError, request: FastifyRequest, reply: FastifyReply) => unknown

/** Options of the `tokengate/fastify` plugin. */
export type FastifyBearerOptions<C extends object = object> = AdapterOptions<C> & {
  /** Add `authenticate` as an `onRequest` hook for every route in the registering scope. Default `false`. */
  readonly global?: boolean
  /** Answer failures with an RFC 9457 `application/problem+json` body instead of throwing to the error handler. Default `false`. */
  readonly sendProblem?: boolean
  /** Customises failure responses (takes precedence over `sendProblem`). If it sends nothing, the error is thrown. */
  readonly onError?: FastifyErrorHandler
}

interface PluginState {
  readonly realm: string
  fail(err: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>
}

const states = new WeakMap<FastifyRequest, PluginState>()
function preflight(request: FastifyRequest): boolean {
  return isPreflight(request.method, request.headers['access-control-request-method'])
}

async function tokengatePlugin(fastify: FastifyInstance, options: FastifyBearerOptions): Promise<void> {
  const { onError, sendProblem, global: isGlobal, ...rest } = options
  if (onError !== undefined && typeof onError !== 'function') throw new ConfigError('fastify', 'onError', 'expected a function (err, request, reply) => unknown')
  for (const [name, value] of Object.entries({ sendProblem, global: isGlobal })) {
    if (value !== undefined && typeof value !== 'boolean') throw new ConfigError('fastify', name, 'expected true or false')
  }
  // Fastify passes its own register options (prefix, logLevel, ...) along; they are not ours.
  const { prefix: _prefix, logLevel: _logLevel, logSerializers: _logSerializers, ...adapterOptions } = rest as AdapterOptions & Record<string, unknown>
  const a = resolveAdapter('fastify', adapterOptions as AdapterOptions)

  const state: PluginState = {
    get realm() {
      return a.realm
    },
    async fail(err, request, reply) {
      if (!BearerError.is(err)) throw err
      if (onError) {
        await onError(err, request, reply)
        if (reply.sent) return reply
      } else if (sendProblem) {
        return reply
          .code(err.status)
          .headers({ ...err.headers, 'content-type': 'application/problem+json', 'cache-control': 'no-store' })
          .send(JSON.stringify(err.toProblem()))
      }
      // Fastify logs 4xx errors (at info level) with their stack: a refused token needs none.
      throw withoutStack(err)
    },
  }

  const authenticateHook: AuthenticateHook = async function tokengateAuthenticate(request, reply) {
    states.set(request, state)
    if (a.passPreflight && preflight(request)) return
    try {
      const auth = await authenticate(a, request.raw.headersDistinct?.authorization ?? request.headers.authorization)
      request.auth = (auth ?? null) as BearerAuth<RegisteredClaims> | null
      const guard = routeGuard(request.routeOptions.config)
      if (guard) await runGuard(guard, auth, a.realm)
    } catch (err) {
      return state.fail(err, request, reply)
    }
  }

  fastify.decorateRequest('auth', null)
  fastify.decorate('authenticate', authenticateHook)
  // Check route-level scopes when the route is declared, not on its first request.
  fastify.addHook('onRoute', checkRouteScopes)
  if (isGlobal) fastify.addHook('onRequest', authenticateHook)
}

/**
 * The Fastify plugin (also the default export). Register it, then protect routes with
 * `onRequest: fastify.authenticate` (or `global: true`), and read `request.auth`.
 *
 * Import from `tokengate/fastify`.
 *
 * @example
 * await app.register(bearer, { issuer, audience, jwksUri })
 * app.get('/orders', { onRequest: app.authenticate, config: { scopes: ['read:orders'] } },
 *   async (request) => request.auth!.claims)
 */
export const bearer = fp(tokengatePlugin, { fastify: '5.x', name: 'tokengate' })
export default bearer

/** A guard as a `preHandler` hook: the handler runs only when the guard passes. */
function guardHook(guard: Guard): AuthenticateHook {
  return async function tokengateGuard(request, reply) {
    const state = states.get(request)
    try {
      // Without fastify.authenticate before it (a forgotten hook): 401, thrown to the error handler.
      await runGuard(guard, request.auth, state?.realm ?? DEFAULT_REALM)
    } catch (err) {
      if (!state) throw BearerError.is(err) ? withoutStack(err) : err
      return state.fail(err, request, reply)
    }
  }
}

/**
 * A `preHandler` hook, after `fastify.authenticate`: every listed scope is required, else
 * 403 `insufficient_scope` naming them.
 *
 * Import from `tokengate/fastify`.
 *
 * @example
 * app.delete('/orders/:id', { onRequest: app.authenticate, preHandler: requireScopes('write:orders') }, handler)
 */
export function requireScopes(...scopes: string[]): AuthenticateHook {
  return guardHook(requireScopesGuard(scopes))
}

/**
 * Like `requireScopes`, but one of the listed scopes is enough.
 *
 * Import from `tokengate/fastify`.
 *
 * @example
 * app.get('/reports', { onRequest: app.authenticate, preHandler: requireAnyScope('read:reports', 'admin') }, handler)
 */
export function requireAnyScope(...scopes: string[]): AuthenticateHook {
  return guardHook(requireAnyScopeGuard(scopes))
}
