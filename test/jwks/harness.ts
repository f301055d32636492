/**
 * @module
 * Shared pieces of the key-cache tests: a clock the test moves, signing keys with their JWKS,
 * tokens that outlive the clock moves, and an event recorder.
 */
import type { Algorithm, VerifierEvent } from '../../src/index.js'
import { generateSigningKey, type TestSigningKey } from '../../src/testing/keys.js'
import { signToken } from '../../src/testing/tokens.js'
import { AUDIENCE, ISSUER, NOW_S } from '../helpers/setup.js'

/** A clock in milliseconds that only moves when the test says so. */
export function testClock(): { now: () => number; advance: (seconds: number) => void } {
  let t = NOW_S * 1000
  return { now: () => t, advance: (seconds) => void (t += seconds * 1000) }
}

/** A signing key, its public JWK, and a token maker. Tokens live 30 days, past any clock move. */
export interface Signer {
  readonly key: TestSigningKey
  readonly jwk: object
  token(claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>
}

export async function signer(kid: string, alg: Algorithm = 'ES256'): Promise<Signer> {
  const key = await generateSigningKey(alg, { kid })
  return {
    key,
    jwk: key.publicJwk!,
    token: async (claims = {}, header = {}) =>
      `Bearer ${await signToken(key, { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: NOW_S - 60, exp: NOW_S + 30 * 86_400, ...claims }, header)}`,
  }
}

/** Records key-source events (outcome events, one per verification, are left out); `types()` lists their types in order. */
export function recorder(): { events: VerifierEvent[]; onEvent: (e: VerifierEvent) => void; types: () => string[]; of: <T extends VerifierEvent['type']>(type: T) => Extract<VerifierEvent, { type: T }>[] } {
  const events: VerifierEvent[] = []
  return {
    events,
    onEvent: (e) => void (e.type === 'verified' || e.type === 'rejected' || events.push(e)),
    types: () => events.map((e) => e.type),
    of: (type) => events.filter((e) => e.type === type) as never,
  }
}

export const jwks = (...signers: Signer[]): { keys: object[] } => ({ keys: signers.map((s) => s.jwk) })

export { AUDIENCE, ISSUER, NOW_S }
