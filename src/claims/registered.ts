/**
 * @module
 * Step 4: `iss` (exact match), `aud` (any match), the payload types of the other
 * registered claims (RFC 7519 §4.1), and `requiredClaims`.
 */
import { BearerError } from '../errors/bearer-error.js'
import { ClaimMismatchError } from '../errors/claim-mismatch.js'
import { hasOwnMember, own } from '../lib/own.js'
import { matchTemplate, type IssuerTemplate } from './issuer-template.js'

export interface RegisteredClaimRules {
  /** Accepted issuers; `null` when the verifier opted out of the check. */
  readonly issuers: ReadonlySet<string> | null
  /** Accepted issuer templates (`{tenantid}`, tied to `tid`); empty when there are none. */
  readonly issuerTemplates: readonly IssuerTemplate[]
  /** Accepted audiences; `null` when the verifier opted out of the check. */
  readonly audiences: ReadonlySet<string> | null
  readonly requiredClaims: readonly string[]
}

export function assertRegisteredClaims(payload: Record<string, unknown>, rules: RegisteredClaimRules): void {
  // Own members only: an inherited `constructor` or a polluted prototype is not a claim.
  const iss = own(payload, 'iss')
  const aud = own(payload, 'aud')
  const sub = own(payload, 'sub')
  const jti = own(payload, 'jti')
  if (rules.issuers !== null) {
    if (typeof iss !== 'string' || !(rules.issuers.has(iss) || matchesTemplate(rules.issuerTemplates, iss, own(payload, 'tid')))) {
      throw new BearerError('issuer_invalid', {
        claim: 'iss',
        // For the operator (logger, your error handling): expected vs actual. Never sent to the client.
        cause: new ClaimMismatchError('iss', [...rules.issuers], iss),
        ...(iss === undefined ? { message: 'The token has no "iss" claim' } : {}),
      })
    }
  } else if (iss !== undefined && typeof iss !== 'string') {
    throw invalid('iss')
  }

  if (aud !== undefined && typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) {
    throw new BearerError('audience_invalid', { claim: 'aud', message: 'The "aud" claim is not a string or an array of strings' })
  }
  if (rules.audiences !== null) {
    const audiences = rules.audiences
    const ok = typeof aud === 'string' ? audiences.has(aud) : Array.isArray(aud) && aud.some((a) => audiences.has(a as string))
    if (!ok) {
      throw new BearerError('audience_invalid', {
        claim: 'aud',
        cause: new ClaimMismatchError('aud', [...audiences], aud),
        ...(aud === undefined ? { message: 'The token has no "aud" claim' } : {}),
      })
    }
  }

  if (sub !== undefined && typeof sub !== 'string') throw invalid('sub')
  if (jti !== undefined && typeof jti !== 'string') throw invalid('jti')

  for (const claim of rules.requiredClaims) {
    if (!hasOwnMember(payload, claim)) {
      throw new BearerError('claim_missing', { claim, message: `The token has no "${claim}" claim` })
    }
  }
}

/** True when `iss` is a template with the token's own `tid`; a `tid` of another tenant is refused by name. */
function matchesTemplate(templates: readonly IssuerTemplate[], iss: string, tid: unknown): boolean {
  for (const t of templates) {
    const outcome = matchTemplate(t, iss, tid)
    if (outcome === 'match') return true
    if (outcome === 'tid_mismatch') throw new BearerError('issuer_invalid', { claim: 'tid', message: 'The token "tid" does not match its issuer' })
  }
  return false
}

function invalid(claim: string): BearerError {
  return new BearerError('claim_invalid', { claim, message: `The "${claim}" claim is not a string` })
}
