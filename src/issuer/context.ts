/**
 * @module
 * What every issuer operation shares, resolved once at construction: settings, the key
 * ring, the store behind a guard that turns store failures into 503s with an event.
 */
import { ConfigError } from '../errors/config-error.js'
import { IssuerError } from './errors.js'
import type { KeyRing } from './key-ring.js'
import type { IssuerEvent, IssuerOperation } from './options.js'
import type { IssuerStore } from './store.js'
import type { ResolvedDpop } from '../binding/dpop-proof.js'
import type { SignatureBackend } from '../signature/signature-backend.js'

/**
 * The most `clockTolerance` a verifier of this issuer's tokens may use, in seconds: a verifier
 * accepts a token up to its tolerance past `exp` (tokengate's default is 5 s), so revocation
 * entries and retired keys outlive the tokens they cover by this much.
 */
export const CLOCK_TOLERANCE_ALLOWANCE = 60

export interface IssuerContext {
  readonly issuer: string
  readonly audience: string | readonly string[]
  /** Seconds. */
  readonly accessTtl: number
  readonly refreshTtl: number
  readonly ring: KeyRing
  readonly store: IssuerStore
  readonly failOpen: boolean
  /** Milliseconds, like `Date.now`. */
  readonly nowMs: () => number
  emit(event: IssuerEvent): void
  /** Token-request proofs (RFC 9449 §5): set with `tokenEndpoint`. */
  readonly dpop: { readonly tokenEndpoint: string; readonly settings: ResolvedDpop; readonly signature: SignatureBackend } | undefined
}

/** What store calls need: enough for a verify-only service's revocation check too. */
export type StoreContext = Pick<IssuerContext, 'issuer' | 'store' | 'failOpen' | 'nowMs' | 'emit'>

/**
 * Milliseconds on the issuer's clock. A clock that returns anything but a finite number fails
 * the operation: with `NaN`, every "is it expired / revoked yet?" comparison would be false,
 * so revoked tokens would pass and nothing would ever expire.
 */
export function nowMillis(ctx: Pick<StoreContext, 'nowMs'>): number {
  const ms = ctx.nowMs()
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new ConfigError('issuer', 'now', `the clock returned ${typeof ms === 'number' ? String(ms) : `a ${typeof ms}`}; it must return milliseconds, like Date.now()`)
  }
  return ms
}

/** Seconds since the epoch on the issuer's clock (a whole NumericDate). */
export const nowSeconds = (ctx: Pick<StoreContext, 'nowMs'>): number => Math.floor(nowMillis(ctx) / 1000)

/**
 * How long a family revocation issued now must last: until its newest refresh token expires,
 * or its newest access token plus `CLOCK_TOLERANCE_ALLOWANCE`, whichever is later.
 */
export function familyEndsAt(ctx: IssuerContext, now: number): number {
  return now + Math.max(ctx.refreshTtl, ctx.accessTtl + CLOCK_TOLERANCE_ALLOWANCE)
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

/**
 * Runs one store call. A failure emits `store_error` and becomes 503 `store_unavailable`
 * (the original error as `cause`), unless `failOpen` is given for this operation, in which
 * case `fallback` is returned.
 */
export async function guard<T>(ctx: StoreContext, operation: IssuerOperation, call: () => Promise<T>, fallback?: { value: T }): Promise<T> {
  try {
    return await call()
  } catch (cause) {
    ctx.emit({ type: 'store_error', operation, failOpen: fallback !== undefined, error: describe(cause) })
    if (fallback) return fallback.value
    throw new IssuerError('store_unavailable', { cause })
  }
}
