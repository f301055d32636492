/**
 * @module
 * The route-guard machinery every adapter shares. A guard is a check of a verified token that
 * a route adds after the middleware (`requireScopes`, and every guard to come); an adapter
 * only turns a `Guard` into its framework's middleware with `runGuard`.
 */
import { BearerError } from '../errors/bearer-error.js'
import { bearerOnly, type ChallengeContext } from '../errors/www-authenticate.js'
import type { BearerAuth } from '../lib/result.js'

/** A per-route check of a verified token. It runs on every request, cached tokens included. */
export interface Guard {
  /** How the guard is named in messages, e.g. `requireScopes(read:orders)`. */
  readonly name: string
  /** Returns when the token passes; throws (or rejects with) a `BearerError` when it does not. */
  check(auth: BearerAuth): void | Promise<void>
}

/**
 * Runs a guard for one request, answering as the verifier does: `where` is its challenge
 * context (realm, schemes, `resource_metadata`), or just its realm. A request that reached a
 * guard without a verified token — optional auth without a token, a missing middleware, a
 * Fastify route whose `authenticate` hook was forgotten (CORS preflights never get this far:
 * the adapters answer them) — gets 401 as if it had sent none, and the handler never runs
 * (../shared/DESIGN.md "Guards"). A guard's challenge uses the scheme the token came with
 * (`DPoP` or `Bearer`). Synchronous unless the guard is.
 */
export function runGuard(guard: Guard, auth: BearerAuth | null | undefined, where: string | ChallengeContext): void | Promise<void> {
  const challenge = typeof where === 'string' ? bearerOnly(where) : where
  if (!auth) throw new BearerError('token_missing', { challenge })
  let result: void | Promise<void>
  try {
    result = guard.check(auth)
  } catch (err) {
    throw inContext(err, challenge, auth)
  }
  if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
    return (result as Promise<void>).then(undefined, (err: unknown) => {
      throw inContext(err, challenge, auth)
    })
  }
}

function inContext(err: unknown, challenge: ChallengeContext, auth: BearerAuth): unknown {
  return BearerError.is(err) ? err.inContext(challenge, { scheme: auth.scheme }) : err
}
