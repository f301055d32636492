/**
 * `npm run bench:runtimes`: the two signature paths on each runtime, from the built package.
 * Node, Bun and Deno each verify the same kind of tokens (cache off, local keys) once with
 * their own export conditions and once with `--conditions=worker` (WebCrypto); the table
 * shows the CPU time (every thread: WebCrypto works off the main thread) per verification,
 * the lowest of BENCH_ROUNDS (default 3) runs of BENCH_MS (default 500) per algorithm. This
 * is what `#signature-backend` lists `bun` and `deno` for.
 */
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PROJECT, runtimeBinary, stagePackage } from '../test/runtimes/package.setup.js'

const run = promisify(execFile)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const MS = Number(process.env.BENCH_MS ?? 500)
const ALGS = ['RS256', 'ES256', 'EdDSA'] as const

const RUNTIMES: Record<string, { cmd: string; args: string[] }> = {
  [`node ${process.version}`]: { cmd: process.execPath, args: [] },
  bun: { cmd: runtimeBinary('bun'), args: ['--no-install'] },
  deno: { cmd: runtimeBinary('deno'), args: ['run', '--no-lock'] },
}

await stagePackage()
const script = join(PROJECT, 'sigbench.mjs')
writeFileSync(
  script,
  `import { cpuUsage } from 'node:process'
import { createVerifier } from 'tokengate'
import { createTestKit } from 'tokengate/testing'
const out = {}
for (const alg of ${JSON.stringify(ALGS)}) {
  const kit = await createTestKit({ alg })
  const verify = createVerifier({ ...kit.verifierOptions, cache: false })
  const tokens = await Promise.all(Array.from({ length: 64 }, (_, i) => kit.valid({ jti: String(i) })))
  for (const t of tokens) await verify('Bearer ' + t)
  const start = performance.now(); const cpu = cpuUsage(); let n = 0
  while (performance.now() - start < ${MS}) { await verify('Bearer ' + tokens[n % 64]); n++ }
  const used = cpuUsage(cpu)
  out[alg] = (used.user + used.system) / n
}
console.log(JSON.stringify(out))
`,
)

const best = new Map<string, Record<string, number>>()
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, { cmd, args }] of Object.entries(RUNTIMES)) {
    for (const backend of ['node:crypto', 'WebCrypto']) {
      const flags = backend === 'WebCrypto' ? ['--conditions=worker'] : []
      const env = { ...process.env, DENO_DIR: join(PROJECT, '.deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }
      const { stdout } = await run(cmd, [...args, ...flags, script], { cwd: PROJECT, env })
      const key = `${name}, ${backend}${backend === 'WebCrypto' ? ' (--conditions=worker)' : ''}`
      const got = JSON.parse(stdout) as Record<string, number>
      const kept = best.get(key) ?? {}
      for (const alg of ALGS) kept[alg] = Math.min(kept[alg] ?? Infinity, got[alg]!)
      best.set(key, kept)
    }
  }
}

const head = ['runtime, signature path', ...ALGS.map((a) => `${a} µs CPU`)]
const rows = [...best].map(([key, r]) => [key, ...ALGS.map((a) => r[a]!.toFixed(0))])
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
for (const [i, row] of [head, ...rows].entries()) {
  console.log(row.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  '))
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
}
console.log(`\nCPU time (user + system, every thread of the process) per verification: the lowest of ${ROUNDS} rounds of ${MS} ms per algorithm;`)
console.log('verified-token cache off; one process per row and round. CPU time, not throughput: on a shared machine, wall-clock rates swing with the load.')
