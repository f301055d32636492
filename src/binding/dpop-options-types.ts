/**
 * @module
 * The public types of the verifier's `dpop` option (RFC 9449); `core/options.ts` re-exports
 * them with the other verifier options.
 */
import type { AsymmetricAlgorithm } from '../keys/algorithms.js'
import type { Duration } from '../lib/duration.js'
import type { ReplayStore } from './replay-store.js'

/** DPoP settings (`dpop`). */
export interface DpopOptions {
  /** Accept DPoP-bound tokens only: `Bearer` is refused (`dpop_required`) and not offered in challenges. Default `false`. */
  readonly required?: boolean
  /**
   * Proof algorithms accepted (RFC 9449 §11.6: asymmetric only), the challenge's `algs`.
   * Default: every asymmetric algorithm, ES256 first.
   */
  readonly algorithms?: readonly AsymmetricAlgorithm[]
  /**
   * How old a proof's `iat` may be (plus `clockTolerance`; a proof from the future is refused
   * beyond `clockTolerance`). Default `'5m'`.
   */
  readonly maxAge?: Duration
  /**
   * Server nonces (RFC 9449 §9): proofs must carry the nonce handed out in `DPoP-Nonce`,
   * which rotates every `lifetime`. `true`: a random secret for this process (one instance);
   * `{ secret }`: a secret every instance shares, so nonces work across instances without
   * shared state. Default off.
   */
  readonly nonce?: boolean | DpopNonceOptions
  /**
   * Where the `jti` of accepted proofs is remembered to refuse replays. Default a bounded
   * memory store (`memoryReplayStore()`); `redisReplayStore({ client })` from
   * `tokengate/redis` for many instances.
   */
  readonly replayStore?: ReplayStore
  /** Largest `DPoP` header accepted, in characters, checked before decoding. Default 8192. */
  readonly maxProofSize?: number
}

/** Server-nonce settings (`dpop.nonce`). */
export interface DpopNonceOptions {
  /** The key nonces are derived from (HMAC-SHA256): at least 32 bytes; a string is UTF-8. Share it between instances. */
  readonly secret: string | Uint8Array
  /** How often the nonce changes; the previous one stays valid for one more `lifetime`. Default `'1m'`. */
  readonly lifetime?: Duration
}
