/**
 * @module
 * Reading an introspection response (RFC 7662 §2.2) and checking what it says about the token
 * the way a JWT's claims are checked (RFC 7662 §4, RFC 9068 §4): `active` must be the boolean
 * `true`; time, issuer and audience where present; a sender-constrained token is refused as a
 * plain bearer token.
 */
import { assertTime } from '../claims/time.js'
import { BearerError } from '../errors/bearer-error.js'
import { FetchFailure } from '../keys/fetch-json.js'
import { hasOwnMember, own } from '../lib/own.js'
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../lib/token.js'

/** What the authorization server said: not active, or active with these members (`active` removed). */
export type IntrospectionAnswer = { readonly active: false } | { readonly active: true; readonly response: Record<string, unknown> }

/**
 * The answer in a response body, or a `FetchFailure` (`introspection_invalid`) when the body is
 * not an RFC 7662 response. `active` must be a JSON boolean: `"true"`, `1` or a missing member
 * is a broken server (503), never an active token, and never a 401 that logs the user out.
 */
export function readIntrospectionResponse(body: unknown, endpoint: string): IntrospectionAnswer {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new FetchFailure('introspection_invalid', 'the response is not a JSON object', endpoint)
  }
  // Before anything walks it recursively (freezing, the claims schema): the bound tokens have.
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) throw new FetchFailure('introspection_invalid', `the response nests deeper than ${MAX_JSON_DEPTH} levels`, endpoint)
  // Own members only (JSON.parse gives nothing else; a polluted Object.prototype must not
  // lend a response `active: true` or any other member).
  const { active: _active, ...response } = body as Record<string, unknown>
  const active = own(body, 'active')
  if (active === false) return { active: false }
  if (active !== true) throw new FetchFailure('introspection_invalid', `"active" is ${active === undefined ? 'missing' : `a ${typeof active}, not a boolean`}`, endpoint)
  return { active: true, response }
}

/** What an active response is checked against: the verifier's issuers, audiences and required claims. */
export interface IntrospectionRules {
  /** Accepted `iss` values; `null` when the verifier opted out. */
  readonly issuers: ReadonlySet<string> | null
  /** Accepted `aud` values; `null` when the verifier opted out. */
  readonly audiences: ReadonlySet<string> | null
  readonly requiredClaims: readonly string[]
  /** Seconds. */
  readonly clockTolerance: number
}

const STRING_MEMBERS = ['sub', 'jti', 'client_id', 'username', 'scope', 'token_type'] as const

/**
 * Throws a `BearerError` unless an active response may authorise a bearer request here.
 *
 * - `cnf`, or `token_type` DPoP: the token is bound to a key (RFC 8705, RFC 9449 §6.2), so
 *   presenting it alone proves nothing: `token_bound`. Another `token_type` than Bearer (a
 *   refresh token's, say): `typ_invalid`.
 * - `exp`, `nbf`, `iat` where present, with the clock tolerance (the server's `active` may lag).
 * - `iss` and `aud` where present must be among the verifier's (RFC 7662 §4: the resource must
 *   know the token was meant for it). Absent, the authenticated server's `active` vouches for
 *   the token, as RFC 7662 makes both optional; `requiredClaims: ['aud']` demands them.
 * - `sub`, `jti`, `client_id`, `username`, `scope`, `token_type` must be strings.
 */
export function assertIntrospectedClaims(response: Record<string, unknown>, rules: IntrospectionRules, nowS: number): void {
  for (const member of STRING_MEMBERS) {
    const value = own(response, member)
    if (value !== undefined && typeof value !== 'string') {
      throw new BearerError('claim_invalid', { claim: member, message: `The "${member}" member of the introspection response is not a string` })
    }
  }
  const tokenType = own(response, 'token_type') as string | undefined
  const cnf = own(response, 'cnf')
  if (cnf !== undefined || tokenType?.toLowerCase() === 'dpop') throw new BearerError('token_bound', { claim: cnf === undefined ? 'token_type' : 'cnf' })
  if (tokenType !== undefined && tokenType.toLowerCase() !== 'bearer') {
    throw new BearerError('typ_invalid', { claim: 'token_type', message: 'The token is not a bearer access token' })
  }
  assertTime(response, nowS, rules.clockTolerance, undefined, false)

  const iss = own(response, 'iss')
  const aud = own(response, 'aud')
  if (iss !== undefined) {
    if (typeof iss !== 'string') throw new BearerError('claim_invalid', { claim: 'iss', message: 'The "iss" member of the introspection response is not a string' })
    if (rules.issuers !== null && !rules.issuers.has(iss)) throw new BearerError('issuer_invalid', { claim: 'iss' })
  }
  if (aud !== undefined) {
    const list = typeof aud === 'string' ? [aud] : aud
    if (!Array.isArray(list) || !list.every((a) => typeof a === 'string')) {
      throw new BearerError('audience_invalid', { claim: 'aud', message: 'The "aud" member is not a string or an array of strings' })
    }
    const audiences = rules.audiences
    if (audiences !== null && !list.some((a: string) => audiences.has(a))) throw new BearerError('audience_invalid', { claim: 'aud' })
  }
  for (const claim of rules.requiredClaims) {
    if (!hasOwnMember(response, claim) || response[claim] === undefined) throw new BearerError('claim_missing', { claim, message: `The introspection response has no "${claim}" member` })
  }
}
