/**
 * @module
 * Route-level guards for Fastify (`config: { scopes, scopeMode, roles, roleMode, permissions }`):
 * checked when a route is declared, turned into one guard per route on first use.
 */
import type { RouteOptions } from 'fastify'
import { ConfigError } from '../../errors/config-error.js'
import type { Guard } from '../../guards/guard.js'
import { parseRequired, permissionsGuard, rolesGuard, type GuardMode } from '../../guards/roles.js'
import { parseRequiredScopes, scopesGuard } from '../../guards/scopes.js'

interface GuardConfig {
  scopes?: readonly string[]
  scopeMode?: GuardMode
  roles?: readonly string[]
  roleMode?: GuardMode
  permissions?: readonly string[]
}

// A route's `config` object (one per route, stable across requests) → its guard.
const guards = new WeakMap<object, Guard | null>()

function mode(config: GuardConfig, key: 'scopeMode' | 'roleMode'): GuardMode {
  const value = config[key]
  if (value !== undefined && value !== 'all' && value !== 'any') throw new ConfigError('fastify', `config.${key}`, "expected 'all' or 'any'")
  return value ?? 'all'
}

/** The guards a route's `config` names, in order: scopes, roles, permissions. */
function parse(config: GuardConfig): Guard | null {
  const list: Guard[] = []
  if (config.scopes !== undefined) list.push(scopesGuard(parseRequiredScopes('config.scopes', config.scopes, 'fastify'), mode(config, 'scopeMode')))
  if (config.roles !== undefined) list.push(rolesGuard(parseRequired('config.roles', config.roles, 'role', "roles: ['admin']", 'fastify'), mode(config, 'roleMode')))
  if (config.permissions !== undefined) {
    list.push(permissionsGuard(parseRequired('config.permissions', config.permissions, 'permission', "permissions: ['read:orders']", 'fastify'), 'all'))
  }
  if (list.length === 0) return null
  if (list.length === 1) return list[0]!
  return {
    name: list.map((g) => g.name).join(' + '),
    // All synchronous: the first failure answers.
    check: (auth) => {
      for (const g of list) g.check(auth)
    },
  }
}

const names = (config: GuardConfig | undefined): boolean =>
  config !== undefined && (config.scopes !== undefined || config.roles !== undefined || config.permissions !== undefined)

/** The guard of a route's `config`, or `null` when it names no scopes, roles or permissions. */
export function routeGuard(config: GuardConfig | undefined): Guard | null {
  if (!names(config)) return null
  let guard = guards.get(config!)
  if (guard === undefined) {
    guard = parse(config!)
    guards.set(config!, guard)
  }
  return guard
}

/** `onRoute` hook: a bad `config.scopes` (or roles, permissions) is a `ConfigError` at startup, naming the route. */
export function checkRouteScopes(route: RouteOptions): void {
  const config = route.config as GuardConfig | undefined
  if (!names(config)) return
  try {
    parse(config!)
  } catch (err) {
    if (!ConfigError.is(err)) throw err
    throw new ConfigError('fastify', err.option, `${err.detail} (route ${String(route.method)} ${route.url})`, { cause: err })
  }
}
