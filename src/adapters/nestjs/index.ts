/**
 * @module
 * `tokengate/nestjs`: `TokengateModule.forRoot(options)` (global), `BearerGuard` (per
 * controller with `@UseGuards`, or for the whole app with `APP_GUARD`), route requirements as
 * Nest metadata (`@Scopes()`, `@AnyScope()`, `@Roles()`, `@AnyRole()`, `@Permissions()`,
 * `@RequireClaim()`; each also applies `BearerGuard`, so a
 * requirement is never silently unenforced), `@Public()`, and `@Auth()` for the verified token.
 * Failures are thrown as `BearerException`s; the module's filter answers them with the
 * status, `WWW-Authenticate` and `application/problem+json`. Nest 11 and 12.
 */
import { Module, type DynamicModule, type FactoryProvider, type ModuleMetadata, type Provider } from '@nestjs/common'
import { APP_FILTER } from '@nestjs/core'
import { ConfigError } from '../../errors/config-error.js'
import { resolveAdapter, type AdapterOptions } from '../runtime.js'
import { BearerExceptionFilter, BearerGuard } from './guard.js'
import { ADAPTER } from './metadata.js'

export { BearerException, BearerExceptionFilter, BearerGuard } from './guard.js'
export { AnyRole, AnyScope, Auth, Permissions, Public, RequireClaim, Roles, Scopes } from './decorators.js'
export type { ClaimAt, ClaimExpectation, ClaimExpectationAt, ClaimPath, ClaimPathArg, ClaimPredicate, ClaimValue, RequireClaimOptions } from '../../guards/claim-types.js'
export type { AdapterOptions, AdapterSettings, SharedVerifierOptions } from '../runtime.js'

/** Options of `TokengateModule.forRoot`: the verifier's options (or a shared verifier) and the adapter settings. */
export type NestBearerOptions<C extends object = object> = AdapterOptions<C>

/** Options of `TokengateModule.forRootAsync`: a factory for {@link NestBearerOptions} and what it needs injected. */
export interface NestBearerAsyncOptions<C extends object = object> {
  /** Modules whose providers the factory needs (a configuration module). */
  readonly imports?: ModuleMetadata['imports']
  /** What to inject into the factory, in order. */
  readonly inject?: FactoryProvider['inject']
  /** Returns the options (or a promise of them), from the injected providers. */
  readonly useFactory: (...args: any[]) => NestBearerOptions<C> | Promise<NestBearerOptions<C>>
}

function withProviders(adapter: Provider, imports: ModuleMetadata['imports'] = []): DynamicModule {
  return {
    module: TokengateModule,
    global: true,
    imports,
    providers: [adapter, BearerGuard, { provide: APP_FILTER, useClass: BearerExceptionFilter }],
    exports: [ADAPTER, BearerGuard],
  }
}

/**
 * The global module that builds the verifier once and provides `BearerGuard` to every module.
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * \@Module({ imports: [TokengateModule.forRoot({ issuer, audience, jwksUri })],
 *   providers: [{ provide: APP_GUARD, useExisting: BearerGuard }] })
 * class AppModule {}
 */
@Module({})
export class TokengateModule {
  /** Verifier options known up front; a mistake throws a `ConfigError` here, at setup. */
  static forRoot<C extends object = object>(options: NestBearerOptions<C>): DynamicModule {
    return withProviders({ provide: ADAPTER, useValue: resolveAdapter('nestjs', options) })
  }

  /** Options from a factory (configuration services, secrets): `{ imports, inject, useFactory }`. */
  static forRootAsync<C extends object = object>(options: NestBearerAsyncOptions<C>): DynamicModule {
    if (typeof options?.useFactory !== 'function') throw new ConfigError('nestjs', 'useFactory', 'expected a function returning the options, e.g. (config) => ({ issuer, audience, jwksUri })')
    const useFactory = async (...deps: unknown[]) => resolveAdapter('nestjs', await options.useFactory(...deps))
    return withProviders({ provide: ADAPTER, useFactory, inject: options.inject ?? [] }, options.imports)
  }
}

