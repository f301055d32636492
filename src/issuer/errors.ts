/**
 * @module
 * `IssuerError`: what `refresh`, `issue` and `revoke` throw when the request cannot be served.
 * Verifier-side failures stay `BearerError`s (src/errors/reasons.ts); these are the token
 * endpoint's failures, answered in the RFC 6749 §5.2 JSON shape.
 */

/** RFC 6749 §5.2 `error` values the issuer uses (`temporarily_unavailable` from §4.1.2.1). */
export type IssuerErrorCode = 'invalid_grant' | 'temporarily_unavailable' | 'invalid_dpop_proof'

interface IssuerReasonEntry {
  readonly status: 400 | 503
  readonly error: IssuerErrorCode
  /** Default human message (`error_description`). Never contains a token. */
  readonly message: string
}

const r = (status: IssuerReasonEntry['status'], error: IssuerErrorCode, message: string): IssuerReasonEntry =>
  Object.freeze({ status, error, message })

/**
 * Every reason an issuer operation can fail. `reason` values are public API: renaming one is
 * a breaking change.
 */
export const ISSUER_REASONS = Object.freeze({
  /** Not a refresh token this issuer knows: malformed, never issued, or purged after expiry. */
  refresh_token_invalid: r(400, 'invalid_grant', 'The refresh token is invalid'),
  /** The refresh token is known but past its `refreshTtl`. */
  refresh_token_expired: r(400, 'invalid_grant', 'The refresh token has expired'),
  /** The refresh token's family (login) or subject was revoked. */
  refresh_token_revoked: r(400, 'invalid_grant', 'The refresh token has been revoked'),
  /**
   * The refresh token was already exchanged. Reuse means it leaked (RFC 9700 §4.14.2): the
   * whole family has now been revoked, including the access tokens it minted.
   */
  refresh_token_reused: r(400, 'invalid_grant', 'The refresh token was already used; the session has been revoked'),
  /**
   * RFC 9449 §5: the token request's DPoP proof is missing where the refresh token needs one,
   * or fails a check of §4.3 (signature, `htu` = `tokenEndpoint`, `htm`, `iat`, replay, ...).
   */
  dpop_proof_invalid: r(400, 'invalid_dpop_proof', 'The DPoP proof is invalid'),
  /** RFC 9449 §5: the refresh token is bound to another DPoP key than the proof's. */
  refresh_token_key_mismatch: r(400, 'invalid_grant', 'The refresh token is bound to another DPoP key'),
  /** The store (memory or Redis) failed or timed out; nothing was issued or rotated. */
  store_unavailable: r(503, 'temporarily_unavailable', 'The token store is temporarily unavailable'),
} satisfies Record<string, IssuerReasonEntry>)

/** A stable, machine-readable issuer failure reason. */
export type IssuerErrorReason = keyof typeof ISSUER_REASONS

/** The RFC 6749 §5.2 error body. */
export interface OAuthErrorBody {
  readonly error: IssuerErrorCode
  readonly error_description: string
}

const BRAND = Symbol.for('tokengate.IssuerError')

/**
 * An issuer operation failure: a stable `reason`, the HTTP `status` (also as `statusCode`
 * for Express and Fastify), the RFC 6749 `error` code, and `toResponse()` for `/token`.
 *
 * Import from `tokengate/issuer`.
 *
 * @example
 * try { res.json(toTokenResponse(await issuer.refresh(req.body.refresh_token))) }
 * catch (err) { if (IssuerError.is(err)) return res.status(err.status).set(err.headers).json(err.toJSON()); throw err }
 */
export class IssuerError extends Error {
  override readonly name = 'IssuerError' as const
  /** Stable machine-readable reason, e.g. `refresh_token_reused`. */
  readonly reason: IssuerErrorReason
  /** HTTP status: 400 or 503. */
  readonly status: 400 | 503
  /** Same as `status`, for frameworks that read `statusCode`. */
  readonly statusCode: 400 | 503
  /** RFC 6749 §5.2 `error`. */
  readonly error: IssuerErrorCode
  /** Headers to send: token endpoint responses are never cached (RFC 6749 §5.1). */
  readonly headers: Readonly<Record<string, string>>

  constructor(reason: IssuerErrorReason, options: { message?: string; cause?: unknown } = {}) {
    const entry = ISSUER_REASONS[reason]
    super(options.message ?? entry.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.reason = reason
    this.status = this.statusCode = entry.status
    this.error = entry.error
    this.headers = Object.freeze({ 'Cache-Control': 'no-store' })
  }

  /** True for any tokengate `IssuerError`, even from another copy of the package (ESM and CJS). */
  static is(value: unknown): value is IssuerError {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
  }

  /** The RFC 6749 §5.2 body: `{ error, error_description }`. */
  toJSON(): OAuthErrorBody {
    return { error: this.error, error_description: this.message }
  }

  /** A `Response` with the status, `Cache-Control: no-store` and the JSON body. */
  toResponse(): Response {
    return new Response(JSON.stringify(this.toJSON()), {
      status: this.status,
      headers: { ...this.headers, 'Content-Type': 'application/json' },
    })
  }

  override toString(): string {
    return `IssuerError [${this.reason}]: ${this.message}`
  }
}

Object.defineProperty(IssuerError.prototype, BRAND, { value: true })
