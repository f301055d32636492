/**
 * @module
 * The route-guard machinery every adapter shares. A guard is a check of a verified token that
 * a route adds after the middleware (`requireScopes`, and every guard to come); an adapter
 * only turns a `Guard` into its framework's middleware with `runGuard`.
 */
import { BearerError } from '../errors/bearer-error.js'
import type { BearerAuth } from '../lib/result.js'

/** A per-route check of a verified token. It runs on every request, cached tokens included. */
export interface Guard {
  /** How the guard is named in messages, e.g. `requireScopes(read:orders)`. */
  readonly name: string
  /** Returns when the token passes; throws (or rejects with) a `BearerError` when it does not. */
  check(auth: BearerAuth): void | Promise<void>
}

/**
 * Runs a guard for one request in `realm` (the verifier's). A request that reached a guard
 * without a verified token — optional auth without a token, a missing middleware, a Fastify
 * route whose `authenticate` hook was forgotten (CORS preflights never get this far: the
 * adapters answer them) — gets 401 as if it had sent none, and the handler never runs
 * (../shared/DESIGN.md "Guards"). Synchronous unless the guard is.
 */
export function runGuard(guard: Guard, auth: BearerAuth | null | undefined, realm: string): void | Promise<void> {
  if (!auth) throw new BearerError('token_missing', { realm })
  let result: void | Promise<void>
  try {
    result = guard.check(auth)
  } catch (err) {
    throw inRealm(err, realm)
  }
  if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
    return (result as Promise<void>).then(undefined, (err: unknown) => {
      throw inRealm(err, realm)
    })
  }
}

function inRealm(err: unknown, realm: string): unknown {
  return BearerError.is(err) ? err.withRealm(realm) : err
}
