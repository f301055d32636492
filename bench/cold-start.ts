/**
 * @module
 * Cold start: what `import()` of a verifier library costs a fresh Node process (a serverless
 * cold start, a CLI), and what import + building a verifier + the first verification cost.
 * Each sample is a new `node` process that reports its own CPU time (`process.cpuUsage()`,
 * user + system, every thread) and wall time since it started; the overhead is the sample
 * minus a bare process in the same round, and the median round counts. tokengate is measured
 * as users get it: built by tsup into a staged `node_modules/tokengate` (ESM, no sourcemaps).
 *
 * Run alone: `npm run bench -- cold`. BENCH_COLD_ROUNDS (default 15).
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose'
import { ROOT, stagePackage } from '../scripts/edge-bundle.js'
import { AUDIENCE, ISSUER } from './fixtures.js'

const ROUNDS = Number(process.env.BENCH_COLD_ROUNDS ?? 15)

/** Module text per contender: `import` alone, or import + build + first verify (`FX` is the fixture). */
const IMPORT_ONLY: Record<string, string> = {
  tokengate: `await import('tokengate')`,
  jose: `await import('jose')`,
  'aws-jwt-verify': `await import('aws-jwt-verify')`,
  'fast-jwt': `await import('fast-jwt')`,
}

const FIRST_VERIFY: Record<string, string> = {
  tokengate: `const { createVerifier } = await import('tokengate')
    const verify = createVerifier({ issuer: FX.issuer, audience: FX.audience, jwks: { keys: [FX.jwk] }, algorithms: ['RS256'] })
    const auth = await verify('Bearer ' + FX.token); if (auth.claims.sub !== 'user-1') throw new Error('tokengate')`,
  jose: `const { importJWK, jwtVerify } = await import('jose')
    const key = await importJWK(FX.jwk, 'RS256')
    const { payload } = await jwtVerify(FX.token, key, { issuer: FX.issuer, audience: FX.audience, algorithms: ['RS256'] }); if (payload.sub !== 'user-1') throw new Error('jose')`,
  'aws-jwt-verify': `const { JwtVerifier } = await import('aws-jwt-verify')
    const verifier = JwtVerifier.create({ issuer: FX.issuer, audience: FX.audience, jwksUri: 'https://idp.example.com/jwks.json' })
    verifier.cacheJwks({ keys: [FX.jwk] })
    if (verifier.verifySync(FX.token).sub !== 'user-1') throw new Error('aws-jwt-verify')`,
  'fast-jwt': `const { createVerifier } = await import('fast-jwt')
    const verify = createVerifier({ key: FX.pem, algorithms: ['RS256'], allowedIss: FX.issuer, allowedAud: FX.audience })
    if (verify(FX.token).sub !== 'user-1') throw new Error('fast-jwt')`,
}

interface Sample {
  /** CPU milliseconds since the process started, every thread. */
  readonly cpu: number
  /** Wall milliseconds since the process started. */
  readonly wall: number
}

function sample(cwd: string, body: string, fixture: string): Sample {
  const code = `const FX = JSON.parse(process.env.BENCH_COLD_FIXTURE); ${body}
    const u = process.cpuUsage(); console.log(JSON.stringify({ cpu: (u.user + u.system) / 1000, wall: performance.now() }))`
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd, encoding: 'utf8', env: { ...process.env, BENCH_COLD_FIXTURE: fixture, NODE_OPTIONS: '' } })
  if (r.status !== 0) throw new Error(`cold-start sample failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as Sample
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export interface ColdStartResult {
  /** Median overhead over a bare process, CPU ms, by row label. */
  readonly cpu: ReadonlyMap<string, number>
  readonly wall: ReadonlyMap<string, number>
}

export async function runColdStart(): Promise<ColdStartResult> {
  const staged = await stagePackage(join(ROOT, '.tmp', 'bench', 'cold'))
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const now = Math.floor(Date.now() / 1000)
  const token = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: now, exp: now + 3600 })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
    .sign(privateKey)
  const fixture = JSON.stringify({ issuer: ISSUER, audience: AUDIENCE, token, jwk: { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }, pem: await exportSPKI(publicKey) })

  const rows = new Map<string, string>([['bare node', '']])
  for (const [name, body] of Object.entries(IMPORT_ONLY)) rows.set(`${name}: import`, body)
  for (const [name, body] of Object.entries(FIRST_VERIFY)) rows.set(`${name}: import + create + first verify`, body)

  const cpu = new Map<string, number[]>()
  const wall = new Map<string, number[]>()
  for (const body of rows.values()) sample(staged.dir, body, fixture) // warm the file cache
  for (let round = 0; round < ROUNDS; round++) {
    const bare = sample(staged.dir, '', fixture)
    for (const [label, body] of rows) {
      if (body === '') continue
      const s = sample(staged.dir, body, fixture)
      cpu.set(label, [...(cpu.get(label) ?? []), s.cpu - bare.cpu])
      wall.set(label, [...(wall.get(label) ?? []), s.wall - bare.wall])
    }
    cpu.set('bare node', [...(cpu.get('bare node') ?? []), bare.cpu])
    wall.set('bare node', [...(wall.get('bare node') ?? []), bare.wall])
  }

  const medCpu = new Map([...cpu].map(([k, v]) => [k, median(v)]))
  const medWall = new Map([...wall].map(([k, v]) => [k, median(v)]))
  console.log(`\nCold start (RS256, a local JWK): ${ROUNDS} rounds of fresh node processes; overhead over a bare process in the same round, median round [lowest–highest]`)
  console.log(`${'row'.padEnd(46)}${'CPU ms'.padStart(22)}${'wall ms'.padStart(22)}`)
  for (const label of rows.keys()) {
    const c = cpu.get(label)!
    const w = wall.get(label)!
    const cell = (xs: number[]) => `${median(xs).toFixed(1)} [${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]`
    console.log(`${(label === 'bare node' ? 'bare node (absolute, not overhead)' : label).padEnd(46)}${cell(c).padStart(22)}${cell(w).padStart(22)}`)
  }
  // The target, from the same rounds: tokengate's import overhead against jose's.
  const perRound = cpu.get('tokengate: import')!.map((tg, i) => tg - 1.5 * cpu.get('jose: import')![i]! - 10)
  const tg = medCpu.get('tokengate: import')!
  const jose = medCpu.get('jose: import')!
  const margin = median(perRound)
  console.log(
    `\nTarget: import('tokengate') CPU overhead ≤ 1.5 × jose's + 10 ms: ${tg.toFixed(1)} ms vs ${(1.5 * jose + 10).toFixed(1)} ms ` +
      `(per round, tokengate − (1.5 × jose + 10): median ${margin.toFixed(1)} ms [${Math.min(...perRound).toFixed(1)}–${Math.max(...perRound).toFixed(1)}])${margin <= 0 ? ' ok' : ' --'}`,
  )
  console.log(`node ${process.version}; each sample a new process (\`node --input-type=module -e\`), CPU = process.cpuUsage() at its end.`)
  return { cpu: medCpu, wall: medWall }
}
