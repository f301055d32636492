/**
 * @module
 * What a correct validator answers for each test-kit token: the documentation of the
 * factories, the manifest of the fixture directory, and what the kit's own tests check.
 */
import type { BearerErrorCode, BearerErrorReason } from '../errors/reasons.js'

/** The outcome a correct validator gives a token: 200, or a status with a tokengate `reason`. */
export interface ExpectedOutcome {
  readonly status: 200 | 400 | 401 | 403 | 503
  /** The tokengate `reason`; `null` when the token is accepted. */
  readonly reason: BearerErrorReason | null
  /** The RFC 6750 `error=` code of the `WWW-Authenticate` challenge; `null` when accepted. */
  readonly code: BearerErrorCode | null
}

/** Names of the token factories of a test kit. */
export type TokenCase =
  | 'valid'
  | 'expired'
  | 'notYetValid'
  | 'wrongIssuer'
  | 'wrongAudience'
  | 'missingScope'
  | 'badSignature'
  | 'truncated'
  | 'algNone'
  | 'hsWithPublicKey'
  | 'untrustedKey'
  | 'malformedHeader'

const ok: ExpectedOutcome = { status: 200, reason: null, code: null }
const invalid = (reason: BearerErrorReason): ExpectedOutcome => ({ status: 401, reason, code: 'invalid_token' })

/**
 * The outcome of each factory's token against a verifier built from `kit.verifierOptions`
 * (`missingScope(scope)`: when the request requires `scope`).
 */
export const EXPECTED_OUTCOMES: Readonly<Record<TokenCase, ExpectedOutcome>> = Object.freeze({
  valid: ok,
  expired: invalid('token_expired'),
  notYetValid: invalid('token_not_yet_valid'),
  wrongIssuer: invalid('issuer_invalid'),
  wrongAudience: invalid('audience_invalid'),
  missingScope: { status: 403, reason: 'insufficient_scope', code: 'insufficient_scope' },
  badSignature: invalid('signature_invalid'),
  truncated: invalid('token_malformed'),
  algNone: invalid('alg_not_allowed'),
  hsWithPublicKey: invalid('alg_not_allowed'),
  untrustedKey: invalid('signature_invalid'),
  malformedHeader: invalid('token_malformed'),
})

/** One line per factory: what its token is. */
export const CASE_DESCRIPTIONS: Readonly<Record<TokenCase, string>> = Object.freeze({
  valid: 'signed by the kit key, right iss/aud, exp in the future',
  expired: 'exp one hour before now (far beyond any sane clock tolerance)',
  notYetValid: 'nbf one hour after the valid tokens expire',
  wrongIssuer: 'iss names another issuer',
  wrongAudience: 'aud names another API',
  missingScope: 'valid, but lacks the scope the request requires',
  badSignature: 'valid token with one signature byte flipped',
  truncated: 'header and half the payload: the signature segment is gone',
  algNone: 'unsigned: alg "none", empty signature',
  hsWithPublicKey: 'alg confusion: HS256 with the public key (SPKI PEM) as the HMAC secret',
  untrustedKey: "signed by another key that claims the kit key's kid",
  malformedHeader: 'the JOSE header segment is base64url of truncated JSON',
})
