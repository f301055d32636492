/** The property suite as data (an arbitrary and a check each), so the test and `npm run fuzz` run the same checks. */
import fc from 'fast-check'
import { BearerError, REASONS } from '../../src/index.js'
import {
  applyBitFlip,
  applyCharEdit,
  applyHeaderRewrite,
  applyPayloadRewrite,
  applyRawSegment,
  applySegmentOp,
  applyTailEdit,
  assertOnlyOriginalPasses,
  bitFlip,
  charEdit,
  forge,
  forgedClaims,
  headerRewrite,
  payloadRewrite,
  rawSegment,
  run,
  segmentOp,
  tailEdit,
  type Target,
} from './properties.js'

export interface NamedProperty<T = any> {
  readonly name: string
  /** Share of the total run count this property gets. */
  readonly weight: number
  arbitrary(targets: readonly Target[]): fc.Arbitrary<T>
  /** Resolves when the case holds; rejects with the counterexample's story otherwise. */
  check(value: T): Promise<void>
}

const withTarget = <T>(targets: readonly Target[], arb: fc.Arbitrary<T>) => fc.tuple(fc.constantFrom(...targets), arb)

function property<T>(p: NamedProperty<[Target, T]>): NamedProperty<[Target, T]> {
  return p
}

export const PROPERTIES: readonly NamedProperty[] = [
  property({
    name: 'character edits are rejected with a BearerError',
    weight: 3,
    arbitrary: (ts) => withTarget(ts, charEdit),
    check: ([t, e]) => assertOnlyOriginalPasses(t, applyCharEdit(t.token, e)),
  }),
  property({
    name: 'non-canonical re-encodings of the same bytes are rejected',
    weight: 1,
    arbitrary: (ts) => withTarget(ts, tailEdit),
    check: ([t, e]) => assertOnlyOriginalPasses(t, applyTailEdit(t.token, e)),
  }),
  property({
    name: 'bit flips in any segment are rejected',
    weight: 2,
    arbitrary: (ts) => withTarget(ts, bitFlip),
    check: ([t, f]) => assertOnlyOriginalPasses(t, applyBitFlip(t.token, f)),
  }),
  property({
    name: 'segment swaps, drops, duplicates and alphabet changes are rejected',
    weight: 1,
    arbitrary: (ts) => withTarget(ts, segmentOp),
    check: ([t, op]) => assertOnlyOriginalPasses(t, applySegmentOp(t.token, op)),
  }),
  property({
    name: 'hostile header rewrites (alg, kid, crit, jwk, jku, duplicate keys) never pass',
    weight: 2,
    arbitrary: (ts) => withTarget(ts, fc.tuple(headerRewrite, fc.boolean())),
    check: ([t, [r, dup]]) => assertOnlyOriginalPasses(t, applyHeaderRewrite(t, t.token, r, dup)),
  }),
  property({
    name: 'hostile payload rewrites (__proto__, deep nesting, wrong types, duplicate keys) never pass',
    weight: 2,
    arbitrary: (ts) => withTarget(ts, fc.tuple(payloadRewrite, fc.boolean())),
    check: ([t, [extra, dup]]) => assertOnlyOriginalPasses(t, applyPayloadRewrite(t, t.token, extra, dup)),
  }),
  property({
    name: 'arbitrary bytes in a segment are rejected',
    weight: 1,
    arbitrary: (ts) => withTarget(ts, rawSegment),
    check: ([t, r]) => assertOnlyOriginalPasses(t, applyRawSegment(t.token, r)),
  }),
  property({
    name: 'tokens signed by an untrusted key with the trusted kid are rejected as signature_invalid',
    weight: 1,
    arbitrary: (ts) => withTarget(ts, forgedClaims),
    check: async ([t, extra]) => {
      const outcome = await run(t, await forge(t, extra))
      if (outcome.accepted || outcome.reason !== 'signature_invalid') throw new Error(`forged token: ${JSON.stringify(outcome)}`)
    },
  }),
  property({
    name: 'arbitrary Authorization values never crash the format step',
    weight: 1,
    arbitrary: (ts) => withTarget(ts, fc.string({ maxLength: 300, unit: 'binary' })),
    check: async ([t, header]) => {
      try {
        await t.verify(header)
      } catch (err) {
        if (!BearerError.is(err) || !(err.reason in REASONS)) throw err
      }
    },
  }),
]
