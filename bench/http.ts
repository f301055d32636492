/**
 * `npm run bench:http`: autocannon against real servers on 127.0.0.1, one at a time: each
 * tokengate adapter beside the same framework with no auth and with its usual JWT choice
 * (express-oauth2-jwt-bearer, @fastify/jwt, hono/jwt), same route, same token. Each server
 * runs in its own process (the load generator stays in this one); only one is under load at
 * a time, in interleaved rounds, and each keeps its best round (on a shared machine, other
 * processes only ever slow a run down). Prints requests/s, p99 latency and the ratios.
 * BENCH_HTTP_SECONDS per run (default 2), BENCH_HTTP_ROUNDS (3), BENCH_HTTP_CONNECTIONS (10);
 * `npm run bench:http -- RS256` runs one algorithm.
 */
import autocannon from 'autocannon'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose'
import type { HttpKey } from './http-server.js'

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 2)
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 3)
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 10)
const ISSUER = 'https://idp.example.com/'
const AUDIENCE = 'https://api.example.com'
const FRAMEWORKS = ['express', 'fastify', 'hono'] as const
const VARIANTS = ['none', 'tokengate', 'peer'] as const
const PEER = { express: 'express-oauth2-jwt-bearer', fastify: '@fastify/jwt', hono: 'hono/jwt' } as const
const ALGS = (['HS256', 'RS256'] as const).filter((a) => process.argv.length <= 2 || process.argv.includes(a))

interface Result {
  readonly rps: number
  readonly p99: number
}

async function setup(alg: 'HS256' | 'RS256'): Promise<{ key: HttpKey; token: string; close(): void }> {
  const now = Math.floor(Date.now() / 1000)
  const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: now, exp: now + 3600, scope: 'read:users' }
  if (alg === 'HS256') {
    const secret = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz'
    const token = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret))
    return { key: { alg, issuer: ISSUER, audience: AUDIENCE, secret }, token, close: () => {} }
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg, use: 'sig' }
  const token = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', kid: 'k1' }).sign(privateKey)
  // express-oauth2-jwt-bearer only takes keys from a JWKS URL: serve one (fetched once, then cached).
  const jwks = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [publicJwk] })))
  jwks.listen(0, '127.0.0.1')
  await once(jwks, 'listening')
  const jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`
  return { key: { alg, issuer: ISSUER, audience: AUDIENCE, publicJwk, pem: await exportSPKI(publicKey), jwksUri }, token, close: () => jwks.close() }
}

interface Server {
  readonly url: string
  stop(): void
}

/** Starts one server in its own process and checks the token passes and its absence does not. */
async function startServer(framework: string, variant: string, key: HttpKey, token: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/http-server.ts', framework, variant], {
    env: { ...process.env, BENCH_HTTP_KEY: JSON.stringify(key), NODE_ENV: 'production' },
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
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    if (ok.status !== 200) throw new Error(`${framework}/${variant}: the token got ${ok.status}`)
    if (variant !== 'none' && (await fetch(url)).status !== 401) throw new Error(`${framework}/${variant}: no token was not a 401`)
    await autocannon({ url, headers: { authorization: `Bearer ${token}` }, connections: CONNECTIONS, duration: 1 }) // warm-up
    return { url, stop }
  } catch (err) {
    stop()
    throw err
  }
}

async function load(server: Server, token: string): Promise<Result> {
  const r = await autocannon({ url: server.url, headers: { authorization: `Bearer ${token}` }, connections: CONNECTIONS, duration: SECONDS })
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${server.url}: ${r.non2xx} non-2xx, ${r.errors} errors`)
  return { rps: r.requests.average, p99: r.latency.p99 }
}

const targets: string[] = []
for (const alg of ALGS) {
  const { key, token, close } = await setup(alg)
  console.log(`\n${alg}: ${CONNECTIONS} connections, best of ${ROUNDS} interleaved ${SECONDS} s runs per server, one server loaded at a time`)
  console.log(`${'framework'.padEnd(10)}${'variant'.padEnd(28)}${'req/s'.padStart(9)}${'p99 ms'.padStart(9)}${'× no auth'.padStart(11)}`)
  for (const framework of FRAMEWORKS) {
    const servers = new Map<string, Server>()
    const results = new Map<string, Result>()
    try {
      for (const variant of VARIANTS) servers.set(variant, await startServer(framework, variant, key, token))
      for (let round = 0; round < ROUNDS; round++) {
        for (const variant of VARIANTS) {
          const r = await load(servers.get(variant)!, token)
          if (r.rps > (results.get(variant)?.rps ?? 0)) results.set(variant, r)
        }
      }
    } finally {
      for (const server of servers.values()) server.stop()
    }
    for (const variant of VARIANTS) {
      const r = results.get(variant)!
      const name = variant === 'peer' ? PEER[framework] : variant === 'none' ? 'no auth' : 'tokengate (cache on)'
      console.log(`${framework.padEnd(10)}${name.padEnd(28)}${r.rps.toFixed(0).padStart(9)}${r.p99.toFixed(1).padStart(9)}${(r.rps / results.get('none')!.rps).toFixed(2).padStart(11)}`)
    }
    const tg = results.get('tokengate')!.rps
    const vsNone = tg / results.get('none')!.rps
    const vsPeer = tg / results.get('peer')!.rps
    targets.push(
      `${alg} ${framework.padEnd(8)} tokengate ÷ no auth ${vsNone.toFixed(2)}${vsNone >= 0.9 ? ' ok' : ' --'}   tokengate ÷ ${PEER[framework]} ${vsPeer.toFixed(2)}${vsPeer >= 1 ? ' ok' : ' --'}`,
    )
  }
  close()
}
console.log(`\nTargets (≥ 0.90× no auth, ≥ 1.0× the framework's usual JWT choice):\n${targets.join('\n')}`)
console.log(`node ${process.version}; autocannon in this process, each server in its own.`)
