/**
 * @module
 * What every adapter shares: its options (the verifier's options, or a verifier built once
 * and shared, plus what the adapter does around it), validated once at setup, and the one
 * request-path call that turns an `Authorization` header into `auth`.
 */
import { ConfigError } from '../errors/config-error.js'
import { bool, fn, parseOptions, v } from '../lib/schema.js'
import { parseRequiredScopes } from '../guards/scopes.js'
import type { AuthorizationInput } from '../core/authorization-header.js'
import { createVerifier, verifierInternals, type Verifier } from '../core/create-verifier.js'
import type { ClientCertificate } from '../binding/certificate.js'
import type { ChallengeContext } from '../errors/www-authenticate.js'
import { createLazyVerifier } from '../core/lazy-verifier.js'
import type { VerifierOptions } from '../core/options.js'
import type { BearerAuth, VerifyRequestOptions } from '../lib/result.js'
import { BearerError, DEFAULT_REALM } from '../errors/bearer-error.js'
import type { ScopeMode } from '../scopes/require.js'
import { verifierEvents, type EventHub } from '../core/events.js'
import type { VerifierEvent } from '../core/options.js'
import { resolveThrottle, throttled, type ResolvedThrottle, type ThrottleOptions } from '../throttle/throttle.js'

/** What an adapter does around the verifier; the same in every framework. */
export interface AdapterSettings {
  /** Scopes every request through this middleware needs (RFC 6750 §3.1 `insufficient_scope`). Default none. */
  readonly scopes?: readonly string[]
  /** `all` (default): every scope in `scopes` is required; `any`: one is enough. */
  readonly scopeMode?: ScopeMode
  /**
   * `false` lets a request without bearer credentials through with no `auth` (optional
   * authentication); a token that is present but bad still fails. Default `true`.
   */
  readonly credentialsRequired?: boolean
  /**
   * CORS preflights (`OPTIONS` with `Access-Control-Request-Method`) carry no credentials.
   * `'answer'` (default): tokengate answers them itself with 204, keeping any headers a CORS
   * middleware mounted before it has set, and nothing after it runs: no handler (an
   * `app.all` route included) ever sees an unauthenticated request. `'verify'` checks them like
   * any request (401 without a token). Mount your CORS middleware before tokengate.
   */
  readonly preflight?: 'answer' | 'verify'
}

/**
 * A verifier you built with `createVerifier`, shared by several middlewares or routes (one
 * JWKS cache). Its `realm` is the adapter's.
 */
export interface SharedVerifierOptions<C extends object = object> {
  readonly verifier: Verifier<C>
}

/** Options of every adapter: the verifier's options (or a shared verifier) plus {@link AdapterSettings}. */
export type AdapterOptions<C extends object = object> = (VerifierOptions<C> | SharedVerifierOptions<C>) & AdapterSettings

/** The `throttle` setting of an adapter whose requests are `Req` (Express `req`, Hono `c`, ...). */
export interface ThrottleSettings<Req> {
  /**
   * Failed-authentication throttling: after `maxFailures` 401s from one key (the client
   * address by default) within `window`, every request from it gets 429 `too_many_failures`
   * with `Retry-After` until the window ends, without being verified. Default: off.
   */
  readonly throttle?: ThrottleOptions<Req>
}

/**
 * How an adapter reads its framework's request beyond the headers: the client address (the
 * throttle's default key) and the matched route pattern (for outcome events).
 */
export interface RequestView<Req> {
  /** The client's address as the framework knows it; omit where it has none (then `throttle.key` is required). */
  readonly clientAddress?: (req: Req) => string | undefined
  /** Why there is no client address, for the `ConfigError` asking for `throttle.key`. */
  readonly noAddress?: string
  /** The route pattern the framework matched (e.g. `/orders/:id`), if it knows one yet. */
  readonly route?: (req: Req) => string | undefined
}

/** Everything the request path needs, derived once at setup. */
export interface ResolvedAdapter<C extends object = object, Req = never> {
  readonly verify: Verifier<C>
  /** The verifier's realm: every answer of this middleware and its guards uses it. */
  readonly realm: string
  /** The request header the token is read from (the verifier's `header`: `authorization` unless it names another). */
  readonly header: string
  /** `scopes` and `scopeMode` as the verifier takes them; `undefined` when no scope is required. */
  readonly request: VerifyRequestOptions | undefined
  readonly credentialsRequired: boolean
  /** `true` when CORS preflights are answered with 204 by the adapter (`preflight: 'answer'`). */
  readonly answerPreflight: boolean
  /** The verifier's challenge context: guards answer with it (schemes, DPoP `algs`, `resource_metadata`). */
  readonly challenge: ChallengeContext
  /** The DPoP nonce to send now, when the verifier issues nonces. */
  readonly dpopNonce: (() => string | Promise<string>) | undefined
  /** The failed-authentication throttle, when `throttle` is set. */
  readonly throttle: ResolvedThrottle<Req> | undefined
  /** The verifier's events (outcomes, throttle events); `undefined` for a verifier not built by `createVerifier`. */
  readonly events: EventHub<VerifierEvent> | undefined
  /** The route pattern of a request, reported in outcome events. */
  readonly route: ((req: Req) => string | undefined) | undefined
}

/**
 * How an adapter reads the parts of a request sender-constrained tokens are checked against.
 * `Req` is the framework's request (Express `req`, Fastify `request`, Hono `c`, Next `Request`).
 */
export interface BindingSettings<Req> {
  /**
   * The URL the client addressed, which a DPoP proof's `htu` must name. Default: rebuilt by the
   * adapter from the request (Express and Fastify follow their own `trust proxy` /
   * `trustProxy` for `X-Forwarded-Proto` and `X-Forwarded-Host`; Hono and Next take the
   * `Request` URL). Behind a proxy or a path-rewriting gateway, return the public URL here, e.g.
   * `(req) => new URL(req.originalUrl, 'https://api.example.com')`. Query and fragment are ignored.
   */
  readonly url?: (req: Req) => string | URL
  /**
   * The client certificate (RFC 8705 mutual TLS) as PEM (URL-encoded PEM too) or DER, or
   * `undefined`: a token bound to a certificate (`cnf["x5t#S256"]`) must come with it. Default:
   * the TLS socket's peer certificate where the framework has one (Express, Fastify, Hono on
   * Node). Behind a TLS-terminating proxy, read the header it sets, and only from that proxy,
   * e.g. `(req) => req.get('x-client-cert')` for nginx's `$ssl_client_escaped_cert`.
   */
  readonly certificate?: (req: Req) => ClientCertificate | undefined
}

/** What an adapter hands over of one request for DPoP and mutual TLS, read lazily. */
export interface RequestBinding {
  /** The `DPoP` header: its value, or every value where the framework keeps repeated fields apart. */
  readonly proof: string | readonly string[] | null | undefined
  readonly method: string
  /** The external URL: called only when a proof is checked. */
  readonly url: () => string | URL
  /** The client certificate: called only for a certificate-bound token. */
  readonly certificate: () => ClientCertificate | undefined
}

/** Checks `url` and `certificate` once, at setup. */
export function parseBindingSettings<Req>(adapter: string, settings: BindingSettings<Req>): BindingSettings<Req> {
  for (const name of ['url', 'certificate'] as const) {
    if (settings[name] !== undefined && typeof settings[name] !== 'function') throw new ConfigError(adapter, name, `expected a function (req) => ${name === 'url' ? 'string | URL' : 'PEM | DER | undefined'}`)
  }
  return settings
}

/** `protocol://host` and the path of `target` (a request target: path and query, or an absolute URL), without query. */
export function externalUrl(protocol: string, host: string | undefined, target: string): string {
  if (/^https?:\/\//i.test(target)) return target
  return `${protocol.replace(/:$/, '')}://${host ?? ''}${target}`
}

/** The DER client certificate of a Node TLS socket (`tls.TLSSocket#getPeerCertificate`), read by shape. */
export function socketCertificate(socket: unknown): Uint8Array | undefined {
  const tls = socket as { getPeerCertificate?: (detailed?: boolean) => { raw?: unknown } | null | undefined } | null | undefined
  if (typeof tls?.getPeerCertificate !== 'function') return undefined
  const raw = tls.getPeerCertificate(false)?.raw
  return raw instanceof Uint8Array && raw.length > 0 ? raw : undefined
}

/** The status a CORS preflight is answered with (`preflight: 'answer'`): 204 No Content. */
export const PREFLIGHT_STATUS = 204

const SETTINGS = ['scopes', 'scopeMode', 'credentialsRequired', 'preflight', 'verifier', 'throttle'] as const
const settingsSchema = v.object({
  scopes: v.optional(v.array(v.string())),
  scopeMode: v.optional(v.picklist(['all', 'any'], "expected 'all' or 'any'")),
  credentialsRequired: v.optional(bool()),
  preflight: v.optional(
    v.picklist(
      ['answer', 'verify'],
      (issue) =>
        issue.input === 'pass'
          ? "'pass' is gone: it handed preflights to handlers unauthenticated (an app.all route ran without auth). Use 'answer' (the default: 204 here) and mount your CORS middleware before tokengate, or 'verify'"
          : "expected 'answer' or 'verify'",
    ),
  ),
  verifier: v.optional(fn<Verifier>('a verifier from createVerifier')),
  // Checked by resolveThrottle.
  throttle: v.optional(v.custom<ThrottleOptions<unknown>>((x) => typeof x === 'object' && x !== null, 'expected throttle settings { store?, maxFailures?, window?, key? }')),
})
/** Keys the adapter consumes; everything else goes to `createVerifier`. */
const OWN: ReadonlySet<string> = new Set(SETTINGS)

/** Freezes a scope requirement, or `undefined` when nothing is required. */
function scopeRequirement(scopes: readonly string[] | undefined, mode: ScopeMode | undefined): VerifyRequestOptions | undefined {
  if (!scopes || scopes.length === 0) return undefined
  return Object.freeze({ scopes, scopeMode: mode ?? 'all' })
}

/**
 * Validates adapter options once and builds the verifier (unless one is shared). The
 * adapter removes its own keys (`onError`, ...) before calling this; `adapter` names it in
 * a `ConfigError` (`express`, `hono`, ...). `lazy`: the verifier's options are checked and
 * built on the first request instead (Next: `next build` imports modules without the
 * runtime environment the options are read from).
 */
export function resolveAdapter<C extends object, Req = never>(
  adapter: string,
  options: AdapterOptions<C> & ThrottleSettings<Req>,
  view: RequestView<Req> = {},
  lazy = false,
): ResolvedAdapter<C, Req> {
  if (typeof options !== 'object' || options === null) throw new ConfigError(adapter, 'options', 'expected the verifier options, e.g. { issuer, audience, jwksUri }, or { verifier }')
  const record = options as unknown as Record<string, unknown>
  const s = parseOptions(adapter, settingsSchema, Object.fromEntries(SETTINGS.map((k) => [k, record[k]])))
  const scopes = s.scopes === undefined ? undefined : parseRequiredScopes('scopes', s.scopes, adapter)
  const throttle = resolveThrottle(adapter, s.throttle as ThrottleOptions<Req> | undefined, view.clientAddress, view.noAddress)
  const rest = Object.entries(record).filter(([k, value]) => value !== undefined && !OWN.has(k))
  let verify: Verifier<C>
  if (s.verifier) {
    const extra = rest[0]
    if (extra) throw new ConfigError(adapter, extra[0], 'give it to createVerifier, not beside a shared verifier')
    verify = s.verifier as Verifier<C>
  } else {
    const verifierOptions = Object.fromEntries(rest) as unknown as VerifierOptions<C>
    verify = lazy ? createLazyVerifier(() => verifierOptions) : createVerifier(verifierOptions)
  }
  return Object.freeze({
    verify,
    // Read when an answer needs it: a lazy verifier is built on first use, not here.
    get realm() {
      return verify.realm ?? DEFAULT_REALM
    },
    get header() {
      return verify.header ?? 'authorization'
    },
    request: scopeRequirement(scopes, s.scopeMode),
    credentialsRequired: s.credentialsRequired ?? true,
    answerPreflight: (s.preflight ?? 'answer') === 'answer',
    get challenge() {
      return verifierInternals(verify).challenge
    },
    get dpopNonce() {
      return verifierInternals(verify).dpopNonce
    },
    throttle,
    get events() {
      return verifierEvents<VerifierEvent>(verify)
    },
    route: view.route,
  })
}

/**
 * The request path: verifies the header against the middleware's scopes. Resolves with the
 * verified token, with `undefined` for a request without bearer credentials when they are
 * optional, or rejects with a `BearerError`. `apiKey` is the request's `X-API-Key` header,
 * which a verifier with `apiKeys` reads (and any other ignores). With `req` (the framework's
 * request), the throttle applies and outcome events name the route.
 */
export function authenticate<C extends object, Req = never>(
  a: ResolvedAdapter<C, Req>,
  authorization: AuthorizationInput,
  binding?: RequestBinding,
  apiKey?: string | readonly string[] | null,
  req?: Req,
): Promise<BearerAuth<C> | undefined> {
  const events = a.events
  // The route only while someone listens: nothing is read or allocated for it otherwise.
  const route = req !== undefined && a.route !== undefined && events?.active === true ? a.route(req) : undefined
  const withParts = binding === undefined ? a.request : withBinding(a.request, binding)
  const withKey = apiKey == null ? withParts : { ...withParts, apiKey }
  const request = route === undefined ? withKey : { ...withKey, route }
  const key = a.throttle === undefined || req === undefined ? undefined : throttleKey(a.throttle, req, events)
  const result = key === undefined ? a.verify(authorization, request) : throttled(a.throttle!, key, () => a.verify(authorization, request), report(events), route)
  return a.credentialsRequired ? result : result.catch(anonymous)
}

const ignore = (): void => {}
const report = (events: EventHub<VerifierEvent> | undefined) => (events === undefined ? ignore : events.emit)

/** The request's throttle key; `undefined` (unthrottled) when there is none or `key` throws. */
function throttleKey<Req>(t: ResolvedThrottle<Req>, req: Req, events: EventHub<VerifierEvent> | undefined): string | undefined {
  try {
    const key = t.key(req)
    return typeof key === 'string' && key !== '' ? key : undefined
  } catch (err) {
    report(events)({ type: 'throttle_error', operation: 'key', error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) })
    return undefined
  }
}

/** The middleware's requirements plus this request's DPoP parts and certificate. */
function withBinding(base: VerifyRequestOptions | undefined, b: RequestBinding): VerifyRequestOptions {
  const proof = b.proof
  return {
    ...base,
    ...(proof == null ? {} : { dpop: { proof, method: b.method, url: b.url() } }),
    certificate: b.certificate,
  }
}

/**
 * The `DPoP-Nonce` to send with the answer to a request that carried a DPoP proof, when the
 * verifier issues nonces (RFC 9449 §8.2: the next nonce rides on the success response).
 */
export function dpopNonceFor<C extends object, Req>(a: ResolvedAdapter<C, Req>, binding: RequestBinding): string | Promise<string> | undefined {
  return a.dpopNonce !== undefined && binding.proof != null ? a.dpopNonce() : undefined
}

/**
 * Sets the `DPoP-Nonce` of the answer through `set`, when there is one: synchronously when the
 * nonce is ready; never rejects (without a nonce the answer still stands).
 */
export function setDpopNonce<C extends object, Req>(a: ResolvedAdapter<C, Req>, binding: RequestBinding, set: (nonce: string) => void): void | Promise<void> {
  const nonce = dpopNonceFor(a, binding)
  if (nonce === undefined) return
  if (typeof nonce === 'string') {
    set(nonce)
    return
  }
  return nonce.then(
    (value) => void set(value),
    () => undefined,
  )
}

function anonymous(err: unknown): undefined {
  if (BearerError.is(err) && err.reason === 'token_missing') return undefined
  throw err
}

/**
 * `err` with a one-line `stack` (`BearerError [token_expired]: The token has expired`), for
 * errors handed to a framework's error handling: Express logs `err.stack` of every error
 * passed to `next(err)`, Fastify logs 4xx errors with theirs. A refused token is the verifier
 * doing its job, not a crash: no stack trace belongs in the logs for it.
 */
export function withoutStack(err: BearerError): BearerError {
  Object.defineProperty(err, 'stack', { value: String(err), writable: true, configurable: true })
  return err
}

/** A CORS preflight (Fetch standard: `OPTIONS` with `Access-Control-Request-Method`). */
export function isPreflight(method: string | undefined, accessControlRequestMethod: unknown): boolean {
  return method === 'OPTIONS' && accessControlRequestMethod != null
}
