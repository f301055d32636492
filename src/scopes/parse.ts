/**
 * @module
 * Scopes granted by a token: `scope` (RFC 8693 §4.2 / RFC 9068 §2.2.3) and `scp` (Entra ID,
 * Okta), each a space-delimited string or an array of strings (Okta's `scp`, and `scope` as
 * some issuers send it). Auth0 RBAC `permissions` are not scopes: they have their own
 * guard (`requirePermissions`), so a permission never satisfies a scope requirement.
 */
import { BearerError } from '../errors/bearer-error.js'
import { own } from '../lib/own.js'

/** Claims scopes can be read from. */
export type ScopeClaim = 'scope' | 'scp'

export const DEFAULT_SCOPE_CLAIMS: readonly ScopeClaim[] = ['scope', 'scp']

function add(out: string[], scope: string): void {
  for (let i = 0; i < out.length; i++) if (out[i] === scope) return
  out.push(scope)
}

function addAll(out: string[], value: unknown, claim: string): void {
  if (typeof value === 'string') {
    // indexOf and slice rather than split(' '), which costs twice as much; this runs on
    // every verification.
    for (let start = 0; start < value.length; ) {
      let end = value.indexOf(' ', start)
      if (end === -1) end = value.length
      if (end > start) add(out, value.slice(start, end))
      start = end + 1
    }
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const s: unknown = value[i]
      if (typeof s !== 'string') throw invalid(claim)
      add(out, s)
    }
  } else {
    throw invalid(claim)
  }
}

function invalid(claim: string): BearerError {
  return new BearerError('claim_invalid', { claim, message: `The "${claim}" claim does not hold scopes` })
}

/** The distinct scopes the token grants, from the configured claims, in order of appearance. */
export function grantedScopes(payload: Record<string, unknown>, claims: readonly ScopeClaim[]): string[] {
  const out: string[] = []
  for (let i = 0; i < claims.length; i++) {
    const claim = claims[i]!
    const value = own(payload, claim)
    if (value !== undefined) addAll(out, value, claim)
  }
  return out
}
