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
 *
 * Two measures per slice: verifications per second of wall time, and per second of CPU time
 * (`process.cpuUsage()`, every thread of this process: the thread pool's work counts). On a
 * machine other processes load, wall time mostly measures the scheduler; CPU time measures
 * the work, so the one-core targets compare CPU time. The `parallel` target is about using a
 * second core, which only wall time shows: it needs cores nobody else is using.
 */
import { availableParallelism, loadavg } from 'node:os'
import { runColdStart } from './cold-start.js'
import { contenders, FLOOR, INFLIGHT, TG_EDGE, TG_OFF, TG_OFF_EVENTS, TG_ON, TG_ON_EVENTS, TG_PARALLEL, type Contender } from './contenders.js'
import { ALGS, makeFixture, type BenchAlg, type Fixture } from './fixtures.js'
import { dpopBench } from './dpop.js'

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

interface Slice {
  /** Verifications per second of wall time. */
  readonly wall: number
  /** Verifications per second of CPU time (every thread of the process). */
  readonly cpu: number
}

/**
 * Runs `fn` for `ms` of wall time, in batches (awaited when it returns a promise), after a
 * short warm-up; counts verifications per wall second and per CPU second.
 */
async function slice(fn: () => unknown, perCall: number, ms: number): Promise<Slice> {
  const run = async (until: number): Promise<number> => {
    let calls = 0
    while (performance.now() < until) {
      for (let i = 0; i < 16; i++) {
        const r = fn() as { then?: unknown } | undefined
        if (typeof r?.then === 'function') await r
      }
      calls += 16
    }
    return calls
  }
  await run(performance.now() + ms / 10)
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const calls = await run(t0 + ms)
  const elapsed = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(c0)
  const ops = calls * perCall
  return { wall: ops / elapsed, cpu: ops / Math.max(1e-6, (cpu.user + cpu.system) / 1e6) }
}

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
  const cpuResults = new Map<BenchAlg, Rounds>()
  const fixtures = new Map<BenchAlg, { f: Fixture; list: Contender[] }>()
  for (const alg of algs) {
    const f = await makeFixture(alg)
    fixtures.set(alg, { f, list: contenders(f) })
    results.set(alg, new Map())
    cpuResults.set(alg, new Map())
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
        const cpuRounds = cpuResults.get(alg)!
        for (const c of list.filter(inPhase)) {
          const s = await slice(runner(c, f), c.mode === 'inflight' ? INFLIGHT : 1, MS)
          rounds.set(label(c), [...(rounds.get(label(c)) ?? []), s.wall])
          cpuRounds.set(label(c), [...(cpuRounds.get(label(c)) ?? []), s.cpu])
        }
      }
    }
  }

  for (const [alg, { f, list }] of fixtures) {
    const r = results.get(alg)!
    const rc = cpuResults.get(alg)!
    const floor = median(rc.get(FLOOR)!)
    console.log(`\n${alg}  (token ${f.token.length} chars)`)
    console.log(`${'contender'.padEnd(52)}${'per wall s'.padStart(11)}${'per CPU s'.padStart(11)}${'× floor'.padStart(9)}${'× tokengate'.padStart(13)}`)
    for (const c of list) {
      const ops = median(rc.get(label(c))!)
      const tgLabel = c.mode === 'inflight' ? `${c.tokengate}, ${INFLIGHT} in flight` : c.tokengate
      const vsTg = ops / median(rc.get(tgLabel) ?? rc.get(c.tokengate)!)
      console.log(`${label(c).padEnd(52)}${fmt(median(r.get(label(c))!)).padStart(11)}${fmt(ops).padStart(11)}${(ops / floor).toFixed(2).padStart(9)}${vsTg.toFixed(2).padStart(13)}`)
    }
  }
  console.log('\n(× floor and × tokengate compare verifications per CPU second.)')

  console.log('\nTargets: the median over rounds of the ratio within each round [lowest–highest round]:')
  const rows: [string, string, string, number, 'cpu' | 'wall'][] = [
    ['node path, cache off ≥ 0.90× floor (CPU)', TG_OFF, FLOOR, 0.9, 'cpu'],
    ['node path, cache off ≥ 1.0× fast-jwt (CPU)', TG_OFF, 'fast-jwt', 1, 'cpu'],
    ['cache on ≥ 1.5× fast-jwt cache on (CPU)', TG_ON, 'fast-jwt, cache on', 1.5, 'cpu'],
    ['edge path ≥ 1.0× jose, one at a time (CPU)', TG_EDGE, 'jose jwtVerify', 1, 'cpu'],
    [`edge path ≥ 1.0× jose, ${INFLIGHT} in flight (CPU)`, `${TG_EDGE}, ${INFLIGHT} in flight`, `jose jwtVerify, ${INFLIGHT} in flight`, 1, 'cpu'],
    ['edge path ≥ 1.0× jose, one at a time (wall)', TG_EDGE, 'jose jwtVerify', 1, 'wall'],
    [`edge path ≥ 1.0× jose, ${INFLIGHT} in flight (wall)`, `${TG_EDGE}, ${INFLIGHT} in flight`, `jose jwtVerify, ${INFLIGHT} in flight`, 1, 'wall'],
    ['onEvent listener, cache off ≥ 0.95× (CPU)', TG_OFF_EVENTS, TG_OFF, 0.95, 'cpu'],
    ['onEvent listener, cache on ≥ 0.95× (CPU)', TG_ON_EVENTS, TG_ON, 0.95, 'cpu'],
    [`parallel, ${INFLIGHT} in flight ≥ 1.3× floor (RS256, wall)`, `${TG_PARALLEL}, ${INFLIGHT} in flight`, FLOOR, 1.3, 'wall'],
  ]
  console.log(`${'target'.padEnd(50)}${algs.map((a) => a.padStart(22)).join('')}`)
  for (const [name, a, b, goal, measure] of rows) {
    const cells = algs.map((alg) => {
      const ratio = pairedRatio((measure === 'cpu' ? cpuResults : results).get(alg)!, a, b)
      if (!ratio) return 'n/a'.padStart(22)
      const verdict = name.includes('(RS256,') && alg !== 'RS256' ? '   ' : ratio.median >= goal ? ' ok' : ' --'
      return `${ratio.median.toFixed(2)} [${ratio.low.toFixed(2)}–${ratio.high.toFixed(2)}]${verdict}`.padStart(22)
    })
    console.log(`${name.padEnd(50)}${cells.join('')}`)
  }
  console.log(`\nnode ${process.version}, ${process.arch}, ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${ROUNDS} interleaved rounds × ${MS} ms per contender; median round.`)
}

if (runWarm) await warm()
// DPoP (issue 15): a DPoP request costs one signature check more than a Bearer one.
if (runWarm && (only.length === 0 || only.includes('ES256'))) await dpopBench(ROUNDS, MS)
if (runCold) await runColdStart()
