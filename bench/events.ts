/**
 * `npm run bench:events`: the cost of an `onEvent` listener (issue 20: ≤ 5%). The same
 * verifier configuration with and without a counting listener, cache off and on, measured in
 * many short alternating rounds (best round of each counts: on a shared machine other
 * processes only ever slow a measurement down). BENCH_ROUNDS (default 30) and BENCH_MS
 * (default 50) trade time for noise; `npm run bench:events -- HS256` picks algorithms.
 */
import { measure } from 'mitata'
import { createVerifierOn } from '../src/core/create-verifier.js'
import type { VerifierOptions } from '../src/core/options.js'
import { nodeSignatureBackend } from '../src/signature/node.js'
import { countingListener } from './contenders.js'
import { ALGS, AUDIENCE, ISSUER, makeFixture, type BenchAlg } from './fixtures.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30)
const MS = Number(process.env.BENCH_MS ?? 50)
const only = process.argv.slice(2).filter((a) => (ALGS as readonly string[]).includes(a)) as BenchAlg[]
const algs = only.length > 0 ? only : (['HS256', 'ES256'] as BenchAlg[])

console.log(`${'algorithm, cache'.padEnd(20)}${'no listener'.padStart(14)}${'onEvent'.padStart(14)}${'ratio'.padStart(8)}`)
for (const alg of algs) {
  const f = await makeFixture(alg)
  const keys = f.secret ? { secret: f.secret } : { jwks: { keys: [f.publicJwk!] } }
  for (const cache of [false, true]) {
    const make = (listen: boolean) => {
      const verify = createVerifierOn(nodeSignatureBackend, { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg], ...keys, ...(cache ? {} : { cache: false }), ...(listen ? { onEvent: countingListener() } : {}) } as VerifierOptions)
      return () => verify(f.header.toString('latin1'))
    }
    const runs = { plain: make(false), listened: make(true) }
    await runs.plain()
    await runs.listened()
    const best = { plain: 0, listened: 0 }
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so neither always runs right after the other's garbage.
      const order = round % 2 === 0 ? (['plain', 'listened'] as const) : (['listened', 'plain'] as const)
      for (const which of order) {
        const stats = await measure(runs[which], { min_cpu_time: MS * 1e6 })
        best[which] = Math.max(best[which], 1e9 / stats.p50)
      }
    }
    const fmt = (ops: number) => `${(ops / 1e3).toFixed(1)}k`
    console.log(`${`${alg}, cache ${cache ? 'on' : 'off'}`.padEnd(20)}${fmt(best.plain).padStart(14)}${fmt(best.listened).padStart(14)}${(best.listened / best.plain).toFixed(3).padStart(8)}`)
  }
}
console.log(`\nnode ${process.version}, ${process.arch}; ${ROUNDS} alternating rounds × ${MS} ms; median batch, best round. Target: ratio ≥ 0.95.`)
