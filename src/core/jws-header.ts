/**
 * @module
 * Step 2a: what the JOSE header may say before any key is looked up: an allowed `alg`
 * (never `none`), no `crit` extension we do not implement, a `typ` that names an access
 * token. `jwk`, `jku`, `x5u` and `x5c` are never read: keys come only from the key source.
 */
import { BearerError } from '../errors/bearer-error.js'
import type { Algorithm } from '../keys/algorithms.js'
import type { JwsHeader } from '../lib/token.js'
import { own } from '../lib/own.js'

/** `typ` values accepted when none is configured: plain JWTs and RFC 9068 access tokens. */
export const DEFAULT_TYPS: ReadonlySet<string> = new Set(['jwt', 'at+jwt'])

/** RFC 7515 §4.1.9: media types are case-insensitive and `application/` may be omitted. */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase()
  return lower.startsWith('application/') ? lower.slice(12) : lower
}

export interface HeaderRules {
  readonly algorithms: ReadonlySet<Algorithm>
  /** Accepted (normalised) `typ` values; `required` when the verifier configured `typ`. */
  readonly typs: ReadonlySet<string>
  readonly typRequired: boolean
}

/** Returns the token's algorithm once the header passes, or throws. */
export function assertHeader(header: JwsHeader, rules: HeaderRules): Algorithm {
  const alg = own(header, 'alg') as string
  if (alg.toLowerCase() === 'none') {
    throw new BearerError('alg_not_allowed', { message: 'Unsigned tokens (alg "none") are never accepted' })
  }
  if (!rules.algorithms.has(alg as Algorithm)) throw new BearerError('alg_not_allowed')
  const kid = own(header, 'kid')
  if (kid !== undefined && typeof kid !== 'string') {
    throw new BearerError('token_malformed', { message: 'The token header "kid" is not a string' })
  }
  // RFC 7515 §4.1.11: a recipient that does not understand a critical extension must reject.
  if (own(header, 'crit') !== undefined) throw new BearerError('crit_unsupported')
  const typ = own(header, 'typ')
  if (typ === undefined) {
    if (rules.typRequired) throw new BearerError('typ_invalid', { message: 'The token has no "typ" header' })
  } else if (typeof typ !== 'string' || !rules.typs.has(normalizeTyp(typ))) {
    // RFC 8725 §3.11: a token of another kind (dpop+jwt, secevent+jwt, ...) is not an access token.
    throw new BearerError('typ_invalid')
  }
  return alg as Algorithm
}
