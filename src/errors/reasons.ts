/**
 * @module
 * The one table of failure reasons. Every `BearerError` takes its HTTP status and its
 * RFC 6750 error code from here, so nobody builds a 403 `invalid_token` by hand.
 */

/**
 * `error=` codes: RFC 6750 §3.1, RFC 9449 §7.1 (`invalid_dpop_proof`, `use_dpop_nonce`) and
 * RFC 9470 §3 (`insufficient_user_authentication`).
 */
export type BearerErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'insufficient_user_authentication'

interface ReasonEntry {
  readonly status: 400 | 401 | 403 | 429 | 503
  /** RFC 6750 `error=`; absent when the response is not an authentication challenge. */
  readonly code: BearerErrorCode | undefined
  /** Default human message. Never contains the token. */
  readonly message: string
}

const r = (status: ReasonEntry['status'], code: BearerErrorCode | undefined, message: string): ReasonEntry =>
  Object.freeze({ status, code, message })

/**
 * Every reason a request can fail, with its status and code. `reason` values are public
 * API: renaming one is a breaking change.
 */
export const REASONS = Object.freeze({
  // 0. abuse protection: an adapter's `throttle`, before anything is verified
  /**
   * This client (the throttle's key: its address by default) failed authentication too often
   * within the throttle window; every request is refused until the window ends (`Retry-After`),
   * a valid token too, without being verified.
   */
  too_many_failures: r(429, undefined, 'Too many failed authentication attempts; retry later'),
  // 1. format
  /** No `Authorization` header, or one with another scheme (RFC 6750 §3.1: no `error=`). */
  token_missing: r(401, undefined, 'A bearer token is required'),
  /** `Authorization: Bearer` not followed by exactly one token68, or several credentials. */
  header_malformed: r(400, 'invalid_request', 'The Authorization header is not "Bearer <token>"'),
  /** The header exceeds the size limit; checked before any decoding. */
  token_too_large: r(401, 'invalid_token', 'The token exceeds the size limit'),
  /** Not three strict base64url segments of a JSON-object header and payload. */
  token_malformed: r(401, 'invalid_token', 'The token is not a well-formed JWT'),
  /** Five segments: an encrypted JWT (JWE), which a bearer validator does not accept. */
  token_encrypted: r(401, 'invalid_token', 'Encrypted tokens (JWE) are not accepted'),
  // 2. header and signature
  /** `alg` is `none`, not on the allow-list, or not usable with the key's type. */
  alg_not_allowed: r(401, 'invalid_token', 'The token algorithm is not allowed'),
  /** A `crit` header names an extension this validator does not understand (RFC 7515 §4.1.11). */
  crit_unsupported: r(401, 'invalid_token', 'The token requires an unsupported extension'),
  /** The header `typ` names another kind of token (RFC 8725 §3.11), or not the configured one. */
  typ_invalid: r(401, 'invalid_token', 'The token type is not accepted'),
  /** The key source holds several usable keys and the token names none (`kid`). */
  kid_missing: r(401, 'invalid_token', 'The token does not name its key (kid)'),
  /** No usable key with the token's `kid`. */
  kid_not_found: r(401, 'invalid_token', 'The token key (kid) is not known'),
  /** The signature does not verify with the selected key. */
  signature_invalid: r(401, 'invalid_token', 'The token signature is invalid'),
  // 3. time
  /** `exp` (or an `exp` replicated in the header, as AWS ALB sends it) is at or before now, beyond the clock tolerance. */
  token_expired: r(401, 'invalid_token', 'The token has expired'),
  /** `nbf` is after now, beyond the clock tolerance. */
  token_not_yet_valid: r(401, 'invalid_token', 'The token is not valid yet'),
  /** `iat` (or `auth_time`) is after now, beyond the clock tolerance. */
  token_issued_in_future: r(401, 'invalid_token', 'The token was issued in the future'),
  /** `iat` is older than `maxTokenAge` (plus the clock tolerance). */
  token_too_old: r(401, 'invalid_token', 'The token was issued too long ago'),
  // 4. claims
  /** A required claim is absent (`exp` always; `iat` with `maxTokenAge`; others through `requiredClaims` and `claimValues`). */
  claim_missing: r(401, 'invalid_token', 'The token lacks a required claim'),
  /** A claim has the wrong type (`exp` as a string, `aud` as a number, ...), or a value `claimValues` does not accept. */
  claim_invalid: r(401, 'invalid_token', 'The token has an invalid claim'),
  /** `iss` is absent or not one of the configured issuers. */
  issuer_invalid: r(401, 'invalid_token', 'The token issuer is not accepted'),
  /** `aud` is absent or names none of the configured audiences. */
  audience_invalid: r(401, 'invalid_token', 'The token audience is not accepted'),
  /** The custom `claims` schema rejected the payload. */
  claims_schema_failed: r(401, 'invalid_token', 'The token claims do not match the expected schema'),
  // 4b. sender-constrained tokens
  /**
   * The token has a `cnf` claim (it is bound to a key or certificate) but was presented as a
   * plain bearer token without proof of possession (RFC 9449 §7.2), or an introspection
   * response says so (`cnf`, or a `token_type` of DPoP). `acceptBoundAsBearer` lifts this for JWTs.
   */
  token_bound: r(401, 'invalid_token', 'The token is bound to a key and cannot be used as a plain bearer token'),
  /** RFC 8705 §3: the client certificate of the request is not the one the token is bound to (`cnf["x5t#S256"]`). */
  certificate_mismatch: r(401, 'invalid_token', 'The token is bound to another client certificate'),
  /** `dpop.required`: the verifier accepts only DPoP-bound tokens, and the request used `Bearer`. */
  dpop_required: r(401, 'invalid_token', 'Only DPoP-bound tokens are accepted here (Authorization: DPoP)'),
  /** RFC 9449 §7.1: `Authorization: DPoP` without a `DPoP` proof header. */
  dpop_proof_missing: r(401, 'invalid_dpop_proof', 'The DPoP proof is missing'),
  /**
   * RFC 9449 §4.3: the proof is not one well-formed `dpop+jwt` (several `DPoP` headers, too
   * large, bad JSON, a missing claim), its `alg` is not allowed, its `jwk` is not a public key,
   * or its signature does not verify with that key.
   */
  dpop_proof_invalid: r(401, 'invalid_dpop_proof', 'The DPoP proof is invalid'),
  /** RFC 9449 §4.3 (8, 9): the proof's `htm` or `htu` names another request (method, or URL without query). */
  dpop_request_mismatch: r(401, 'invalid_dpop_proof', 'The DPoP proof was made for another request'),
  /** RFC 9449 §11.1: the proof's `iat` is older than `dpop.maxAge` or in the future, beyond the clock tolerance. */
  dpop_proof_expired: r(401, 'invalid_dpop_proof', 'The DPoP proof is too old or from the future'),
  /** RFC 9449 §4.3 (12): the proof's `ath` is not the hash of the access token it came with. */
  dpop_ath_mismatch: r(401, 'invalid_dpop_proof', 'The DPoP proof was made for another access token'),
  /** RFC 9449 §11.1: the proof's `jti` was seen before (a replayed proof). */
  dpop_proof_replayed: r(401, 'invalid_dpop_proof', 'The DPoP proof has already been used'),
  /** RFC 9449 §9: the verifier issues nonces and the proof has none, or a stale or wrong one; `DPoP-Nonce` has a fresh one. */
  dpop_nonce_required: r(401, 'use_dpop_nonce', 'The DPoP proof must carry the nonce the resource server provided'),
  /** RFC 9449 §7.1: a token presented with `Authorization: DPoP` that is not bound to a key (`cnf.jkt`). */
  dpop_token_unbound: r(401, 'invalid_token', 'The token is not bound to a DPoP key'),
  /** RFC 9449 §6: the proof was signed by another key than the one the token is bound to (`cnf.jkt`). */
  dpop_key_mismatch: r(401, 'invalid_token', 'The DPoP proof key does not match the token binding'),
  // 5. scopes
  /** The token lacks a scope the route requires. */
  insufficient_scope: r(403, 'insufficient_scope', 'The token lacks the required scope'),
  // route guards: 403 with RFC 6750's only 403 code, each with its own reason
  /** The token lacks a role the route requires (`requireRoles`, `requireAnyRole`). */
  role_missing: r(403, 'insufficient_scope', 'The token lacks a required role'),
  /** The token lacks an Auth0-style permission the route requires (`requirePermissions`). */
  permission_missing: r(403, 'insufficient_scope', 'The token lacks a required permission'),
  /** A claim does not have the value the route requires (`requireClaim`); its `description` is the message. */
  claim_mismatch: r(403, 'insufficient_scope', 'The token does not meet a claim requirement'),
  // guards
  /** RFC 9470: the token's `acr` is not one `requireAuthLevel` accepts, or its `auth_time` is too old (or absent). */
  insufficient_user_authentication: r(401, 'insufficient_user_authentication', 'A different or more recent user authentication is required'),
  // 6. revocation
  /** The `isRevoked` hook says the token is revoked. */
  token_revoked: r(401, 'invalid_token', 'The token has been revoked'),
  // opaque credentials: introspection (RFC 7662) and API keys
  /** The authorization server's introspection says `active: false`: unknown, expired or revoked there. */
  token_inactive: r(401, 'invalid_token', 'The token is not active'),
  /** Not a key of this API: wrong format, prefix or checksum, unknown id or wrong secret (one reason for all, so nothing is learnt). */
  api_key_invalid: r(401, 'invalid_token', 'The API key is not valid'),
  /** The API key's expiry (or the end of its rotation overlap) has passed. */
  api_key_expired: r(401, 'invalid_token', 'The API key has expired'),
  /** The API key was revoked (or replaced by `rotate` without overlap). */
  api_key_revoked: r(401, 'invalid_token', 'The API key has been revoked'),
  /** The API key used up its `points` for the current window; `Retry-After` says when the next one starts. */
  api_key_rate_limited: r(429, undefined, 'Too many requests with this API key'),
  // outages: never a 401 that logs users out
  /** Keys could not be fetched (and no usable cached keys remain). */
  jwks_unavailable: r(503, undefined, 'The signing keys are temporarily unavailable'),
  /**
   * The revocation hook failed (fail closed): it threw, rejected, did not settle within
   * `revocationTimeout`, or answered something other than `true` or `false`.
   */
  revocation_unavailable: r(503, undefined, 'Token revocation status is temporarily unavailable'),
  /** The DPoP replay store (`dpop.replayStore`, e.g. Redis) failed: proofs cannot be checked for replay (fail closed). */
  replay_store_unavailable: r(503, undefined, 'DPoP replay protection is temporarily unavailable'),
  /** The introspection endpoint failed, timed out or answered something that is not an RFC 7662 response. */
  introspection_unavailable: r(503, undefined, 'Token introspection is temporarily unavailable'),
  /** The API key store failed or timed out (fail closed). */
  api_key_store_unavailable: r(503, undefined, 'API key verification is temporarily unavailable'),
  /**
   * Something the verifier was given broke its contract on this request, so nothing can be
   * decided (fail closed, and never a 401 that logs users out): the `now` clock returned a
   * value that is not a finite number. `cause` is a `ConfigError` naming the option.
   */
  verifier_misconfigured: r(503, undefined, 'The token cannot be checked: the verifier is misconfigured'),
  /** The `issuers` resolver failed, or returned an entry that is invalid or for another issuer (fail closed). */
  issuer_unavailable: r(503, undefined, 'The token issuer could not be looked up'),
} satisfies Record<string, ReasonEntry>)

/** A stable, machine-readable failure reason: a closed union, so `switch` is exhaustive. */
export type BearerErrorReason = keyof typeof REASONS
