/**
 * @module
 * `requireRoles` / `requireAnyRole` and `requirePermissions`: what a route requires of the
 * roles (`auth.roles`, from the verifier's `roleClaims`) and of the Auth0-style RBAC
 * permissions (`auth.permissions`) of a verified token. 403 with RFC 6750's
 * `insufficient_scope` code and the reasons `role_missing` / `permission_missing`: roles and
 * permissions are not scopes, so the challenge names no `scope`.
 */
import { BearerError } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import type { Guard } from './guard.js'

/** `all`: every listed value is required. `any`: one of them is enough. */
export type GuardMode = 'all' | 'any'

/** Checks a list of required roles or permissions once, at setup: at least one, each a non-empty string. */
export function parseRequired(where: string, values: unknown, what: string, example: string, component = 'guard'): readonly string[] {
  if (!Array.isArray(values) || values.length === 0) throw new ConfigError(component, where, `name at least one ${what}, e.g. ${example}`)
  values.forEach((value, i) => {
    if (typeof value !== 'string' || value === '') throw new ConfigError(component, `${where}.${i}`, `expected a ${what} name (a non-empty string); give several as separate arguments`)
  })
  return Object.freeze([...(values as string[])])
}

const granted = (have: readonly string[] | undefined, want: readonly string[], mode: GuardMode): boolean => {
  const list = have ?? []
  return mode === 'any' ? want.some((w) => list.includes(w)) : want.every((w) => list.includes(w))
}

/** A guard passing when `auth.roles` holds all (`'all'`) or one (`'any'`) of `roles`. */
export function rolesGuard(roles: readonly string[], mode: GuardMode): Guard {
  const name = `${mode === 'all' ? 'requireRoles' : 'requireAnyRole'}(${roles.join(', ')})`
  return {
    name,
    check(auth) {
      if (!granted(auth.roles, roles, mode)) {
        throw new BearerError('role_missing', { message: mode === 'any' ? 'The token needs one of the required roles' : 'The token lacks a required role' })
      }
    },
  }
}

/** A guard passing when `auth.permissions` holds all (`'all'`) or one (`'any'`) of `permissions`. */
export function permissionsGuard(permissions: readonly string[], mode: GuardMode): Guard {
  const name = `requirePermissions(${permissions.join(', ')})`
  return {
    name,
    check(auth) {
      if (!granted(auth.permissions, permissions, mode)) {
        throw new BearerError('permission_missing', { message: mode === 'any' ? 'The token needs one of the required permissions' : 'The token lacks a required permission' })
      }
    },
  }
}

/** The guard of `requireRoles(...roles)`: every role is required. */
export const requireRolesGuard = (roles: readonly string[]): Guard => rolesGuard(parseRequired('requireRoles()', roles, 'role', 'requireRoles("admin")'), 'all')

/** The guard of `requireAnyRole(...roles)`: one of the roles is enough. */
export const requireAnyRoleGuard = (roles: readonly string[]): Guard => rolesGuard(parseRequired('requireAnyRole()', roles, 'role', 'requireAnyRole("admin", "editor")'), 'any')

/** The guard of `requirePermissions(...permissions)`: every permission is required. */
export const requirePermissionsGuard = (permissions: readonly string[]): Guard =>
  permissionsGuard(parseRequired('requirePermissions()', permissions, 'permission', 'requirePermissions("read:orders")'), 'all')
