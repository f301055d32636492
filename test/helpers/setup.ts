import { expect } from 'vitest'
import { BearerError, createVerifier, type Algorithm, type CommonVerifierOptions, type IssuerAudienceOptions, type JSONWebKeySet } from '../../src/index.js'
import { generateSigningKey, type TestSigningKey } from '../../src/testing/keys.js'
import { signToken } from '../../src/testing/tokens.js'

export const ISSUER = 'https://idp.example.com/'
export const AUDIENCE = 'https://api.example.com'
/** A fixed clock: 2026-01-01T00:00:00Z. */
export const NOW_S = 1_767_225_600
export const now = (): number => NOW_S * 1000

export const MATRIX: readonly Algorithm[] = ['HS256', 'RS256', 'ES256', 'EdDSA']

/** Single-issuer options with a local key source: safe to spread and override. */
export type FixtureOptions = CommonVerifierOptions & IssuerAudienceOptions & ({ readonly jwks: JSONWebKeySet } | { readonly secret: Uint8Array })

export interface Fixture {
  readonly alg: Algorithm
  readonly key: TestSigningKey
  /** Options for a verifier that trusts `key`, with the fixed clock. */
  readonly options: FixtureOptions
  sign(claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>
}

export function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: NOW_S - 60, exp: NOW_S + 600, ...extra }
}

export async function fixture(alg: Algorithm, kid = `${alg.toLowerCase()}-1`): Promise<Fixture> {
  const key = await generateSigningKey(alg, { kid })
  const base = { issuer: ISSUER, audience: AUDIENCE, now }
  const options: FixtureOptions = key.secret
    ? { ...base, secret: key.secret }
    : { ...base, jwks: { keys: [key.publicJwk!] } }
  return {
    alg,
    key,
    options,
    sign: (extra = {}, header = {}) => signToken(key, claims(extra), header),
  }
}

/** Asserts that `promise` rejects with a BearerError of this reason (and status, header when given). */
export async function expectReject(
  promise: Promise<unknown>,
  reason: string,
  expected: { status?: number; wwwAuthenticate?: string | undefined } = {},
): Promise<BearerError> {
  let error: unknown
  try {
    await promise
  } catch (err) {
    error = err
  }
  expect(error, `expected rejection with ${reason}`).toBeDefined()
  expect(BearerError.is(error), `not a BearerError: ${String(error)}`).toBe(true)
  const err = error as BearerError
  expect(err.reason).toBe(reason)
  if (expected.status !== undefined) expect(err.status).toBe(expected.status)
  if ('wwwAuthenticate' in expected) expect(err.wwwAuthenticate).toBe(expected.wwwAuthenticate)
  return err
}

export function bearer(token: string): string {
  return `Bearer ${token}`
}

export { createVerifier }
