/**
 * @module
 * DPoP at the token endpoint (RFC 9449 §5): the proof given to `issue` or `refresh` is checked
 * as a resource server checks one (§4.3), against `tokenEndpoint` and without `ath`; its key's
 * thumbprint becomes the pair's `cnf.jkt`.
 */
import { checkProof, parseProof, type DpopRequest } from '../binding/dpop-proof.js'
import { BearerError } from '../errors/bearer-error.js'
import { ConfigError } from '../errors/config-error.js'
import type { IssuerContext } from './context.js'
import { DEFAULT_CLOCK_TOLERANCE } from '../core/parse-options.js'
import { IssuerError } from './errors.js'
import { own } from '../lib/own.js'
import { DPOP_BINDING_MEMBER } from './access-token.js'

/** A token request's DPoP parts. `url` is informational: proofs must name `tokenEndpoint`. */
export type TokenRequestDpop = Omit<DpopRequest, 'url' | 'method'> & { readonly method?: string; readonly url?: string | URL }

/** Per-call options of `issue` and `refresh`. */
export interface TokenRequestOptions {
  /** The token request's DPoP proof: the pair is bound to its key (`cnf.jkt`, `tokenType: 'DPoP'`). */
  readonly dpop?: TokenRequestDpop
}

/**
 * The RFC 7638 thumbprint of the key of a valid token-request proof. Throws `IssuerError`
 * `dpop_proof_invalid` (400 `invalid_dpop_proof`), or `store_unavailable` when the replay store fails.
 */
export async function proofThumbprint(ctx: IssuerContext, dpop: TokenRequestDpop, operation: 'issue()' | 'refresh()'): Promise<string> {
  const d = ctx.dpop
  if (d === undefined) throw new ConfigError('issuer', `${operation}.dpop`, 'binding tokens to a DPoP key needs createIssuer({ tokenEndpoint }): the URL proofs must name')
  // The configured endpoint, not the request's Host: a proof is checked against what the server is.
  const request: DpopRequest = { proof: dpop.proof, method: dpop.method ?? 'POST', url: d.tokenEndpoint }
  try {
    const proof = parseProof(d.settings, d.signature, request)
    return await checkProof(d.settings, d.signature, proof, { accessToken: undefined, jkt: undefined, request, now: ctx.nowMs() / 1000, clockTolerance: DEFAULT_CLOCK_TOLERANCE })
  } catch (err) {
    if (!BearerError.is(err)) throw err
    if (err.status === 503) throw new IssuerError('store_unavailable', { cause: err })
    throw new IssuerError('dpop_proof_invalid', { message: err.message, cause: err })
  }
}

/** The `cnf.jkt` a family's access tokens carry, from its stored claims (`DPOP_BINDING_MEMBER`). */
export function boundThumbprint(claims: string | undefined): string | undefined {
  if (claims === undefined) return undefined
  const parsed: unknown = JSON.parse(claims)
  const jkt = typeof parsed === 'object' && parsed !== null ? own(parsed, DPOP_BINDING_MEMBER) : undefined
  return typeof jkt === 'string' ? jkt : undefined
}

/** `claims` (stored JSON) with the family's binding to the key `jkt` added. */
export function withThumbprint(claims: string | undefined, jkt: string): string {
  return JSON.stringify({ ...(claims === undefined ? {} : (JSON.parse(claims) as object)), [DPOP_BINDING_MEMBER]: jkt })
}
