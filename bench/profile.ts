/**
 * A tight loop over one contender, for `node --cpu-prof`:
 *   node --import tsx --cpu-prof --cpu-prof-dir=prof bench/profile.ts HS256 'tokengate node, cache off'
 * Prints ops/s per round; open the .cpuprofile in Chrome DevTools or summarise it.
 */
import { contenders, TG_OFF } from './contenders.js'
import { makeFixture, type BenchAlg } from './fixtures.js'

const alg = (process.argv[2] ?? 'HS256') as BenchAlg
const name = process.argv[3] ?? TG_OFF
const n = Number(process.argv[4] ?? 100_000)
const f = await makeFixture(alg)
const c = contenders(f).find((x) => x.name === name && x.mode === 'single')
if (!c) throw new Error(`no contender named ${JSON.stringify(name)}`)
for (let round = 0; round < 3; round++) {
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await c.verify(f.header.toString('latin1'))
  const ms = performance.now() - t0
  console.log(`${name} ${alg}: ${((n / ms) * 1000).toFixed(0)} ops/s (${((ms * 1000) / n).toFixed(2)} µs)`)
}
