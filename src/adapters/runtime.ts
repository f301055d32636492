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
import { createVerifier, type Verifier } from '../core/create-verifier.js'
import { createLazyVerifier } from '../core/lazy-verifier.js'
import type { VerifierOptions } from '../core/options.js'
import type { BearerAuth, VerifyRequestOptions } from '../lib/result.js'
import { BearerError, DEFAULT_REALM } from '../errors/bearer-error.js'
import type { ScopeMode } from '../scopes/require.js'

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

/** Everything the request path needs, derived once at setup. */
export interface ResolvedAdapter<C extends object = object> {
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
}

/** The status a CORS preflight is answered with (`preflight: 'answer'`): 204 No Content. */
export const PREFLIGHT_STATUS = 204

const SETTINGS = ['scopes', 'scopeMode', 'credentialsRequired', 'preflight', 'verifier'] as const
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
export function resolveAdapter<C extends object>(adapter: string, options: AdapterOptions<C>, lazy = false): ResolvedAdapter<C> {
  if (typeof options !== 'object' || options === null) throw new ConfigError(adapter, 'options', 'expected the verifier options, e.g. { issuer, audience, jwksUri }, or { verifier }')
  const record = options as unknown as Record<string, unknown>
  const s = parseOptions(adapter, settingsSchema, Object.fromEntries(SETTINGS.map((k) => [k, record[k]])))
  const scopes = s.scopes === undefined ? undefined : parseRequiredScopes('scopes', s.scopes, adapter)
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
  })
}

/**
 * The request path: verifies the header against the middleware's scopes. Resolves with the
 * verified token, with `undefined` for a request without bearer credentials when they are
 * optional, or rejects with a `BearerError`.
 */
export function authenticate<C extends object>(a: ResolvedAdapter<C>, authorization: AuthorizationInput): Promise<BearerAuth<C> | undefined> {
  const result = a.verify(authorization, a.request)
  return a.credentialsRequired ? result : result.catch(anonymous)
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
