/**
 * @module
 * Step 3: `exp` (required), `nbf` and `iat`, each with the clock tolerance (RFC 7519 §4.1.4-6).
 */
import { BearerError } from '../errors/bearer-error.js'
import { own } from '../lib/own.js'

function numericDate(payload: Record<string, unknown>, claim: string): number | undefined {
  const value = own(payload, claim)
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new BearerError('claim_invalid', { claim, message: `The "${claim}" claim is not a NumericDate` })
  }
  return value
}

/**
 * Throws unless `exp` is present and after now, and `nbf` / `iat` / `auth_time` (when present)
 * are not after now, all give or take `tolerance` seconds. With `maxAge` (seconds,
 * `maxTokenAge`), `iat` is required and no older than that. `now` is in seconds.
 * `expRequired: false` (introspection responses, RFC 7662 §2.2) checks `exp` only when it is there.
 */
export function assertTime(payload: Record<string, unknown>, now: number, tolerance: number, maxAge?: number, expRequired = true): void {
  const exp = numericDate(payload, 'exp')
  if (exp === undefined) {
    if (expRequired) throw new BearerError('claim_missing', { claim: 'exp', message: 'The token has no "exp" claim' })
  } else if (now - tolerance >= exp) {
    // RFC 7519 §4.1.4: the current time MUST be before exp.
    throw new BearerError('token_expired', { claim: 'exp' })
  }
  const nbf = numericDate(payload, 'nbf')
  if (nbf !== undefined && nbf > now + tolerance) throw new BearerError('token_not_yet_valid', { claim: 'nbf' })
  const iat = numericDate(payload, 'iat')
  if (iat !== undefined && iat > now + tolerance) throw new BearerError('token_issued_in_future', { claim: 'iat' })
  if (maxAge !== undefined) {
    if (iat === undefined) throw new BearerError('claim_missing', { claim: 'iat', message: 'The token has no "iat" claim' })
    if (now - iat > maxAge + tolerance) throw new BearerError('token_too_old', { claim: 'iat' })
  }
  // OpenID Connect Core §2: when the user authenticated. After now is a broken token (Firebase
  // documents the check); how long ago is for step-up policies, not for this step.
  if (own(payload, 'auth_time') !== undefined) {
    const authTime = numericDate(payload, 'auth_time')!
    if (authTime > now + tolerance) throw new BearerError('token_issued_in_future', { claim: 'auth_time', message: 'The token authentication time is in the future' })
  }
}

/**
 * An `exp` replicated in the protected header (RFC 7519 §5.3) must hold too, when there is
 * one: AWS ALB documents its token's `exp` as a header field. The header is signed, so this
 * runs with step 3, after the signature. `now` is in seconds.
 */
export function assertHeaderExpiry(header: object, now: number, tolerance: number): void {
  const exp = own(header, 'exp')
  if (exp === undefined) return
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new BearerError('claim_invalid', { claim: 'exp', message: 'The token header "exp" is not a NumericDate' })
  }
  if (now - tolerance >= exp) throw new BearerError('token_expired', { claim: 'exp' })
}
