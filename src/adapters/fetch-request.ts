/**
 * @module
 * The Fetch-API side shared by Hono and Next: a standard `Request` in, `auth` or a
 * `BearerError` out. Nothing framework-specific, nothing from `node:`, so it runs on edge
 * runtimes unchanged.
 */
import type { ClientCertificate } from '../binding/certificate.js'
import type { BearerAuth } from '../lib/result.js'
import { authenticate, isPreflight, type RequestBinding, type ResolvedAdapter } from './runtime.js'

/** True for a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`). */
export function isPreflightRequest(request: Request): boolean {
  return isPreflight(request.method, request.headers.get('access-control-request-method'))
}

const noCertificate = (): undefined => undefined

/**
 * The DPoP and mutual-TLS parts of a `Request`: the `DPoP` header (several fields arrive
 * joined by `, ` and fail as an invalid proof), the method, the `Request` URL unless `url`
 * says otherwise, and the certificate `certificate` reads (none by default: a Fetch `Request`
 * carries no TLS session).
 */
export function requestBinding(
  request: Request,
  read: { readonly url?: (() => string | URL) | undefined; readonly certificate?: (() => ClientCertificate | undefined) | undefined } = {},
): RequestBinding {
  return {
    proof: request.headers.get('dpop'),
    method: request.method,
    url: read.url ?? (() => request.url),
    certificate: read.certificate ?? noCertificate,
  }
}

/**
 * Verifies the request's `Authorization` header (or the header the verifier names, such as
 * ALB's `x-amzn-oidc-data`) — the only place a token is read from (no query string, no form
 * body: RFC 6750 §2.2 and §2.3 are off) — with its DPoP proof and client certificate, and
 * `X-API-Key` for a verifier with `apiKeys`. Several `Authorization` fields arrive joined by
 * `, ` and fail as `header_malformed`. `req` is what the framework calls the request (Hono's
 * `c`, Next's `Request`), for the throttle and the route.
 */
export function authenticateRequest<C extends object, Req = never>(a: ResolvedAdapter<C, Req>, request: Request, binding: RequestBinding = requestBinding(request), req?: Req): Promise<BearerAuth<C> | undefined> {
  return authenticate(a, request.headers.get(a.header), binding, request.headers.get('x-api-key'), req)
}
