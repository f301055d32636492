/**
 * @module
 * Route-level scopes for Fastify (`config: { scopes, scopeMode }`): checked when a route is
 * declared, turned into a guard once per route on first use.
 */
import type { RouteOptions } from 'fastify'
import { ConfigError } from '../../errors/config-error.js'
import type { Guard } from '../../guards/guard.js'
import { parseRequiredScopes, scopesGuard } from '../../guards/scopes.js'
import type { ScopeMode } from '../../scopes/require.js'

interface ScopeConfig {
  scopes?: readonly string[]
  scopeMode?: ScopeMode
}

// A route's `config` object (one per route, stable across requests) → its guard.
const guards = new WeakMap<object, Guard | null>()

function parse(config: ScopeConfig & { scopes: readonly string[] }): Guard {
  if (config.scopeMode !== undefined && config.scopeMode !== 'all' && config.scopeMode !== 'any') {
    throw new ConfigError('fastify', 'config.scopeMode', "expected 'all' or 'any'")
  }
  return scopesGuard(parseRequiredScopes('config.scopes', config.scopes, 'fastify'), config.scopeMode ?? 'all')
}

/** The scope guard of a route's `config`, or `null` when it names no scopes. */
export function routeGuard(config: ScopeConfig | undefined): Guard | null {
  if (!config || config.scopes === undefined) return null
  let guard = guards.get(config)
  if (guard === undefined) {
    guard = parse(config as ScopeConfig & { scopes: readonly string[] })
    guards.set(config, guard)
  }
  return guard
}

/** `onRoute` hook: a bad `config.scopes` is a `ConfigError` at startup, naming the route. */
export function checkRouteScopes(route: RouteOptions): void {
  const config = route.config as ScopeConfig | undefined
  if (config?.scopes === undefined) return
  try {
    parse(config as ScopeConfig & { scopes: readonly string[] })
  } catch (err) {
    if (!ConfigError.is(err)) throw err
    throw new ConfigError('fastify', err.option, `${err.detail} (route ${String(route.method)} ${route.url})`, { cause: err })
  }
}
