/**
 * @module
 * `tokengate/fastify`: a `fastify-plugin` plugin that decorates `request.auth` and
 * `fastify.authenticate` (an `onRequest`/`preHandler` hook), honours route-level
 * `config: { scopes }`, and exports `requireScopes`. Failures are thrown as `BearerError`s,
 * whose `statusCode` and `headers` Fastify's error handler sends; or, with `sendProblem`,
 * answered here as `application/problem+json`. Fastify 5.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { BearerAuth } from '../../lib/result.js'
import { BearerError, DEFAULT_REALM } from '../../errors/bearer-error.js'
import { ConfigError } from '../../errors/config-error.js'
import type { ScopeMode } from '../../scopes/require.js'
import { runGuard, type Guard } from '../../guards/guard.js'
import { requireAnyScopeGuard, requireScopesGuard } from '../../guards/scopes.js'
import { requireAnyRoleGuard, requirePermissionsGuard, requireRolesGuard, type GuardMode } from '../../guards/roles.js'
import { requireClaimGuard } from '../../guards/claims.js'
import type { ClaimExpectation, ClaimExpectationAt, ClaimPathArg, RequireClaimOptions } from '../../guards/claim-types.js'
import type { JwtClaims } from '../../lib/result.js'
import { requireAuthLevelGuard, type AuthLevelRequirement } from '../../guards/auth-level.js'
import { bearerOnly, type ChallengeContext } from '../../errors/www-authenticate.js'
import { metadataResponse, type ProtectedResourceMetadataOptions } from '../../metadata/protected-resource.js'
import { authenticate, isPreflight, PREFLIGHT_STATUS, parseBindingSettings, resolveAdapter, setDpopNonce, withoutStack, type AdapterOptions, type BindingSettings, type RequestView, type ThrottleSettings } from '../runtime.js'
import { fastifyBinding } from './binding.js'
import type { RegisteredClaims } from '../register.js'
import { checkRouteScopes, routeGuard } from './route-scopes.js'

export type { Register, RegisteredClaims } from '../register.js'
export type { AdapterOptions, AdapterSettings, BindingSettings, SharedVerifierOptions, ThrottleSettings } from '../runtime.js'
export type { AuthLevelRequirement } from '../../guards/auth-level.js'
export type { ProtectedResourceMetadataOptions } from '../../metadata/protected-resource.js'
export { fastifyUrl } from './binding.js'
export type { ClaimAt, ClaimExpectation, ClaimExpectationAt, ClaimPath, ClaimPathArg, ClaimPredicate, ClaimValue, RequireClaimOptions } from '../../guards/claim-types.js'
export type { ThrottleOptions } from '../../throttle/throttle.js'
export type { ThrottleStore } from '../../throttle/store.js'

/** A hook that authenticates the request: use it as `onRequest` or `preHandler`. */
export type AuthenticateHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token, set by `fastify.authenticate` (tokengate); `null` until then, or without credentials when they are optional. */
    auth: BearerAuth<RegisteredClaims> | null
  }
  interface FastifyInstance {
    /**
     * tokengate's hook: verifies the `Authorization` header and sets `request.auth`. Once the
     * plugin is registered anywhere in the app, every context has it: where the plugin is not
     * registered (in that context or a parent, e.g. a sibling context), it is a hook that fails
     * closed, and a route declared with it there fails at startup. Register the plugin before
     * declaring routes that use it.
     */
    authenticate: AuthenticateHook
  }
  interface FastifyContextConfig {
    /**
     * Scopes this route requires, checked by `fastify.authenticate` (tokengate). A request
     * that reaches the handler without it having run (no hook on the route, a sibling context)
     * gets 401, never the handler.
     */
    scopes?: readonly string[]
    /** `all` (default) or `any` of the route's `scopes`. */
    scopeMode?: ScopeMode
    /** Roles this route requires (`auth.roles`), checked by `fastify.authenticate` (tokengate): 403 `role_missing`. */
    roles?: readonly string[]
    /** `all` (default) or `any` of the route's `roles`. */
    roleMode?: GuardMode
    /** Auth0-style permissions this route requires (`auth.permissions`): 403 `permission_missing`. */
    permissions?: readonly string[]
  }
}

/** Answers a failure your way: send a reply, or throw to use Fastify's error handler. */
export type FastifyErrorHandler = (err: BearerError, request: FastifyRequest, reply: FastifyReply) => unknown

/** Options of the `tokengate/fastify` plugin. */
export type FastifyBearerOptions<C extends object = object> = AdapterOptions<C> & BindingSettings<FastifyRequest> & ThrottleSettings<FastifyRequest> & {
  /** Add `authenticate` as an `onRequest` hook for every route in the registering scope. Default `false`. */
  readonly global?: boolean
  /** Answer failures with an RFC 9457 `application/problem+json` body instead of throwing to the error handler. Default `false`. */
  readonly sendProblem?: boolean
  /** Customises failure responses (takes precedence over `sendProblem`). If it sends nothing, the error is thrown. */
  readonly onError?: FastifyErrorHandler
}

interface PluginState {
  readonly challenge: ChallengeContext
  fail(err: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply>
}

const states = new WeakMap<FastifyRequest, PluginState>()
/** The throttle's default key: `request.ip`, which follows Fastify's `trustProxy`; the route pattern. */
const VIEW: RequestView<FastifyRequest> = {
  clientAddress: (request) => request.ip,
  route: (request) => request.routeOptions.url,
}
function preflight(request: FastifyRequest): boolean {
  return isPreflight(request.method, request.headers['access-control-request-method'])
}

async function tokengatePlugin(fastify: FastifyInstance, options: FastifyBearerOptions): Promise<void> {
  const { onError, sendProblem, global: isGlobal, url, certificate, ...rest } = options
  const binding = fastifyBinding(parseBindingSettings('fastify', { url, certificate }))
  if (onError !== undefined && typeof onError !== 'function') throw new ConfigError('fastify', 'onError', 'expected a function (err, request, reply) => unknown')
  for (const [name, value] of Object.entries({ sendProblem, global: isGlobal })) {
    if (value !== undefined && typeof value !== 'boolean') throw new ConfigError('fastify', name, 'expected true or false')
  }
  // Fastify passes its own register options (prefix, logLevel, ...) along; they are not ours.
  const { prefix: _prefix, logLevel: _logLevel, logSerializers: _logSerializers, ...adapterOptions } = rest as AdapterOptions & Record<string, unknown>
  const a = resolveAdapter('fastify', adapterOptions as AdapterOptions & ThrottleSettings<FastifyRequest>, VIEW)

  const state: PluginState = {
    // Read when an answer needs it: a lazy verifier is built on first use, not here.
    get challenge() {
      return a.challenge
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
    // Answered here (headers set by an earlier CORS hook stay): no handler runs unauthenticated.
    if (a.answerPreflight && preflight(request)) return reply.code(PREFLIGHT_STATUS).send()
    try {
      const parts = binding(request)
      const headers = request.raw.headersDistinct
      const auth = await authenticate(a, headers?.[a.header] ?? request.headers[a.header], parts, headers?.['x-api-key'] ?? request.headers['x-api-key'], request)
      request.auth = (auth ?? null) as BearerAuth<RegisteredClaims> | null
      // RFC 9449 §8.2: the next nonce rides on the answer to a DPoP request.
      const setting = setDpopNonce(a, parts, (nonce) => reply.header('DPoP-Nonce', nonce))
      if (setting !== undefined) await setting
      const guard = routeGuard(request.routeOptions.config)
      if (guard) await runGuard(guard, auth, a.challenge)
    } catch (err) {
      return state.fail(err, request, reply)
    }
  }

  fastify.decorateRequest('auth', null)
  // A parent registration already left the fail-closed stand-in here: replace it in this context.
  if (fastify.authenticate === authenticateElsewhere) Object.defineProperty(fastify, 'authenticate', { value: authenticateHook, enumerable: true, configurable: true, writable: true })
  else fastify.decorate('authenticate', authenticateHook)
  // Check route-level scopes when the route is declared, not on its first request.
  fastify.addHook('onRoute', routeChecks(state))
  if (isGlobal) fastify.addHook('onRequest', authenticateHook)
  guardEncapsulation(fastify)
}

/**
 * Fastify encapsulation: a plugin registered in one context decorates that context only, so
 * `app.authenticate` in a sibling context would be `undefined` and the route it should guard
 * would run unprotected, silently. Registered below the root, the plugin leaves a stand-in at
 * the root that every other context inherits: a route declared with it fails at startup (the
 * root's `onRoute`), and if it is reached anyway it answers 500 without running the handler.
 * (A context whose routes were declared before the plugin was registered cannot be reached:
 * register the plugin first, as Fastify's own docs ask.)
 */
function guardEncapsulation(fastify: FastifyInstance): void {
  const root = rootOf(fastify)
  if (root === fastify || 'authenticate' in (root as object)) return
  root.decorate('authenticate', authenticateElsewhere)
  root.addHook('onRoute', routeChecks(undefined))
}

/** The root context: encapsulated contexts inherit from their parent (Fastify creates them with `Object.create`). */
function rootOf(instance: FastifyInstance): FastifyInstance {
  let current: object = instance
  for (;;) {
    const parent = Object.getPrototypeOf(current) as object | null
    if (parent === null || parent === Object.prototype) return current as FastifyInstance
    current = parent
  }
}

const notRegistered = (where: string) =>
  new ConfigError('fastify', 'authenticate', `${where} uses fastify.authenticate where the tokengate plugin is not registered (in its context or a parent; a sibling context does not count): register the plugin there, or at the root`)

/** What `fastify.authenticate` is where the plugin is not registered: every request fails closed (500). */
const authenticateElsewhere: AuthenticateHook = async function tokengateNotRegistered(request) {
  throw notRegistered(`route ${request.method} ${request.routeOptions.url ?? request.url}`)
}

const HOOKS = ['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const
const listOf = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value])
// Route configs already given their scopes guard (several onRoute hooks may see one route).
const guarded = new WeakSet<object>()

/**
 * The `onRoute` hook for every route declared after the plugin loads: refuse one guarded by
 * the stand-in (startup error), check `config.scopes` / `roles` / `permissions`, and give a
 * route that declares any a guard of its own, so they hold even when `fastify.authenticate` is missing from it
 * (401, never the handler), answered the way of the plugin of its context (`state`) if any.
 */
function routeChecks(state: PluginState | undefined): (route: RouteOptions) => void {
  return function tokengateRouteChecks(route) {
    const hooks = HOOKS.flatMap((name) => listOf(route[name]))
    if (hooks.includes(authenticateElsewhere)) throw notRegistered(`route ${String(route.method)} ${route.url}`)
    checkRouteScopes(route)
    const config = route.config as object | undefined
    const guard = routeGuard(config)
    if (guard === null || guarded.has(config!)) return
    guarded.add(config!)
    route.preHandler = [...(listOf(route.preHandler) as AuthenticateHook[]), guardHook(guard, state)]
  }
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
function guardHook(guard: Guard, fallback?: PluginState): AuthenticateHook {
  return async function tokengateGuard(request, reply) {
    const state = states.get(request) ?? fallback
    try {
      // Without fastify.authenticate before it (a forgotten hook): 401, thrown to the error handler.
      await runGuard(guard, request.auth, state?.challenge ?? bearerOnly(DEFAULT_REALM))
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

/**
 * A `preHandler` hook, after `fastify.authenticate`: every listed role is required in
 * `auth.roles` (the verifier's `roleClaims`), else 403 `insufficient_scope` with reason
 * `role_missing`. Route `config: { roles }` does the same declaratively.
 *
 * Import from `tokengate/fastify`.
 *
 * @example
 * app.delete('/users/:id', { onRequest: app.authenticate, preHandler: requireRoles('admin') }, handler)
 */
export function requireRoles(...roles: string[]): AuthenticateHook {
  return guardHook(requireRolesGuard(roles))
}

/**
 * Like `requireRoles`, but one of the listed roles is enough (route config: `roleMode: 'any'`).
 *
 * Import from `tokengate/fastify`.
 *
 * @example
 * app.get('/reports', { onRequest: app.authenticate, preHandler: requireAnyRole('admin', 'auditor') }, handler)
 */
export function requireAnyRole(...roles: string[]): AuthenticateHook {
  return guardHook(requireAnyRoleGuard(roles))
}

/**
 * A `preHandler` hook, after `fastify.authenticate`: every listed Auth0-style RBAC permission
 * is required, else 403 `insufficient_scope` with reason `permission_missing`.
 *
 * Import from `tokengate/fastify`.
 *
 * @example
 * app.post('/messages', { onRequest: app.authenticate, preHandler: requirePermissions('create:messages') }, handler)
 */
export function requirePermissions(...permissions: string[]): AuthenticateHook {
  return guardHook(requirePermissionsGuard(permissions))
}

type Claims = JwtClaims & RegisteredClaims

/**
 * A `preHandler` hook, after `fastify.authenticate`: the claim at `path` must equal
 * `expected` (or be an array including it), be one of a list, or satisfy a predicate (which
 * may be async), else 403 `insufficient_scope` with reason `claim_mismatch` and
 * `description` as the `error_description`. Typed from the registered claims type.
 *
 * Import from `tokengate/fastify`.
 *
 * @example
 * app.get('/billing', { onRequest: app.authenticate, preHandler: requireClaim('org.plan', ['pro', 'enterprise']) }, handler)
 */
export function requireClaim<const P extends ClaimPathArg<Claims>>(path: P, expected: ClaimExpectationAt<Claims, P, RegisteredClaims>, options?: RequireClaimOptions): AuthenticateHook
export function requireClaim(path: readonly string[], expected: ClaimExpectation<unknown, RegisteredClaims>, options?: RequireClaimOptions): AuthenticateHook
export function requireClaim(path: string | readonly string[], expected: unknown, options?: RequireClaimOptions): AuthenticateHook {
  return guardHook(requireClaimGuard(path, expected, options))
}

/**
 * A `preHandler` hook, after `fastify.authenticate`: RFC 9470 step-up. The token's `acr` must
 * be one of `acr` and its `auth_time` within `maxAge`, else 401
 * `insufficient_user_authentication` with `acr_values` / `max_age`.
 *
 * Import from `tokengate/fastify`.
 *
 * @example
 * app.post('/transfers', { onRequest: app.authenticate, preHandler: requireAuthLevel({ acr: ['urn:example:mfa'], maxAge: '5m' }) }, handler)
 */
export function requireAuthLevel(requirement: AuthLevelRequirement): AuthenticateHook {
  return guardHook(requireAuthLevelGuard(requirement))
}

/**
 * A route handler answering the RFC 9728 protected resource metadata document (JSON,
 * cacheable, readable from any origin). Mount it at `protectedResourceMetadataUrl(resource)`'s path.
 *
 * Import from `tokengate/fastify`.
 *
 * @example
 * app.get('/.well-known/oauth-protected-resource', resourceMetadataHandler({ resource: 'https://api.example.com', authorizationServers: [issuer] }))
 */
export function resourceMetadataHandler(options: ProtectedResourceMetadataOptions): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  const { body, headers } = metadataResponse(options)
  return async function tokengateResourceMetadata(_request, reply) {
    return reply.code(200).headers(headers).send(body)
  }
}
