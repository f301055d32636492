/**
 * @module
 * `BearerError`: the one class every request failure throws.
 */
import { REASONS, type BearerErrorCode, type BearerErrorReason } from './reasons.js'
import { bearerOnly, buildChallenges, quoteString, type AuthScheme, type ChallengeContext } from './www-authenticate.js'
import { problemDetails, type ProblemDetails } from './problem.js'

const BRAND = Symbol.for('tokengate.BearerError')

/** The realm used in `WWW-Authenticate` when none is configured. */
export const DEFAULT_REALM = 'api'

/** Options of `new BearerError(reason, options)`; status and code come from the reason. */
export interface BearerErrorOptions {
  /** Human message; defaults to the reason's message. Must never contain the token. */
  readonly message?: string
  /** The underlying error (a jose error, a fetch failure, a ZodError, ...). */
  readonly cause?: unknown
  /** `realm` of the challenge. Default `"api"`. */
  readonly realm?: string
  /** Space-delimited scopes the request needed (403 `insufficient_scope`). */
  readonly scope?: string
  /** The claim at fault, for claim failures (`exp`, `aud`, ...). */
  readonly claim?: string
  /** Seconds until a retry can succeed (429): sent as `Retry-After`. */
  readonly retryAfter?: number
  /**
   * The schemes and parameters of the verifier answering (DPoP `algs`, `resource_metadata`).
   * Default: `Bearer` only, in `realm`.
   */
  readonly challenge?: ChallengeContext
  /** The scheme the request used (`Bearer` or `DPoP`): its challenge carries the error (RFC 9449 §7.2). */
  readonly scheme?: AuthScheme
  /** RFC 9470 `acr_values` (space-delimited), for `insufficient_user_authentication`. */
  readonly acrValues?: string
  /** RFC 9470 `max_age` in seconds, for `insufficient_user_authentication`. */
  readonly maxAge?: number
  /** A DPoP nonce to send as the `DPoP-Nonce` header (RFC 9449 §9). */
  readonly dpopNonce?: string
}

/**
 * A bearer-token request failure with everything needed to answer it: `status`, the
 * RFC 6750 `code`, a stable `reason`, the `WWW-Authenticate` value and an RFC 9457 body.
 * It carries `statusCode` and `headers` too, so Express's finalhandler and Fastify's
 * default error handler answer correctly when it is passed to `next(err)` or thrown.
 *
 * Import from `tokengate`.
 *
 * @example
 * try { await verifyBearer(req.headers.authorization) }
 * catch (err) { if (BearerError.is(err)) return err.toResponse(); throw err }
 */
export class BearerError extends Error {
  override readonly name = 'BearerError' as const
  /** Stable machine-readable reason, e.g. `token_expired`. */
  readonly reason: BearerErrorReason
  /** HTTP status: 400, 401, 403, 429 or 503. */
  readonly status: 400 | 401 | 403 | 429 | 503
  /** Same as `status`, for frameworks that read `statusCode`. */
  readonly statusCode: 400 | 401 | 403 | 429 | 503
  /** RFC 6750 error code; `undefined` for a missing token (RFC 6750 §3.1), for 429s and for 503s. */
  readonly code: BearerErrorCode | undefined
  /** The full `WWW-Authenticate` value; `undefined` on 429 and 503 (a rate limit or an outage is not a challenge). */
  readonly wwwAuthenticate: string | undefined
  /** Seconds until a retry can succeed, for 429 (also in `headers` as `Retry-After`). */
  readonly retryAfter: number | undefined
  /** Response headers to send with this error. */
  readonly headers: Readonly<Record<string, string>>
  /** The claim at fault, when a claim check failed. */
  readonly claim: string | undefined
  /** The scopes the request required, for `insufficient_scope`. */
  readonly scope: string | undefined
  /** The `realm` of the challenge. */
  readonly realm: string
  /** The scheme the failed request used, when it got that far (`Bearer` or `DPoP`). */
  readonly scheme: AuthScheme | undefined
  /** RFC 9470 `acr_values` the request needed, for `insufficient_user_authentication`. */
  readonly acrValues: string | undefined
  /** RFC 9470 `max_age` (seconds) the request needed, for `insufficient_user_authentication`. */
  readonly maxAge: number | undefined
  /** The nonce sent in `DPoP-Nonce`, when the verifier issues DPoP nonces. */
  readonly dpopNonce: string | undefined
  readonly #options: BearerErrorOptions

  constructor(reason: BearerErrorReason, options: BearerErrorOptions = {}) {
    const entry = REASONS[reason]
    super(options.message ?? entry.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.reason = reason
    this.#options = options
    this.realm = options.realm ?? options.challenge?.realm ?? DEFAULT_REALM
    this.status = this.statusCode = entry.status
    this.code = entry.code
    this.claim = options.claim
    this.scope = options.scope
    this.retryAfter = options.retryAfter === undefined ? undefined : Math.max(0, Math.ceil(options.retryAfter))
    this.scheme = options.scheme
    this.acrValues = options.acrValues
    this.maxAge = options.maxAge
    const context = options.challenge ?? bearerOnly(this.realm)
    this.wwwAuthenticate =
      entry.status === 503 || entry.status === 429
        ? undefined
        : buildChallenges(context, quoteString(this.realm), options.scheme, {
            code: entry.code,
            description: entry.code === undefined ? undefined : this.message,
            scope: options.scope,
            acrValues: options.acrValues,
            maxAge: options.maxAge,
          })
    // A nonce only travels with a challenge that offers DPoP.
    this.dpopNonce = this.wwwAuthenticate !== undefined && context.dpopAlgs !== undefined ? options.dpopNonce : undefined
    const headers: Record<string, string> = {}
    if (this.wwwAuthenticate !== undefined) headers['WWW-Authenticate'] = this.wwwAuthenticate
    if (this.retryAfter !== undefined) headers['Retry-After'] = String(this.retryAfter)
    if (this.dpopNonce !== undefined) headers['DPoP-Nonce'] = this.dpopNonce
    this.headers = Object.freeze(headers)
  }

  /**
   * This error as the verifier with `realm` answers it. Steps below the verifier throw with
   * the default realm; the verifier (and the adapters' guards) re-issue with their own.
   */
  withRealm(realm: string): BearerError {
    if (realm === this.realm) return this
    const challenge = this.#options.challenge
    return this.#copy({ ...this.#options, realm, ...(challenge === undefined ? {} : { challenge: { ...challenge, realm } }) })
  }

  /**
   * This error as a verifier with `challenge` answers it: its realm, the schemes it serves
   * (DPoP `algs`), `resource_metadata`; `scheme` and `dpopNonce` fill in what the error does
   * not say itself. The pipeline and the guards re-issue errors through this.
   */
  inContext(challenge: ChallengeContext, extra: { readonly scheme?: AuthScheme | undefined; readonly dpopNonce?: string | undefined } = {}): BearerError {
    const o = this.#options
    const scheme = o.scheme ?? extra.scheme
    const dpopNonce = o.dpopNonce ?? extra.dpopNonce
    if (o.challenge === challenge && o.scheme === scheme && o.dpopNonce === dpopNonce) return this
    const { realm: _realm, ...rest } = o
    return this.#copy({ ...rest, challenge, ...(scheme === undefined ? {} : { scheme }), ...(dpopNonce === undefined ? {} : { dpopNonce }) })
  }

  #copy(options: BearerErrorOptions): BearerError {
    const copy = new BearerError(this.reason, options)
    if (this.stack !== undefined) copy.stack = this.stack
    return copy
  }

  /** True for any tokengate `BearerError`, even from another copy of the package (ESM and CJS). */
  static is(value: unknown): value is BearerError {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
  }

  /** The RFC 9457 problem details body. */
  toProblem(): ProblemDetails {
    return problemDetails(this)
  }

  /** A `Response` with the status, headers and an `application/problem+json` body. */
  toResponse(): Response {
    return new Response(JSON.stringify(this.toProblem()), {
      status: this.status,
      headers: { ...this.headers, 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' },
    })
  }

  override toString(): string {
    return `BearerError [${this.reason}]: ${this.message}`
  }
}

Object.defineProperty(BearerError.prototype, BRAND, { value: true })
