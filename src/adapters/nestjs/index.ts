/**
 * @module
 * `tokengate/nestjs`: `TokengateModule.forRoot(options)` (global), `BearerGuard` (per
 * controller with `@UseGuards`, or for the whole app with `APP_GUARD`), route requirements as
 * Nest metadata (`@Scopes()`, `@AnyScope()`, ...; each also applies `BearerGuard`, so a
 * requirement is never silently unenforced), `@Public()`, and `@Auth()` for the verified token.
 * Failures are thrown as `BearerException`s; the module's filter answers them with the
 * status, `WWW-Authenticate` and `application/problem+json`. Nest 11 and 12.
 */
import {
  applyDecorators,
  Catch,
  createParamDecorator,
  HttpException,
  Inject,
  Injectable,
  Module,
  UseGuards,
  type ArgumentsHost,
  type CanActivate,
  type DynamicModule,
  type ExceptionFilter,
  type ExecutionContext,
  type FactoryProvider,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common'
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core'
import type { BearerAuth } from '../../lib/result.js'
import { BearerError } from '../../errors/bearer-error.js'
import { ConfigError } from '../../errors/config-error.js'
import { runGuard, type Guard } from '../../guards/guard.js'
import { requireAnyScopeGuard, requireScopesGuard } from '../../guards/scopes.js'
import { authenticate, isPreflight, resolveAdapter, type AdapterOptions, type ResolvedAdapter } from '../runtime.js'

export type { AdapterOptions, AdapterSettings, SharedVerifierOptions } from '../runtime.js'

/** Options of `TokengateModule.forRoot`: the verifier's options (or a shared verifier) and the adapter settings. */
export type NestBearerOptions<C extends object = object> = AdapterOptions<C>

/** Options of `TokengateModule.forRootAsync`: a factory for {@link NestBearerOptions} and what it needs injected. */
export interface NestBearerAsyncOptions<C extends object = object> {
  readonly imports?: ModuleMetadata['imports']
  readonly inject?: FactoryProvider['inject']
  readonly useFactory: (...args: any[]) => NestBearerOptions<C> | Promise<NestBearerOptions<C>>
}

const ADAPTER = Symbol('tokengate.nestjs.adapter')
const GUARDS = 'tokengate:guards'
const PUBLIC = 'tokengate:public'

// Nest loads reflect-metadata before any decorator runs; typed here so no global types are needed.
const metadata = Reflect as unknown as {
  getOwnMetadata(key: string, target: object): unknown
  defineMetadata(key: string, value: unknown, target: object): void
}
type Target = object | ((...args: never[]) => unknown)
const guardsOf = (target: Target): readonly Guard[] => (metadata.getOwnMetadata(GUARDS, target) as Guard[] | undefined) ?? []

/**
 * The exception `BearerGuard` throws: an `HttpException` whose response is the problem+json
 * body; `error` (also `cause`) is the `BearerError`. Catch it in your own filters to answer
 * your way; `WWW-Authenticate` is already set on the response.
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * \@Catch(BearerException)
 * class MyFilter implements ExceptionFilter {
 *   catch(e: BearerException, host: ArgumentsHost) { host.switchToHttp().getResponse().status(e.getStatus()).json({ mine: e.error.reason }) }
 * }
 */
export class BearerException extends HttpException {
  /** The failure, with its reason, status, challenge and problem body. */
  readonly error: BearerError
  constructor(error: BearerError) {
    super(error.toProblem(), error.status, { cause: error })
    this.error = error
  }
}

/**
 * Answers `BearerException`s with the status, `WWW-Authenticate`, `Cache-Control: no-store`
 * and the `application/problem+json` body. `TokengateModule` registers it (`APP_FILTER`).
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * // registered for you by TokengateModule; by hand: app.useGlobalFilters(new BearerExceptionFilter(app.get(HttpAdapterHost)))
 */
@Catch(BearerException)
export class BearerExceptionFilter implements ExceptionFilter<BearerException> {
  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}

  catch(exception: BearerException, args: ArgumentsHost): void {
    const http = this.host.httpAdapter
    const res: unknown = args.switchToHttp().getResponse()
    const headers = { ...exception.error.headers, 'Cache-Control': 'no-store', 'Content-Type': 'application/problem+json' }
    for (const [name, value] of Object.entries(headers)) http.setHeader(res, name, value)
    // A string body: Nest would send an object as application/json.
    http.reply(res, JSON.stringify(exception.error.toProblem()), exception.error.status)
  }
}

// Requests this app has already authenticated: a global BearerGuard and a route's own do the work once.
const authenticated = new WeakSet<object>()

interface HttpRequest {
  method?: string
  auth?: BearerAuth
  headers: Record<string, string | string[] | undefined>
  headersDistinct?: Record<string, string[] | undefined>
  /** Fastify's request wraps Node's. */
  raw?: HttpRequest
}

/**
 * Verifies the `Authorization` header, sets `request.auth`, and enforces the route's
 * requirements (`@Scopes()`, ... on the handler and its controller). Use it per controller
 * (`@UseGuards(BearerGuard)`) or for the whole app (`{ provide: APP_GUARD, useExisting: BearerGuard }`);
 * `@Public()` exempts a route without requirements. HTTP routes only.
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * \@Controller('orders') \@UseGuards(BearerGuard)
 * class OrdersController { \@Get() \@Scopes('read:orders') list(\@Auth() auth: BearerAuth) { return auth.claims.sub } }
 */
@Injectable()
export class BearerGuard implements CanActivate {
  constructor(
    @Inject(ADAPTER) private readonly adapter: ResolvedAdapter,
    @Inject(HttpAdapterHost) private readonly host: HttpAdapterHost,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') throw new Error(`tokengate: BearerGuard protects HTTP routes, not ${context.getType()} handlers`)
    const request = context.switchToHttp().getRequest<HttpRequest>()
    if (authenticated.has(request)) return true
    const targets = [context.getClass(), context.getHandler()]
    const guards = targets.flatMap(guardsOf)
    if (guards.length === 0 && targets.some((t) => metadata.getOwnMetadata(PUBLIC, t) === true)) return true
    const a = this.adapter
    const raw = request.raw ?? request
    try {
      let auth: BearerAuth | undefined
      if (!(a.passPreflight && isPreflight(raw.method, raw.headers['access-control-request-method']))) {
        auth = await authenticate(a, raw.headersDistinct?.authorization ?? raw.headers.authorization)
      }
      request.auth = auth
      for (const guard of guards) await runGuard(guard, auth, a.realm)
    } catch (err) {
      if (!BearerError.is(err)) throw err
      const res: unknown = context.switchToHttp().getResponse()
      for (const [name, value] of Object.entries(err.headers)) this.host.httpAdapter.setHeader(res, name, value)
      throw new BearerException(err)
    }
    authenticated.add(request)
    return true
  }
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

/** Adds `guard` to the route's (or controller's) requirements and makes sure `BearerGuard` runs. */
function requirement(guard: Guard): MethodDecorator & ClassDecorator {
  const record = (target: Target) => metadata.defineMetadata(GUARDS, [...guardsOf(target), guard], target)
  return applyDecorators(
    (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => record(descriptor ? (descriptor.value as Target) : target),
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
  (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => metadata.defineMetadata(PUBLIC, true, descriptor ? (descriptor.value as Target) : target)

/**
 * Injects the verified token (`{ token, claims, scopes, header }`) into a handler parameter;
 * `undefined` on a `@Public()` route or without credentials when they are optional.
 *
 * Import from `tokengate/nestjs`.
 *
 * @example
 * \@Get('me') me(\@Auth() auth: BearerAuth<{ tenant: string }>) { return auth.claims.tenant }
 */
export const Auth = createParamDecorator((_data: unknown, context: ExecutionContext): BearerAuth | undefined => context.switchToHttp().getRequest<HttpRequest>().auth)
