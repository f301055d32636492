/**
 * `npm run bench:http`: autocannon against real servers on 127.0.0.1, one at a time: each
 * tokengate adapter beside the same framework with no auth and with its usual JWT choice
 * (express-oauth2-jwt-bearer, @fastify/jwt, hono/jwt), same route, same tokens. Each server
 * runs in its own process (the load generator stays in this one); only one is under load at
 * a time, in interleaved rounds.
 *
 * Two token modes: every request with one token, and requests cycling through a pool of
 * 10,000 distinct tokens (many users). tokengate's verified-token cache is sized to the pool
 * (`cache: { max: 10_000 }`, what the docs tell a service with that many live tokens to do);
 * in the pool mode a row with the default cache (1000) shows what not sizing it costs.
 *
 * A table cell is the median round; a target is the median over rounds of the ratio measured
 * within each round, with the lowest and highest round beside it.
 * BENCH_HTTP_SECONDS per run (default 2), BENCH_HTTP_ROUNDS (3), BENCH_HTTP_CONNECTIONS (10),
 * BENCH_HTTP_POOL (10000); `npm run bench:http -- RS256 pool` runs one algorithm / one mode.
 * The pool mode warms each server with every token of the pool once (so a cache sized to the
 * pool is full), then each run walks the pool on from where the last one stopped.
 */
import autocannon from 'autocannon'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose'
import type { HttpKey } from './http-server.js'

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 2)
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3)
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 10)
const POOL = Number(process.env.BENCH_HTTP_POOL ?? 10_000)
const ISSUER = 'https://idp.example.com/'
const AUDIENCE = 'https://api.example.com'
const FRAMEWORKS = ['express', 'fastify', 'hono'] as const
const PEER = { express: 'express-oauth2-jwt-bearer', fastify: '@fastify/jwt', hono: 'hono/jwt' } as const
const args = process.argv.slice(2)
const ALGS = (['HS256', 'RS256'] as const).filter((a) => !args.some((x) => /^(HS|RS)256$/.test(x)) || args.includes(a))
const MODES = (['one token', 'pool'] as const).filter((m) => !args.some((x) => x === 'one' || x === 'pool') || args.includes(m === 'pool' ? 'pool' : 'one'))
type Mode = (typeof MODES)[number]

const variantsFor = (mode: Mode) => (mode === 'pool' ? (['none', 'tokengate', 'peer', 'tokengate-default-cache'] as const) : (['none', 'tokengate', 'peer'] as const))
const LABEL: Record<string, string> = { none: 'no auth', tokengate: 'tokengate', 'tokengate-default-cache': 'tokengate, default cache (1000)' }

interface Result {
  readonly rps: number
  readonly p99: number
}

interface Setup {
  readonly key: HttpKey
  /** `POOL` distinct tokens; the first is the one-token mode's. */
  readonly tokens: readonly string[]
  close(): void
}

async function setup(alg: 'HS256' | 'RS256'): Promise<Setup> {
  const now = Math.floor(Date.now() / 1000)
  const sign = (signingKey: CryptoKey | Uint8Array, kid: string | undefined) =>
    Promise.all(
      Array.from({ length: POOL }, (_, i) =>
        new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: `user-${i}`, iat: now, exp: now + 3600, scope: 'read:users' })
          .setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })
          .sign(signingKey),
      ),
    )
  if (alg === 'HS256') {
    const secret = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz'
    return { key: { alg, issuer: ISSUER, audience: AUDIENCE, secret }, tokens: await sign(new TextEncoder().encode(secret), undefined), close: () => {} }
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg, use: 'sig' }
  const tokens = await sign(privateKey, 'k1')
  // express-oauth2-jwt-bearer only takes keys from a JWKS URL: serve one (fetched once, then cached).
  const jwks = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [publicJwk] })))
  jwks.listen(0, '127.0.0.1')
  await once(jwks, 'listening')
  const jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`
  return { key: { alg, issuer: ISSUER, audience: AUDIENCE, publicJwk, pem: await exportSPKI(publicKey), jwksUri }, tokens, close: () => jwks.close() }
}

interface Server {
  readonly url: string
  /** Pool mode: the next token of the pool this server gets. */
  readonly cursor: { next: number }
  stop(): void
}

/** autocannon options for a mode: one prebuilt request, or one token of the pool per request. */
/**
 * Pool mode: requests walk the pool in order, and the walk continues from one run to the
 * next (`cursor`, one per server), so a slow run never replays the tokens the last run
 * started with; `amount` (instead of `duration`) sends exactly that many requests.
 */
function loadOptions(url: string, mode: Mode, tokens: readonly string[], cursor: { next: number }, run: { duration: number } | { amount: number }): autocannon.Options {
  if (mode === 'one token') return { url, headers: { authorization: `Bearer ${tokens[0]}` }, connections: CONNECTIONS, ...run }
  return {
    url,
    connections: CONNECTIONS,
    ...run,
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${tokens[cursor.next++ % tokens.length]}` } }) }],
  }
}

/** Starts one server in its own process and checks a token passes and its absence does not. */
async function startServer(framework: string, variant: string, s: Setup, mode: Mode): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/http-server.ts', framework, variant], {
    env: { ...process.env, BENCH_HTTP_KEY: JSON.stringify(s.key), BENCH_HTTP_CACHE_MAX: String(POOL), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const stop = () => void child.kill()
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        const match = /READY (\d+)/.exec(chunk.toString())
        if (match) resolve(Number(match[1]))
      })
      child.once('exit', (code) => reject(new Error(`${framework}/${variant} exited with ${code}`)))
    })
    const url = `http://127.0.0.1:${port}/api/me`
    const ok = await fetch(url, { headers: { authorization: `Bearer ${s.tokens[1]}` } })
    if (ok.status !== 200) throw new Error(`${framework}/${variant}: the token got ${ok.status}`)
    if (variant !== 'none' && (await fetch(url)).status !== 401) throw new Error(`${framework}/${variant}: no token was not a 401`)
    // Warm-up: 1 s with one token; in the pool mode every token once, so a cache sized to the
    // pool is full before the first measured run, whatever the server's rate (then each run
    // cycles the pool on from where the last one stopped).
    const cursor = { next: 0 }
    await autocannon(loadOptions(url, mode, s.tokens, cursor, mode === 'pool' ? { amount: s.tokens.length } : { duration: 1 }))
    return { url, stop, cursor }
  } catch (err) {
    stop()
    throw err
  }
}

async function load(server: Server, mode: Mode, s: Setup): Promise<Result> {
  const r = await autocannon(loadOptions(server.url, mode, s.tokens, server.cursor, { duration: SECONDS }))
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${server.url}: ${r.non2xx} non-2xx, ${r.errors} errors`)
  return { rps: r.requests.average, p99: r.latency.p99 }
}

const median = (xs: readonly number[]): number => {
  const v = [...xs].sort((a, b) => a - b)
  const m = v.length >> 1
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2
}
const ratioCell = (a: readonly number[], b: readonly number[], goal: number): string => {
  const r = a.map((x, i) => x / b[i]!)
  return `${median(r).toFixed(2)} [${Math.min(...r).toFixed(2)}–${Math.max(...r).toFixed(2)}]${median(r) >= goal ? ' ok' : ' --'}`
}

const targets: string[] = []
for (const alg of ALGS) {
  const s = await setup(alg)
  for (const mode of MODES) {
    const variants = variantsFor(mode)
    console.log(`\n${alg}, ${mode === 'pool' ? `a pool of ${POOL.toLocaleString('en')} distinct tokens` : 'one token'}: ${CONNECTIONS} connections, ${ROUNDS} interleaved ${SECONDS} s runs per server (median), one server loaded at a time`)
    console.log(`${'framework'.padEnd(10)}${'variant'.padEnd(34)}${'req/s'.padStart(9)}${'p99 ms'.padStart(9)}${'× no auth'.padStart(11)}`)
    for (const framework of FRAMEWORKS) {
      const servers = new Map<string, Server>()
      const rounds = new Map<string, Result[]>()
      try {
        for (const variant of variants) servers.set(variant, await startServer(framework, variant, s, mode))
        for (let round = 0; round < ROUNDS; round++) {
          for (const variant of variants) rounds.set(variant, [...(rounds.get(variant) ?? []), await load(servers.get(variant)!, mode, s)])
        }
      } finally {
        for (const server of servers.values()) server.stop()
      }
      const rps = (variant: string) => rounds.get(variant)!.map((r) => r.rps)
      for (const variant of variants) {
        const name = variant === 'peer' ? PEER[framework] : LABEL[variant]!
        const r = rounds.get(variant)!
        console.log(
          `${framework.padEnd(10)}${name.padEnd(34)}${median(rps(variant)).toFixed(0).padStart(9)}${median(r.map((x) => x.p99)).toFixed(1).padStart(9)}${(median(rps(variant)) / median(rps('none'))).toFixed(2).padStart(11)}`,
        )
      }
      targets.push(
        `${alg} ${mode.padEnd(9)} ${framework.padEnd(8)} ÷ no auth ${ratioCell(rps('tokengate'), rps('none'), 0.9).padEnd(22)} ÷ ${PEER[framework].padEnd(26)} ${ratioCell(rps('tokengate'), rps('peer'), 1.3)}`,
      )
    }
  }
  s.close()
}
console.log(`\nTargets (tokengate ≥ 0.90× no auth, ≥ 1.3× the framework's usual JWT choice), median round [lowest–highest]:\n${targets.join('\n')}`)
console.log(`node ${process.version}; autocannon in this process, each server in its own; tokengate's cache sized to the pool (${POOL}).`)
