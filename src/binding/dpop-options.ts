/**
 * @module
 * The verifier's `dpop` option (RFC 9449), validated and normalised once: durations in
 * seconds, the nonce secret as bytes, defaults applied (but the replay store, which the
 * settings resolve). Every mistake is a `ConfigError` under `dpop.`.
 */
import { ConfigError } from '../errors/config-error.js'
import { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm } from '../keys/algorithms.js'
import { toSeconds } from '../lib/duration.js'
import { bool, bytes, duration, options, parseOptions, positiveInt, v } from '../lib/schema.js'
import type { DpopSettings } from './dpop-settings.js'
import type { ReplayStore } from './replay-store.js'

/** `dpop`, normalised: durations in seconds, the nonce secret as bytes, defaults applied (but the store). */
export type ParsedDpopOptions = DpopSettings

/** Default `dpop.maxAge`, seconds. */
export const DEFAULT_DPOP_MAX_AGE = 300
/** Default `dpop.nonce.lifetime`, seconds. */
export const DEFAULT_DPOP_NONCE_LIFETIME = 60
/** Default `dpop.maxProofSize`, characters. */
export const DEFAULT_DPOP_MAX_PROOF_SIZE = 8192
/** Proof algorithms accepted by default: every asymmetric one, ES256 (what most clients use) first. */
export const DEFAULT_DPOP_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['ES256', ...ASYMMETRIC_ALGORITHMS.filter((a) => a !== 'ES256')]

const dpopSchema = options(
  {
    required: v.optional(bool()),
    algorithms: v.optional(
      v.pipe(
        v.array(v.picklist(ASYMMETRIC_ALGORITHMS, `expected asymmetric algorithms (RFC 9449 §11.6), some of ${ASYMMETRIC_ALGORITHMS.join(', ')}`)),
        v.minLength(1, 'expected at least one algorithm, e.g. ["ES256"]'),
      ),
    ),
    maxAge: v.optional(duration(1)),
    maxProofSize: v.optional(v.pipe(positiveInt('a number of characters of at least 256'), v.minValue(256, 'expected a number of characters of at least 256'))),
    nonce: v.optional(v.union([v.boolean(), v.looseObject({})], 'expected true, false or { secret, lifetime? }')),
    replayStore: v.optional(
      v.custom<ReplayStore>(
        (x) => typeof x === 'object' && x !== null && typeof (x as ReplayStore).add === 'function',
        'expected a replay store { add(jti, ttlSeconds) }, e.g. memoryReplayStore() or redisReplayStore({ client })',
      ),
    ),
  },
  'the DPoP settings { required?, algorithms?, maxAge?, nonce?, replayStore?, maxProofSize? }',
)

// Parsed on its own so a mistake inside names its path (a union would only say "expected one of").
const dpopNonceSchema = options(
  {
    secret: v.union([v.string(), bytes()], 'expected the nonce secret as a string or a Uint8Array (at least 32 bytes)'),
    lifetime: v.optional(duration(1)),
  },
  'the nonce settings { secret, lifetime? }',
)

const utf8 = new TextEncoder()

export function parseDpop(dpop: unknown): ParsedDpopOptions | undefined {
  if (dpop === undefined || dpop === false) return undefined
  const d = dpop === true ? {} : parseOptions('verifier', dpopSchema, dpop, ['dpop'])
  let nonce: ParsedDpopOptions['nonce']
  if (d.nonce === true) nonce = { secret: undefined, lifetime: DEFAULT_DPOP_NONCE_LIFETIME }
  else if (typeof d.nonce === 'object') {
    const n = parseOptions('verifier', dpopNonceSchema, d.nonce, ['dpop', 'nonce'])
    const secret = typeof n.secret === 'string' ? utf8.encode(n.secret) : n.secret.slice()
    if (secret.length < 32) throw new ConfigError('verifier', 'dpop.nonce.secret', `expected at least 32 bytes (HMAC-SHA256 key), got ${secret.length}`)
    nonce = { secret, lifetime: n.lifetime === undefined ? DEFAULT_DPOP_NONCE_LIFETIME : toSeconds(n.lifetime) }
  }
  return {
    required: d.required ?? false,
    algorithms: Object.freeze([...new Set(d.algorithms ?? DEFAULT_DPOP_ALGORITHMS)]),
    maxAge: d.maxAge === undefined ? DEFAULT_DPOP_MAX_AGE : toSeconds(d.maxAge),
    maxProofSize: d.maxProofSize ?? DEFAULT_DPOP_MAX_PROOF_SIZE,
    nonce,
    replayStore: d.replayStore,
  }
}
