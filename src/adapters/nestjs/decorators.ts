/**
 * @module
 * The route decorators of `tokengate/nestjs`: requirements (`@Scopes()`, `@AnyScope()`,
 * `@Roles()`, `@AnyRole()`, `@Permissions()`, `@RequireClaim()`: the guards of src/guards),
 * `@Public()`, and `@Auth()` for the verified token.
 */
import { applyDecorators, createParamDecorator, UseGuards, type ExecutionContext } from '@nestjs/common'
import type { BearerAuth } from '../../lib/result.js'
import type { Guard } from '../../guards/guard.js'
import { requireAnyScopeGuard, requireScopesGuard } from '../../guards/scopes.js'
import { requireAnyRoleGuard, requirePermissionsGuard, requireRolesGuard } from '../../guards/roles.js'
import { requireClaimGuard } from '../../guards/claims.js'
import type { BaseClaims, ClaimExpectation, ClaimExpectationAt, ClaimPathArg, RequireClaimOptions } from '../../guards/claim-types.js'
import { BearerGuard } from './guard.js'
import { addGuard, markPublic, type Target } from './metadata.js'

/** Adds `guard` to the route's (or controller's) requirements and makes sure `BearerGuard` runs. */
function requirement(guard: Guard): MethodDecorator & ClassDecorator {
  return applyDecorators(
    (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => addGuard(descriptor ? (descriptor.value as Target) : target, guard),
    UseGuards(BearerGuard),
  )
}

/**
 * Every listed scope is required (403 `insufficient_scope` naming them). On a handler or a
 * controller; requirements add up.
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * \@Delete(':id') \@Scopes('write:orders') remove() {}
 */
export const Scopes = (...scopes: string[]): MethodDecorator & ClassDecorator => requirement(requireScopesGuard(scopes))

/**
 * One of the listed scopes is enough.
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * \@Get('reports') \@AnyScope('read:reports', 'admin') reports() {}
 */
export const AnyScope = (...scopes: string[]): MethodDecorator & ClassDecorator => requirement(requireAnyScopeGuard(scopes))

/**
 * Every listed role is required in `auth.roles` (the verifier's `roleClaims`: `roles` by
 * default, a preset's own claim such as Keycloak's `realm_access.roles`), else 403 with reason
 * `role_missing`. On a handler or a controller; requirements add up.
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * \@Delete('users/:id') \@Roles('admin') removeUser() {}
 */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator => requirement(requireRolesGuard(roles))

/**
 * One of the listed roles is enough.
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * \@Get('staff') \@AnyRole('admin', 'support') staff() {}
 */
export const AnyRole = (...roles: string[]): MethodDecorator & ClassDecorator => requirement(requireAnyRoleGuard(roles))

/**
 * Every listed permission is required in the Auth0-style `permissions` claim, else 403 with
 * reason `permission_missing`.
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * \@Delete(':id') \@Permissions('delete:orders') remove() {}
 */
export const Permissions = (...permissions: string[]): MethodDecorator & ClassDecorator => requirement(requirePermissionsGuard(permissions))

/**
 * The claim at `path` (`'org.plan'` or `['org', 'plan']`) must equal `expected` (or be an
 * array including it), be one of a list, or satisfy a predicate (which may be async), else 403
 * with reason `claim_mismatch` and `description` as the `error_description`.
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * \@Get('billing') \@RequireClaim('org.plan', ['pro', 'enterprise'], { description: 'A paid plan is required' }) billing() {}
 */
export function RequireClaim<const P extends ClaimPathArg<BaseClaims>>(path: P, expected: ClaimExpectationAt<BaseClaims, P>, options?: RequireClaimOptions): MethodDecorator & ClassDecorator
export function RequireClaim(path: readonly string[], expected: ClaimExpectation<unknown>, options?: RequireClaimOptions): MethodDecorator & ClassDecorator
export function RequireClaim(path: string | readonly string[], expected: unknown, options?: RequireClaimOptions): MethodDecorator & ClassDecorator {
  return requirement(requireClaimGuard(path, expected, options))
}

/**
 * Exempts a route (or controller) from a global `BearerGuard`, unless it has requirements.
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * \@Get('health') \@Public() health() { return 'ok' }
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => markPublic(descriptor ? (descriptor.value as Target) : target)

/**
 * Injects the verified token (`{ token, claims, scopes, header }`) into a handler parameter;
 * `undefined` on a `@Public()` route or without credentials when they are optional.
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * \@Get('me') me(\@Auth() auth: BearerAuth<{ tenant: string }>) { return auth.claims.tenant }
 */
export const Auth = createParamDecorator((_data: unknown, context: ExecutionContext): BearerAuth | undefined => context.switchToHttp().getRequest<{ auth?: BearerAuth }>().auth)
