/**
 * @module
 * Scopes granted by a token: `scope` (space-delimited, RFC 8693 §4.2 / RFC 9068 §2.2.3),
 * `scp` (array or string, Azure AD / Okta) and `permissions` (array, Auth0 RBAC).
 */
import { BearerError } from '../errors/bearer-error.js'

/** Claims scopes can be read from. */
export type ScopeClaim = 'scope' | 'scp' | 'permissions'

export const DEFAULT_SCOPE_CLAIMS: readonly ScopeClaim[] = ['scope', 'scp', 'permissions']

function addAll(out: string[], value: unknown, claim: string, realm: string): void {
  if (typeof value === 'string') {
    for (const s of value.split(' ')) if (s !== '' && !out.includes(s)) out.push(s)
  } else if (Array.isArray(value) && claim !== 'scope') {
    for (const s of value) {
      if (typeof s !== 'string') throw invalid(claim, realm)
      if (!out.includes(s)) out.push(s)
    }
  } else {
    throw invalid(claim, realm)
  }
}

function invalid(claim: string, realm: string): BearerError {
  return new BearerError('claim_invalid', { realm, claim, message: `The "${claim}" claim does not hold scopes` })
}

/** The distinct scopes the token grants, from the configured claims, in order of appearance. */
export function parseScopes(payload: Record<string, unknown>, claims: readonly ScopeClaim[], realm: string): string[] {
  const out: string[] = []
  for (const claim of claims) {
    const value = payload[claim]
    if (value !== undefined) addAll(out, value, claim, realm)
  }
  return out
}
