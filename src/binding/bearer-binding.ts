/**
 * @module
 * Sender-constrained tokens presented as plain bearer tokens. A token with a `cnf` claim
 * (RFC 7800) is bound to a key its holder must prove; presented as `Bearer` without that
 * proof it is refused (RFC 9449 §7.2: "MUST reject a DPoP-bound access token received as a
 * bearer token"), unless the verifier opts out with `acceptBoundAsBearer`.
 */
import { BearerError } from '../errors/bearer-error.js'

/** Throws `token_bound` when `payload` carries `cnf` and bound tokens are not accepted as bearer tokens. */
export function assertNotBound(payload: Record<string, unknown>, acceptBoundAsBearer: boolean): void {
  // Any `cnf`, whatever its members (jkt, x5t#S256, jwk, ...): a binding this request does not
  // prove is a binding not checked, so fail closed.
  if (payload.cnf !== undefined && !acceptBoundAsBearer) throw new BearerError('token_bound')
}
