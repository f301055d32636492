/**
 * @module
 * Outcome events: exactly one `verified` or `rejected` event per call of a verifier, built
 * only while someone listens. They are emitted at one place, around the whole pipeline
 * (`observeVerification`), so every path — a fresh verification, a cache hit, a cached token
 * verified again after its key changed, a failure in any step — reports once. The steps only
 * note what they learnt in an `Observation`; none of them emits.
 *
 * Never in an event: the token, its signature, a secret or key material. `iss`, `kid` and
 * `alg` of a rejected token are what the token says (it may be forged); `sub` is reported only
 * once the signature verified, so a forged token cannot put a user's name into an audit trail.
 */
import { BearerError } from '../errors/bearer-error.js'
import type { BearerErrorReason } from '../errors/reasons.js'
import type { BearerAuth } from '../lib/result.js'
import type { JwsHeader } from '../lib/token.js'
import { monotonicMs as clock } from '../lib/clock.js'

/** What outcome events carry besides their type. */
export interface OutcomeFields {
  /** `iss`: verified on `verified`; on `rejected`, as the token claims it (unverified), when it could be read. */
  readonly iss: string | undefined
  /** `kid` of the token's header (unverified on `rejected`). */
  readonly kid: string | undefined
  /** `alg` of the token's header (unverified on `rejected`). */
  readonly alg: string | undefined
  /** `sub`, only once the token's signature verified (never from a forged token). */
  readonly sub: string | undefined
  /** True when the verified-token cache answered (the signature was not checked again). */
  readonly cached: boolean
  /** How long the verification took, in milliseconds (fractional), key fetches included. */
  readonly durationMs: number
  /** The route pattern (e.g. `/orders/:id`), when the adapter knows it. */
  readonly route: string | undefined
}

/**
 * One per verification. `reason` and `status` are the `BearerError`'s; a failure that is not a
 * `BearerError` (a custom key source or hook throwing something else) is `internal_error`, 500.
 */
export type VerificationEvent =
  | ({ readonly type: 'verified' } & OutcomeFields)
  | ({ readonly type: 'rejected'; readonly reason: BearerErrorReason | 'internal_error'; readonly status: number } & OutcomeFields)

/** What the steps learnt about the token so far (filled in only while someone listens). */
export interface Observation {
  /** The cache answered (reset when a cached token is verified afresh). */
  cached: boolean
  /** The token's header and payload, once step 1 read them. */
  header: JwsHeader | undefined
  payload: Readonly<Record<string, unknown>> | undefined
  /** The signature verified: `sub` may be reported. */
  verified: boolean
}

/** Longest `iss`, `kid`, `alg` or `sub` reported: a token can carry 8 KiB of anything there. */
const MAX_FIELD = 256

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? (value.length > MAX_FIELD ? `${value.slice(0, MAX_FIELD)}…` : value) : undefined


function verifiedEvent(auth: BearerAuth, obs: Observation, durationMs: number, route: string | undefined): VerificationEvent {
  return {
    type: 'verified',
    iss: text(auth.claims.iss),
    kid: text(auth.header?.kid),
    alg: text(auth.header?.alg),
    sub: text(auth.claims.sub),
    cached: obs.cached,
    durationMs,
    route,
  }
}

function rejectedEvent(err: unknown, obs: Observation, durationMs: number, route: string | undefined): VerificationEvent {
  const known = BearerError.is(err)
  return {
    type: 'rejected',
    reason: known ? err.reason : 'internal_error',
    status: known ? err.status : 500,
    iss: text(obs.payload?.iss),
    kid: text(obs.header?.kid),
    alg: text(obs.header?.alg),
    sub: obs.verified ? text(obs.payload?.sub) : undefined,
    cached: obs.cached,
    durationMs,
    route,
  }
}

/**
 * Runs one verification with an `Observation` and emits its outcome event when it settles.
 * The event is delivered before the caller sees the result; listeners cannot change it.
 */
export function observeVerification<A extends BearerAuth>(
  hub: { emit(event: VerificationEvent): void },
  route: string | undefined,
  run: (obs: Observation) => Promise<A>,
): Promise<A> {
  const started = clock()
  const obs: Observation = { cached: false, header: undefined, payload: undefined, verified: false }
  let pending: Promise<A>
  try {
    pending = run(obs)
  } catch (err) {
    pending = Promise.reject(err)
  }
  return pending.then(
    (auth) => {
      hub.emit(verifiedEvent(auth, obs, clock() - started, route))
      return auth
    },
    (err: unknown) => {
      hub.emit(rejectedEvent(err, obs, clock() - started, route))
      throw err
    },
  )
}
