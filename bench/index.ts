/**
 * `npm run bench`: every contender, every algorithm, side by side in one process, then the
 * cold start (`bench/cold-start.ts`, child processes). Prints ops/s, the ratio to the raw
 * node:crypto floor and to the comparable tokengate configuration, then the targets.
 *
 * `npm run bench -- ES256` runs one algorithm; `npm run bench -- cold` only the cold start,
 * `npm run bench -- warm` only the in-process part. BENCH_ROUNDS (default 7) and BENCH_MS
 * (per measurement, default 100) trade time for noise.
 *
 * Noise: the machine is shared, so every contender runs in short interleaved rounds. A table
 * cell is the median round; a target is the median over rounds of the ratio measured within
 * each round (the two sides a few hundred milliseconds apart), with the lowest and highest
 * round's ratio beside it, so the spread says how far to trust it.
 */
import { measure } from 'mitata'
import { runColdStart } from './cold-start.js'
import { contenders, FLOOR, INFLIGHT, TG_EDGE, TG_OFF, TG_ON, TG_PARALLEL, type Contender } from './contenders.js'
import { ALGS, makeFixture, type BenchAlg, type Fixture } from './fixtures.js'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const MS = Number(process.env.BENCH_MS ?? 100)
const args = process.argv.slice(2)
const only = args.filter((a) => (ALGS as readonly string[]).includes(a)) as BenchAlg[]
const algs = only.length > 0 ? only : ALGS
const runWarm = !args.includes('cold')
const runCold = !args.includes('warm') && only.length === 0

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

/** ops/s of each contender (by label), one entry per round. */
type Rounds = Map<string, number[]>

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

function fmt(ops: number): string {
  return ops >= 1e5 ? `${(ops / 1e3).toFixed(0)}k` : `${(ops / 1e3).toFixed(1)}k`
}

/** The ratio a/b within each round: its median, lowest and highest. */
function pairedRatio(r: Rounds, a: string, b: string): { median: number; low: number; high: number } | undefined {
  const xs = r.get(a)
  const ys = r.get(b)
  if (!xs || !ys) return undefined
  const ratios = xs.map((x, i) => x / ys[i]!)
  return { median: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) }
}

async function warm(): Promise<void> {
  const results = new Map<BenchAlg, Rounds>()
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
      for (const [alg, { f, list }] of fixtures) {
        const rounds = results.get(alg)!
        for (const c of list.filter(inPhase)) {
          // Each measurement keeps its median batch: a hiccup inside it does not count.
          const stats = await measure(runner(c, f), { min_cpu_time: MS * 1e6 })
          const ops = (1e9 / stats.p50) * (c.mode === 'inflight' ? INFLIGHT : 1)
          const list = rounds.get(label(c)) ?? []
          list.push(ops)
          rounds.set(label(c), list)
        }
      }
    }
  }

  for (const [alg, { f, list }] of fixtures) {
    const r = results.get(alg)!
    const floor = median(r.get(FLOOR)!)
    console.log(`\n${alg}  (token ${f.token.length} chars)`)
    console.log(`${'contender'.padEnd(52)}${'ops/s'.padStart(9)}${'× floor'.padStart(9)}${'× tokengate'.padStart(13)}`)
    for (const c of list) {
      const ops = median(r.get(label(c))!)
      const tgLabel = c.mode === 'inflight' ? `${c.tokengate}, ${INFLIGHT} in flight` : c.tokengate
      const vsTg = ops / median(r.get(tgLabel) ?? r.get(c.tokengate)!)
      console.log(`${label(c).padEnd(52)}${fmt(ops).padStart(9)}${(ops / floor).toFixed(2).padStart(9)}${vsTg.toFixed(2).padStart(13)}`)
    }
  }

  console.log('\nTargets: the median over rounds of the ratio within each round [lowest–highest round]:')
  const rows: [string, string, string, number][] = [
    ['node path, cache off ≥ 0.90× floor', TG_OFF, FLOOR, 0.9],
    ['node path, cache off ≥ 1.0× fast-jwt', TG_OFF, 'fast-jwt', 1],
    ['cache on ≥ 1.5× fast-jwt cache on', TG_ON, 'fast-jwt, cache on', 1.5],
    ['edge path ≥ 1.0× jose, one at a time', TG_EDGE, 'jose jwtVerify', 1],
    [`edge path ≥ 1.0× jose, ${INFLIGHT} in flight`, `${TG_EDGE}, ${INFLIGHT} in flight`, `jose jwtVerify, ${INFLIGHT} in flight`, 1],
    [`parallel, ${INFLIGHT} in flight ≥ 1.3× floor (RS256)`, `${TG_PARALLEL}, ${INFLIGHT} in flight`, FLOOR, 1.3],
  ]
  console.log(`${'target'.padEnd(42)}${algs.map((a) => a.padStart(22)).join('')}`)
  for (const [name, a, b, goal] of rows) {
    const cells = algs.map((alg) => {
      const ratio = pairedRatio(results.get(alg)!, a, b)
      if (!ratio) return 'n/a'.padStart(22)
      const verdict = name.includes('(RS256)') && alg !== 'RS256' ? '   ' : ratio.median >= goal ? ' ok' : ' --'
      return `${ratio.median.toFixed(2)} [${ratio.low.toFixed(2)}–${ratio.high.toFixed(2)}]${verdict}`.padStart(22)
    })
    console.log(`${name.padEnd(42)}${cells.join('')}`)
  }
  console.log(`\nnode ${process.version}, ${process.arch}; ${ROUNDS} interleaved rounds × ${MS} ms per contender; median batch per measurement, median round.`)
}

if (runWarm) await warm()
if (runCold) await runColdStart()
