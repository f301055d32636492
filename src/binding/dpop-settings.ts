/**
 * @module
 * DPoP settings, as the verifier (`dpop` option) and the issuer (`dpop` beside `tokenEndpoint`)
 * give them, resolved once into what the proof checks use.
 */
import type { AsymmetricAlgorithm } from '../keys/algorithms.js'
import { createParsedHeaders } from '../lib/parsed-headers.js'
import { createDpopNonces } from './dpop-nonce.js'
import type { ResolvedDpop } from './dpop-proof.js'
import { memoryReplayStore, type ReplayStore } from './replay-store.js'

/** Validated DPoP settings: durations in seconds, the nonce secret as bytes. */
export interface DpopSettings {
  readonly required: boolean
  readonly algorithms: readonly AsymmetricAlgorithm[]
  readonly maxAge: number
  readonly maxProofSize: number
  /** `undefined`: no server nonces; `secret` `undefined`: a random one. */
  readonly nonce: { readonly secret: Uint8Array | undefined; readonly lifetime: number } | undefined
  /** `undefined`: a bounded memory store. */
  readonly replayStore: ReplayStore | undefined
}

/** Distinct DPoP proof headers (one per client key) kept parsed. */
const DPOP_HEADERS_MAX = 1024

/** What the proof checks use, built once per verifier (or issuer). */
export function resolveDpop(d: DpopSettings, now: () => number): ResolvedDpop {
  const nonces = d.nonce === undefined ? undefined : createDpopNonces(d.nonce.secret ?? crypto.getRandomValues(new Uint8Array(32)), d.nonce.lifetime, now)
  // The first nonce is computed now, so the first request does not wait for it.
  void nonces?.current()
  return Object.freeze({
    required: d.required,
    algorithms: new Set(d.algorithms),
    algs: d.algorithms.join(' '),
    maxAge: d.maxAge,
    maxProofSize: d.maxProofSize,
    nonces,
    replay: d.replayStore ?? memoryReplayStore(),
    headers: createParsedHeaders(DPOP_HEADERS_MAX),
  })
}
