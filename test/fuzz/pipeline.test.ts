/**
 * A fixed-seed sample of the fuzz properties (the long run is `npm run fuzz`).
 * vitest's per-test timeout is the hang detector.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PROPERTIES } from './properties-list.js'
import { applyBitFlip, makeTargets, run } from './properties.js'

const targets = await makeTargets()
const SEED = 20261124
const RUNS_PER_WEIGHT = 150

describe('fuzzing the pipeline (fixed seed)', () => {
  it('the original tokens pass, so every rejection below is the mutation', async () => {
    for (const t of targets) expect(await run(t, t.token)).toEqual({ accepted: true, token: t.token })
  })

  it('bit flips are real edits (the property is not vacuous)', () => {
    const t = targets[0]!
    expect(applyBitFlip(t.token, { segment: 2, bit: 5 })).not.toBe(t.token)
  })

  it.each(PROPERTIES.map((p) => [p.name, p] as const))('%s', async (_name, p) => {
    await fc.assert(fc.asyncProperty(p.arbitrary(targets), (v) => p.check(v)), { seed: SEED, numRuns: p.weight * RUNS_PER_WEIGHT })
  }, 60_000)
})
