/**
 * @module
 * Step 6: the revocation hook. A hook that fails answers 503 (fail closed), never 200: one
 * that throws or rejects, one that does not settle within `revocationTimeout`, and one that
 * answers anything but `true` or `false` (a forgotten `return` is `undefined`, not "not
 * revoked").
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

/** Default bound on an `isRevoked` hook that returns a promise, in milliseconds. */
export const DEFAULT_REVOCATION_TIMEOUT_MS = 5000

function unavailable(cause: unknown): BearerError {
  return new BearerError('revocation_unavailable', { cause })
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return value === undefined ? 'undefined (a forgotten return?)' : `a ${typeof value}`
}

function verdict(revoked: unknown): void {
  if (revoked === false) return
  if (revoked === true) throw new BearerError('token_revoked')
  throw unavailable(new TypeError(`isRevoked returned ${kindOf(revoked)}; it must return (or resolve to) true or false`))
}

function bounded<T>(promise: PromiseLike<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`isRevoked did not settle within ${ms} ms (revocationTimeout)`)), ms)
  })
  // The timer is cleared as soon as the hook settles: none outlives the request.
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Resolves when the token is not revoked; rejects with `token_revoked` (401) or
 * `revocation_unavailable` (503). A promise from the hook is bounded by `timeoutMs`.
 */
export async function assertNotRevoked<C>(isRevoked: IsRevoked<C>, claims: C, context: RevocationContext, timeoutMs = DEFAULT_REVOCATION_TIMEOUT_MS): Promise<void> {
  let revoked: unknown
  try {
    const answer: unknown = isRevoked(claims, context)
    revoked = typeof (answer as PromiseLike<unknown> | null)?.then === 'function' ? await bounded(answer as PromiseLike<unknown>, timeoutMs) : answer
  } catch (cause) {
    throw unavailable(cause)
  }
  verdict(revoked)
}
