/**
 * @module
 * The route decorators of `tokengate/nestjs`: requirements (`@Scopes()`, `@AnyScope()`, ...),
 * `@Public()`, and `@Auth()` for the verified token.
 */
import { applyDecorators, createParamDecorator, UseGuards, type ExecutionContext } from '@nestjs/common'
import type { BearerAuth } from '../../lib/result.js'
import type { Guard } from '../../guards/guard.js'
import { requireAnyScopeGuard, requireScopesGuard } from '../../guards/scopes.js'
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
