/**
 * @module
 * What every adapter shares: its options (the verifier's options, or a verifier built once
 * and shared, plus what the adapter does around it), validated once at setup, and the one
 * request-path call that turns an `Authorization` header into `auth`.
 */
import { z } from 'zod'
import { configError } from '../core/config-error.js'
import type { AuthorizationInput } from '../core/authorization-header.js'
import { createVerifier, type Verifier } from '../core/create-verifier.js'
import type { VerifierOptions } from '../core/options.js'
import type { BearerAuth, VerifyRequestOptions } from '../lib/result.js'
import { BearerError, DEFAULT_REALM } from '../errors/bearer-error.js'
import { assertScopes, type ScopeMode } from '../scopes/require.js'

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
   * CORS preflights (`OPTIONS` with `Access-Control-Request-Method`) carry no credentials:
   * `'pass'` (default) hands them on untouched, with no `auth`; `'verify'` checks them like
   * any request.
   */
  readonly preflight?: 'pass' | 'verify'
}

/** A verifier you built with `createVerifier`, shared by several middlewares or routes (one JWKS cache). */
export interface SharedVerifierOptions<C extends object = object> {
  readonly verifier: Verifier<C>
  /** The realm the verifier was built with, for challenges the adapter builds itself. Default `'api'`. */
  readonly realm?: string
}

/** Options of every adapter: the verifier's options (or a shared verifier) plus {@link AdapterSettings}. */
export type AdapterOptions<C extends object = object> = (VerifierOptions<C> | SharedVerifierOptions<C>) & AdapterSettings

/** Everything the request path needs, derived once at setup. */
export interface ResolvedAdapter<C extends object = object> {
  readonly verify: Verifier<C>
  readonly realm: string
  /** `scopes` and `scopeMode` as the verifier takes them; `undefined` when no scope is required. */
  readonly request: VerifyRequestOptions | undefined
  readonly credentialsRequired: boolean
  readonly passPreflight: boolean
}

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const scopeToken = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'expected a scope token (RFC 6749 §3.3: no spaces, quotes or backslashes)')
const scopeList = z.array(scopeToken)
const settingsSchema = z.object({
  scopes: scopeList.optional(),
  scopeMode: z.enum(['all', 'any']).optional(),
  credentialsRequired: z.boolean().optional(),
  preflight: z.enum(['pass', 'verify']).optional(),
  verifier: z.custom<Verifier>((v) => typeof v === 'function', 'expected a verifier from createVerifier').optional(),
  realm: z.string().min(1).optional(),
})
/** Keys the adapter consumes; everything else goes to `createVerifier`. */
const OWN: ReadonlySet<string> = new Set(['scopes', 'scopeMode', 'credentialsRequired', 'preflight', 'verifier'])

const adapterConfigError = (adapter: string, error: z.ZodError, prefix: readonly PropertyKey[] = []): TypeError =>
  configError(`tokengate/${adapter}: invalid option`, error, prefix)

/** Freezes a scope requirement, or `undefined` when nothing is required. */
export function scopeRequirement(scopes: readonly string[] | undefined, mode: ScopeMode | undefined): VerifyRequestOptions | undefined {
  if (!scopes || scopes.length === 0) return undefined
  return Object.freeze({ scopes: Object.freeze([...scopes]), scopeMode: mode ?? 'all' })
}

/**
 * Validates a route's scopes once (`requireScopes(...)` arguments, or a route's
 * `config.scopes`); a mistake is a `TypeError` naming `where`.
 */
export function parseScopes(adapter: string, where: string, scopes: readonly string[], mode: ScopeMode): VerifyRequestOptions {
  const result = scopeList.min(1, 'name at least one scope').safeParse(scopes)
  if (!result.success) throw adapterConfigError(adapter, result.error, [where])
  return scopeRequirement(result.data, mode)!
}

/**
 * Validates adapter options once and builds the verifier (unless one is shared). The
 * adapter removes its own keys (`onError`, ...) before calling this.
 */
export function resolveAdapter<C extends object>(adapter: string, options: AdapterOptions<C>): ResolvedAdapter<C> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`tokengate/${adapter}: options are required`)
  const record = options as unknown as Record<string, unknown>
  const settings = settingsSchema.safeParse(Object.fromEntries([...OWN, 'realm'].map((k) => [k, record[k]])))
  if (!settings.success) throw adapterConfigError(adapter, settings.error)
  const s = settings.data
  const rest = Object.entries(record).filter(([k, v]) => v !== undefined && !OWN.has(k))
  let verify: Verifier<C>
  if (s.verifier) {
    const extra = rest.find(([k]) => k !== 'realm')
    if (extra) throw new TypeError(`tokengate/${adapter}: invalid option ${extra[0]}: give it to createVerifier, not beside a shared verifier`)
    verify = s.verifier as Verifier<C>
  } else {
    verify = createVerifier(Object.fromEntries(rest) as unknown as VerifierOptions<C>)
  }
  return Object.freeze({
    verify,
    realm: s.realm ?? DEFAULT_REALM,
    request: scopeRequirement(s.scopes, s.scopeMode),
    credentialsRequired: s.credentialsRequired ?? true,
    passPreflight: (s.preflight ?? 'pass') === 'pass',
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

/** `requireScopes` after the middleware: 401 without a token, 403 without the scopes. */
export function assertRouteScopes(auth: BearerAuth | undefined, realm: string, required: VerifyRequestOptions): void {
  if (!auth) throw new BearerError('token_missing', { realm })
  assertScopes(auth.scopes, required.scopes!, required.scopeMode ?? 'all', realm)
}

/** A CORS preflight (Fetch standard: `OPTIONS` with `Access-Control-Request-Method`). */
export function isPreflight(method: string | undefined, accessControlRequestMethod: unknown): boolean {
  return method === 'OPTIONS' && accessControlRequestMethod != null
}
