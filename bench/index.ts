/**
 * `npm run bench`: every contender, every algorithm, side by side in one process.
 * Prints ops/s, the ratio to the raw node:crypto floor and to the comparable tokengate
 * configuration, then the issue-7 targets. `npm run bench -- ES256` runs one algorithm;
 * BENCH_ROUNDS (default 5) and BENCH_MS (per measurement, default 100) trade time for noise.
 */
import { measure } from 'mitata'
import { contenders, FLOOR, INFLIGHT, TG_EDGE, TG_OFF, TG_ON, type Contender } from './contenders.js'
import { ALGS, makeFixture, type BenchAlg, type Fixture } from './fixtures.js'
import { dpopBench } from './dpop.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const MS = Number(process.env.BENCH_MS ?? 100)
const only = process.argv.slice(2).filter((a) => (ALGS as readonly string[]).includes(a)) as BenchAlg[]
const algs = only.length > 0 ? only : ALGS

const label = (c: Contender) => (c.mode === 'inflight' ? `${c.name}, ${INFLIGHT} in flight` : c.name)

function runner(c: Contender, f: Fixture): () => unknown {
  // A fresh string per call, as an HTTP parser makes: no contender gets a cached string hash.
  if (c.mode === 'single') return () => c.verify(f.header.toString('latin1'))
  return () => {
    const pending: unknown[] = new Array(INFLIGHT)
    for (let i = 0; i < INFLIGHT; i++) pending[i] = c.verify(f.header.toString('latin1'))
    return Promise.all(pending)
  }
}

async function sanity(c: Contender, f: Fixture): Promise<void> {
  const ok = await c.verify(f.header.toString('latin1'))
  if (ok === undefined) throw new Error(`${label(c)} returned nothing for ${f.alg}`)
  const [h, p, s] = f.token.split('.')
  const forged = `Bearer ${h}.${p}.${(s![0] === 'A' ? 'B' : 'A') + s!.slice(1)}`
  let rejected = false
  try {
    await c.verify(forged)
  } catch {
    rejected = true
  }
  if (!rejected) throw new Error(`${label(c)} accepted a forged ${f.alg} signature`)
}

type Results = Map<BenchAlg, Map<string, number>>
const results: Results = new Map()
const fixtures = new Map<BenchAlg, { f: Fixture; list: Contender[] }>()
for (const alg of algs) {
  const f = await makeFixture(alg)
  fixtures.set(alg, { f, list: contenders(f) })
  results.set(alg, new Map())
}

// Two phases: everything on Node's synchronous path first, then the WebCrypto (edge) path.
// An application runs one signature backend only; running both in one V8 before the Node-path
// measurements makes shared call sites polymorphic, which costs the Node path ~10% (HS256).
for (const phase of ['node', 'edge'] as const) {
  const inPhase = (c: Contender) => (c.name === TG_EDGE || c.name === 'jose jwtVerify') === (phase === 'edge')
  for (const { f, list } of fixtures.values()) for (const c of list.filter(inPhase)) await sanity(c, f)
  for (let round = 0; round < ROUNDS; round++) {
    // Short interleaved rounds; each keeps its median batch, and the best round counts: on a
    // shared machine, other processes only ever slow a measurement down.
    for (const [alg, { f, list }] of fixtures) {
      const best = results.get(alg)!
      for (const c of list.filter(inPhase)) {
        const stats = await measure(runner(c, f), { min_cpu_time: MS * 1e6 })
        const ops = (1e9 / stats.p50) * (c.mode === 'inflight' ? INFLIGHT : 1)
        best.set(label(c), Math.max(best.get(label(c)) ?? 0, ops))
      }
    }
  }
}

for (const [alg, { f, list }] of fixtures) {
  const best = results.get(alg)!
  const floor = best.get(FLOOR)!
  console.log(`\n${alg}  (token ${f.token.length} chars)`)
  console.log(`${'contender'.padEnd(44)}${'ops/s'.padStart(11)}${'× floor'.padStart(9)}${'× tokengate'.padStart(13)}`)
  for (const c of list) {
    const ops = best.get(label(c))!
    const tgLabel = c.mode === 'inflight' ? `${c.tokengate}, ${INFLIGHT} in flight` : c.tokengate
    const vsTg = ops / best.get(tgLabel)!
    console.log(`${label(c).padEnd(44)}${fmt(ops).padStart(11)}${(ops / floor).toFixed(2).padStart(9)}${vsTg.toFixed(2).padStart(13)}`)
  }
}

function fmt(ops: number): string {
  return ops >= 1e5 ? `${(ops / 1e3).toFixed(0)}k` : `${(ops / 1e3).toFixed(1)}k`
}

// ---- targets (issue 7) ----
console.log('\nTargets (one run, ratios side by side):')
const rows: [string, (r: Map<string, number>) => [number, number]][] = [
  ['node path, cache off ≥ 0.90× floor', (r) => [r.get(TG_OFF)! / r.get(FLOOR)!, 0.9]],
  ['node path, cache off ≥ 1.0× fast-jwt', (r) => [r.get(TG_OFF)! / r.get('fast-jwt')!, 1]],
  ['cache on ≥ 1.5× fast-jwt cache on', (r) => [r.get(TG_ON)! / r.get('fast-jwt, cache on')!, 1.5]],
  ['edge path ≥ 1.0× jose, one at a time', (r) => [r.get(TG_EDGE)! / r.get('jose jwtVerify')!, 1]],
  [`edge path ≥ 1.0× jose, ${INFLIGHT} in flight`, (r) => [r.get(`${TG_EDGE}, ${INFLIGHT} in flight`)! / r.get(`jose jwtVerify, ${INFLIGHT} in flight`)!, 1]],
]
console.log(`${'target'.padEnd(40)}${algs.map((a) => a.padStart(12)).join('')}`)
for (const [name, ratio] of rows) {
  const cells = algs.map((a) => {
    const [value, goal] = ratio(results.get(a)!)
    return `${value.toFixed(2)}${value >= goal ? ' ok' : ' --'}`.padStart(12)
  })
  console.log(`${name.padEnd(40)}${cells.join('')}`)
}
// DPoP (issue 15): a DPoP request costs one signature check more than a Bearer one.
if (only.length === 0 || only.includes('ES256')) await dpopBench(ROUNDS, MS)
console.log(`\nnode ${process.version}, ${process.arch}; ${ROUNDS} interleaved rounds × ${MS} ms per contender; median batch, best round.`)
