/**
 * @module
 * `BearerGuard` and how its failures are answered: a `BearerException` (an `HttpException`
 * carrying the `BearerError`) and the filter that writes it as problem+json.
 */
import { Catch, HttpException, Inject, Injectable, type ArgumentsHost, type CanActivate, type ExceptionFilter, type ExecutionContext } from '@nestjs/common'
import { HttpAdapterHost } from '@nestjs/core'
import type { BearerAuth } from '../../lib/result.js'
import { BearerError } from '../../errors/bearer-error.js'
import { runGuard } from '../../guards/guard.js'
import { authenticate, isPreflight, PREFLIGHT_STATUS, type ResolvedAdapter } from '../runtime.js'
import { ADAPTER, guardsOf, isPublic } from './metadata.js'

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

/** A CORS preflight the guard answers (`preflight: 'answer'`): 204, no handler runs. */
class PreflightAnswer extends HttpException {
  constructor() {
    super('', PREFLIGHT_STATUS)
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
@Catch(BearerException, PreflightAnswer)
export class BearerExceptionFilter implements ExceptionFilter<BearerException | PreflightAnswer> {
  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}

  catch(exception: BearerException | PreflightAnswer, args: ArgumentsHost): void {
    const http = this.host.httpAdapter
    const res: unknown = args.switchToHttp().getResponse()
    if (exception instanceof PreflightAnswer) {
      // Headers a CORS middleware set before the guard stay.
      http.status(res, PREFLIGHT_STATUS)
      return void http.end(res)
    }
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
    if (guards.length === 0 && targets.some(isPublic)) return true
    const a = this.adapter
    const raw = request.raw ?? request
    // Answered by the module's filter with 204: no handler runs unauthenticated.
    if (a.answerPreflight && isPreflight(raw.method, raw.headers['access-control-request-method'])) throw new PreflightAnswer()
    try {
      const auth = await authenticate(a, raw.headersDistinct?.[a.header] ?? raw.headers[a.header], undefined, raw.headersDistinct?.['x-api-key'] ?? raw.headers['x-api-key'])
      request.auth = auth
      for (const guard of guards) await runGuard(guard, auth, a.challenge)
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

