/**
 * @module
 * The token pair `issue()` and `refresh()` return, and its RFC 6749 §5.1 JSON form.
 */

/** An access token and the refresh token that renews it. */
export interface TokenPair {
  /** RFC 9068 JWT access token. */
  readonly accessToken: string
  /** Opaque refresh token; single use (each refresh returns a new one). */
  readonly refreshToken: string
  /** `'DPoP'` when the access token is bound to the client's DPoP key (`cnf.jkt`, RFC 9449 §5). */
  readonly tokenType: 'Bearer' | 'DPoP'
  /** Access-token lifetime in seconds. */
  readonly expiresIn: number
  /** Space-delimited granted scopes (`''` when none). */
  readonly scope: string
}

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponseBody {
  readonly access_token: string
  readonly token_type: 'Bearer' | 'DPoP'
  readonly expires_in: number
  readonly refresh_token: string
  readonly scope?: string
}

/**
 * The pair in the OAuth 2.0 snake_case shape, for `/token` endpoints. Send it with
 * `Cache-Control: no-store` (RFC 6749 §5.1).
 *
 * Import from `tokengate/issuer`.
 *
 * @example
 * res.set('Cache-Control', 'no-store').json(toTokenResponse(await issuer.issue({ sub: user.id })))
 */
export function toTokenResponse(pair: TokenPair): TokenResponseBody {
  return {
    access_token: pair.accessToken,
    token_type: pair.tokenType,
    expires_in: pair.expiresIn,
    refresh_token: pair.refreshToken,
    ...(pair.scope === '' ? {} : { scope: pair.scope }),
  }
}
