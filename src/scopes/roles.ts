/**
 * @module
 * Roles and permissions a token grants: what `requireRoles` / `requireAnyRole` and
 * `requirePermissions` check, read once per verified token into `auth.roles` and
 * `auth.permissions`. Roles come from the verifier's `roleClaims` (default `roles`; presets
 * add their IdP's claim: Keycloak `realm_access.roles`, Cognito `cognito:groups`, ...);
 * permissions from Auth0's RBAC `permissions` array. Neither is ever read as a scope.
 */
import { BearerError } from '../errors/bearer-error.js'
import { claimAt, formatClaimPath } from '../lib/claim-path.js'

/** Role claims read when none are configured: `roles` (Entra ID app roles, and the common convention). */
export const DEFAULT_ROLE_CLAIMS: readonly (readonly string[])[] = Object.freeze([Object.freeze(['roles'])])

const PERMISSIONS: readonly string[] = Object.freeze(['permissions'])

function add(out: string[], value: string): void {
  if (!out.includes(value)) out.push(value)
}

function invalid(path: readonly string[], what: string): BearerError {
  const claim = formatClaimPath(path)
  return new BearerError('claim_invalid', { claim, message: `The "${claim}" claim does not hold ${what}` })
}

/**
 * The distinct roles at the configured paths, in order of appearance. Each holds an array of
 * strings, or one string (one role: Keycloak role names may contain spaces); an absent path
 * grants nothing; any other value is the issuer's mistake (401 `claim_invalid`, never cached).
 */
export function grantedRoles(payload: Record<string, unknown>, paths: readonly (readonly string[])[]): string[] {
  const out: string[] = []
  for (const path of paths) {
    const value = claimAt(payload, path)
    if (value === undefined) continue
    if (typeof value === 'string') {
      if (value !== '') add(out, value)
    } else if (Array.isArray(value)) {
      for (const role of value) {
        if (typeof role !== 'string') throw invalid(path, 'roles')
        add(out, role)
      }
    } else {
      throw invalid(path, 'roles')
    }
  }
  return out
}

/** Auth0 RBAC `permissions`: an array of strings (or a space-delimited string); absent grants nothing. */
export function grantedPermissions(payload: Record<string, unknown>): string[] {
  const value = claimAt(payload, PERMISSIONS)
  const out: string[] = []
  if (value === undefined) return out
  if (typeof value === 'string') {
    for (const p of value.split(' ')) if (p !== '') add(out, p)
  } else if (Array.isArray(value)) {
    for (const p of value) {
      if (typeof p !== 'string') throw invalid(PERMISSIONS, 'permissions')
      add(out, p)
    }
  } else {
    throw invalid(PERMISSIONS, 'permissions')
  }
  return out
}
