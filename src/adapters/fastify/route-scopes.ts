/**
 * @module
 * Route-level scopes for Fastify (`config: { scopes, scopeMode }`): checked when a route is
 * declared, parsed once per route on first use.
 */
import type { RouteOptions } from 'fastify'
import type { VerifyRequestOptions } from '../../lib/result.js'
import type { ScopeMode } from '../../scopes/require.js'
import { parseScopes } from '../runtime.js'

interface ScopeConfig {
  scopes?: readonly string[]
  scopeMode?: ScopeMode
}

// A route's `config` object (one per route, stable across requests) → its requirement.
const requirements = new WeakMap<object, VerifyRequestOptions | null>()

function parse(config: ScopeConfig & { scopes: readonly string[] }): VerifyRequestOptions {
  if (config.scopeMode !== undefined && config.scopeMode !== 'all' && config.scopeMode !== 'any') {
    throw new TypeError("tokengate/fastify: invalid option config.scopeMode: expected 'all' or 'any'")
  }
  return parseScopes('fastify', 'config.scopes', config.scopes, config.scopeMode ?? 'all')
}

/** The scope requirement of a route's `config`, or `null` when it names no scopes. */
export function routeRequirement(config: ScopeConfig | undefined): VerifyRequestOptions | null {
  if (!config || config.scopes === undefined) return null
  let requirement = requirements.get(config)
  if (requirement === undefined) {
    requirement = parse(config as ScopeConfig & { scopes: readonly string[] })
    requirements.set(config, requirement)
  }
  return requirement
}

/** `onRoute` hook: a bad `config.scopes` is a `TypeError` at startup, naming the route. */
export function checkRouteScopes(route: RouteOptions): void {
  const config = route.config as ScopeConfig | undefined
  if (config?.scopes === undefined) return
  try {
    parse(config as ScopeConfig & { scopes: readonly string[] })
  } catch (err) {
    throw new TypeError(`${(err as Error).message} (route ${String(route.method)} ${route.url})`, { cause: err })
  }
}
