/**
 * @module
 * `requireScopes` / `requireAnyScope`: the scopes a route requires of the token (403
 * `insufficient_scope`, RFC 6750 §3.1).
 */
import { ConfigError } from '../errors/config-error.js'
import { assertScopes, type ScopeMode } from '../scopes/require.js'
import type { Guard } from './guard.js'

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/**
 * Checks a list of required scopes once, at setup: at least one, each an RFC 6749 scope
 * token. `where` names the call in a mistake (`requireScopes()`, `config.scopes`).
 */
export function parseRequiredScopes(where: string, scopes: unknown, component = 'guard'): readonly string[] {
  if (!Array.isArray(scopes) || scopes.length === 0) throw new ConfigError(component, where, 'name at least one scope, e.g. requireScopes("read:orders")')
  scopes.forEach((scope, i) => {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new ConfigError(component, `${where}.${i}`, 'expected a scope token (RFC 6749 §3.3: no spaces, quotes or backslashes); give several scopes as separate arguments')
    }
  })
  return Object.freeze([...scopes] as string[])
}

/** A guard passing when the token grants all (`mode: 'all'`) or one (`'any'`) of `scopes`. */
export function scopesGuard(scopes: readonly string[], mode: ScopeMode): Guard {
  const name = `${mode === 'all' ? 'requireScopes' : 'requireAnyScope'}(${scopes.join(', ')})`
  return { name, check: (auth) => assertScopes(auth.scopes, scopes, mode) }
}

/** The guard of `requireScopes(...scopes)`: every scope is required. */
export const requireScopesGuard = (scopes: readonly string[]): Guard => scopesGuard(parseRequiredScopes('requireScopes()', scopes), 'all')

/** The guard of `requireAnyScope(...scopes)`: one of the scopes is enough. */
export const requireAnyScopeGuard = (scopes: readonly string[]): Guard => scopesGuard(parseRequiredScopes('requireAnyScope()', scopes), 'any')
