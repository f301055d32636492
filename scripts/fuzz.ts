/**
 * `npm run fuzz`: the pipeline properties of test/fuzz, at volume.
 *   FUZZ_RUNS  cases in all (default 100000), split by each property's weight
 *   FUZZ_SEED  replay a run (default: random, printed)
 *   FUZZ_MAX_MS  slowest case allowed (default 1000: a hang detector, not a speed goal)
 * Exits 1 on any accepted mutation, any non-BearerError, any case over FUZZ_MAX_MS and any
 * unhandled rejection.
 */
import fc from 'fast-check'
import { PROPERTIES } from '../test/fuzz/properties-list.js'
import { makeTargets } from '../test/fuzz/properties.js'

const total = Number(process.env.FUZZ_RUNS ?? 100_000)
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))
const maxMs = Number(process.env.FUZZ_MAX_MS ?? 1000)
let unhandled = 0
process.on('unhandledRejection', (reason) => {
  unhandled++
  console.error('unhandled rejection:', reason)
})

const targets = await makeTargets(['ES256', 'HS256', 'EdDSA', 'RS256'])
const weights = PROPERTIES.reduce((sum, p) => sum + p.weight, 0)
console.log(`fuzz: ${total} cases, seed ${seed}, algs ${targets.map((t) => t.alg).join(' ')}, node ${process.version}`)

const started = performance.now()
let cases = 0
let slowest = 0
let failures = 0
for (const p of PROPERTIES) {
  const numRuns = Math.max(1, Math.round((total * p.weight) / weights))
  const t0 = performance.now()
  const timed = fc.asyncProperty(p.arbitrary(targets), async (value) => {
    const start = performance.now()
    await p.check(value)
    const ms = performance.now() - start
    slowest = Math.max(slowest, ms)
    if (ms > maxMs) throw new Error(`case took ${ms.toFixed(0)} ms (limit ${maxMs})`)
  })
  const details = await fc.check(timed, { seed, numRuns })
  cases += details.numRuns
  const seconds = (performance.now() - t0) / 1000
  console.log(`  ${details.failed ? 'FAIL' : 'ok  '} ${p.name}: ${details.numRuns} cases, ${seconds.toFixed(1)} s`)
  if (details.failed) {
    failures++
    console.error(fc.defaultReportMessage(details))
  }
}
const seconds = (performance.now() - started) / 1000
console.log(
  `fuzz: ${cases} cases, seed ${seed}, ${seconds.toFixed(1)} s, slowest case ${slowest.toFixed(1)} ms, ` +
    `${failures} failed properties, ${unhandled} unhandled rejections`,
)
if (failures > 0 || unhandled > 0) process.exit(1)
