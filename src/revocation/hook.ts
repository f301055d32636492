/**
 * @module
 * Step 6: the revocation hook. A hook that fails answers 503 (fail closed), never 200.
 */
import { BearerError } from '../errors/bearer-error.js'
import type { JwsHeader } from '../lib/token.js'

/** Context passed to `isRevoked` beside the claims. */
export interface RevocationContext {
  readonly token: string
  readonly header: JwsHeader
}

/** Returns true when the token is revoked. May be sync or async. */
export type IsRevoked<C = Record<string, unknown>> = (claims: C, context: RevocationContext) => boolean | Promise<boolean>

export async function assertNotRevoked<C>(isRevoked: IsRevoked<C>, claims: C, context: RevocationContext): Promise<void> {
  let revoked: boolean
  try {
    revoked = await isRevoked(claims, context)
  } catch (cause) {
    throw new BearerError('revocation_unavailable', { cause })
  }
  if (revoked) throw new BearerError('token_revoked')
}
