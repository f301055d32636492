/**
 * @module
 * `createRevocationCheck`: the `isRevoked` hook without an issuer, for services that only
 * verify. They share the issuer's store (Redis) and need no signing key.
 */
import { bool, fn, nonEmptyString, options, parseOptions, v } from '../lib/schema.js'
import type { JwtClaims } from '../lib/result.js'
import type { StoreContext } from './context.js'
import { storeSchema, type IssuerEvent } from './options.js'
import { isRevokedHook } from './revocation.js'
import { createEventHub } from '../core/events.js'
import type { IssuerStore } from './store.js'

/** Options of `createRevocationCheck`. */
export interface RevocationCheckOptions {
  /** The issuer whose revocations count (`iss` must match exactly); others are never revoked here. */
  readonly issuer: string
  /** The issuer's store, e.g. `redisStore({ client })` with the issuer's `prefix`. */
  readonly store: IssuerStore
  /** Answer "not revoked" when the store fails, instead of 503. Default `false`. */
  readonly failOpen?: boolean
  /** Receives `store_error` events. */
  readonly onEvent?: (event: IssuerEvent) => void
  /** Clock in milliseconds, like `Date.now`. For tests. */
  readonly now?: () => number
}

const schema = options(
  {
    issuer: nonEmptyString('the issuer whose revocations count, e.g. "https://auth.example.com/"'),
    store: storeSchema,
    failOpen: v.optional(bool()),
    onEvent: v.optional(fn<(e: IssuerEvent) => void>('an event listener (event) => void')),
    now: v.optional(fn<() => number>('a clock in milliseconds, like Date.now')),
  },
  'revocation check options: { issuer, store }',
)

/**
 * The verifier's `isRevoked` hook over an issuer's store, for APIs that verify tokens minted
 * elsewhere. Same semantics as `issuer.isRevoked`.
 *
 * Import from `tokengate/issuer`.
 *
 * @example
 * const verifyBearer = createVerifier({
 *   issuer: 'https://auth.example.com/', audience: 'https://api.example.com',
 *   jwksUri: 'https://auth.example.com/.well-known/jwks.json',
 *   isRevoked: createRevocationCheck({ issuer: 'https://auth.example.com/', store: redisStore({ client }) }),
 * })
 */
export function createRevocationCheck(options: RevocationCheckOptions): (claims: JwtClaims) => Promise<boolean> {
  const o = parseOptions('revocation check', schema, options)
  const ctx: StoreContext = {
    issuer: o.issuer,
    store: o.store,
    failOpen: o.failOpen ?? false,
    nowMs: o.now ?? Date.now,
    // A throwing listener, or one returning a rejected promise, must not break verification.
    emit: createEventHub<IssuerEvent>(o.onEvent).emit,
  }
  return isRevokedHook(ctx)
}
