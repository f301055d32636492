import { expect } from 'vitest'
import { createVerifier, type Verifier } from '../../src/index.js'
import { IssuerError, type Issuer } from '../../src/issuer/index.js'

export const ISSUER = 'https://auth.example.com/'
export const AUDIENCE = 'https://api.example.com'
/** 2026-01-01T00:00:00Z, a whole second. */
export const START_S = 1_767_225_600

/** A clock the tests move by hand: `now()` in milliseconds, like `Date.now`. */
export class Clock {
  ms = START_S * 1000
  readonly now = (): number => this.ms
  get seconds(): number {
    return Math.floor(this.ms / 1000)
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000
  }
}

/** The real verifier, plugged to the issuer with no glue: its key source, its revocation hook. */
export function verifierFor(issuer: Issuer, clock: Clock): Verifier {
  return createVerifier({ issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', keys: issuer.keySource(), isRevoked: issuer.isRevoked, now: clock.now })
}

/** Asserts that `promise` rejects with an IssuerError of this reason (and status when given). */
export async function expectIssuerError(promise: Promise<unknown>, reason: string, status?: number): Promise<IssuerError> {
  let error: unknown
  try {
    await promise
  } catch (err) {
    error = err
  }
  expect(IssuerError.is(error), `expected IssuerError ${reason}, got ${String(error)}`).toBe(true)
  const err = error as IssuerError
  expect(err.reason).toBe(reason)
  if (status !== undefined) expect(err.status).toBe(status)
  return err
}

export { bearer, expectReject } from '../helpers/setup.js'
