/** The property suite as data (an arbitrary and a check each), so the test and `npm run fuzz` run the same checks. */
import { generateKeyPairSync } from 'node:crypto'
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
  clockCase,
  clockValue,
  deepNesting,
  deepNestingToken,
  outcomeOf,
  paddedHeader,
  requiredClaim,
  requiredClaimCase,
  revocationAnswer,
  revocationCase,
  secretCase,
  secretInput,
  whitespacePadding,
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

/** Public (and private) key material as people paste it where a shared secret belongs. */
const MATERIALS: readonly string[] = (() => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const spki = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string
  const jwk = ec.publicKey.export({ format: 'jwk' })
  return [
    spki,
    rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    ec.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    spki.split('\n').filter((l) => l && !l.startsWith('-----')).join(''),
    (rsa.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('hex'),
    JSON.stringify(jwk),
    JSON.stringify({ keys: [jwk] }),
    JSON.stringify(jwk, null, 2),
    `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl user@host`,
  ]
})()

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
    name: 'nesting deeper than 32 levels, up to the largest maxTokenSize, is 401 token_malformed in header or payload',
    weight: 1,
    arbitrary: (ts) => withTarget(ts, deepNesting),
    check: async ([t, d]) => {
      const token = await deepNestingToken(t, d)
      const outcome = await outcomeOf(t.verifyMax, `Bearer ${token}`)
      if (outcome.accepted || outcome.reason !== 'token_malformed') throw new Error(`deep nesting (${d.where}, ${d.depth}): ${JSON.stringify(outcome)}`)
    },
  }),
  property({
    name: 'whitespace runs around and inside a 64 KiB header: linear, and only the original token passes',
    weight: 1,
    arbitrary: (ts) => withTarget(ts, whitespacePadding),
    check: async ([t, w]) => {
      const outcome = await outcomeOf(t.verifyMax, paddedHeader(t, w))
      if (outcome.accepted && outcome.token !== t.token) throw new Error('accepted a token that is not the original')
      // Spaces alone between the scheme and the token are allowed (RFC 9110 §11.4); a tab is not.
      if (w.innerSpacesOnly && !outcome.accepted) throw new Error(`refused a padded valid header: ${outcome.reason}`)
    },
  }),
  property({
    name: 'requiredClaims are own members: Object.prototype names are missing unless the token carries them',
    weight: 1,
    arbitrary: (ts) => withTarget(ts, requiredClaim),
    check: ([t, r]) => requiredClaimCase(t, r),
  }),
  property({
    name: 'isRevoked answering anything but a boolean fails closed (503); true revokes, false passes',
    weight: 1,
    arbitrary: (ts) => withTarget(ts, revocationAnswer),
    check: ([t, a]) => revocationCase(t, a),
  }),
  property({
    name: 'a clock returning anything but a finite number fails closed (503), fresh or cached',
    weight: 1,
    arbitrary: (ts) => withTarget(ts, clockValue),
    check: ([t, value]) => clockCase(t, value),
  }),
  {
    name: 'key material in any wrapping is refused as a secret; random secrets in any encoding are not',
    weight: 1,
    arbitrary: () => secretInput,
    check: async (input: Parameters<typeof secretCase>[1]) => secretCase(MATERIALS, input),
  } satisfies NamedProperty,
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
