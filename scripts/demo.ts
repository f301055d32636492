/**
 * `npm run demo`: the embedded issuer and example APIs on 127.0.0.1, real tokens over real
 * HTTP, and a table per API of what each request got. Exits 0 with everything stopped.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { start as startExpress } from '../examples/express/server.js'
import { start as startFastify } from '../examples/fastify/server.js'
import { start as startHono } from '../examples/hono/server.js'
import { start as startRuntime } from '../examples/bun-deno/start.js'
import { start as startKoa } from '../examples/koa/server.js'
import { start as startLambda } from '../examples/lambda/local.js'
import { start as startNest } from '../examples/nestjs/server.js'
import { build as buildNext, start as startNext } from '../examples/next/start.js'
import { BearerError, createVerifier, type VerifierOptions } from '../src/index.js'
import { createApiKeys } from '../src/apikeys/index.js'
import { startAuthServer, type AuthServer } from './demo/auth-server.js'
import { prepare, type ApiRequest } from './demo/scenarios.js'
import { printTable } from './demo/table.js'
import { signDpopProof } from '../src/testing/dpop.js'

const ISSUER = 'https://auth.demo.local/'
const AUDIENCE = 'https://api.demo.local'

interface Running {
  readonly url: string
  close(): Promise<void>
}
interface Target {
  readonly name: string
  /** Serves DPoP (the Next.js example, in its own process, is configured for Bearer only). */
  readonly dpop?: false
  /** Accepts the demo's API keys (the in-process APIs share one key store; Next runs in its own process). */
  readonly apiKeys?: false
  start(auth: AuthServer): Promise<Running>
}

/** API keys (tokengate/apikeys): JWTs and `demo_…` keys through the same middleware. */
const apiKeys = createApiKeys({ prefix: 'demo' })

const verifierOptions = (auth: AuthServer): VerifierOptions => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  typ: 'at+jwt',
  jwksUri: auth.jwksUri,
  isRevoked: auth.issuer.isRevoked,
  // Bearer and DPoP side by side (RFC 9449 §7.2).
  dpop: true,
  apiKeys,
})

/** No framework: the core verifier in a plain node:http server. */
const plainNode: Target = {
  name: 'plain node:http + createVerifier',
  async start(auth) {
    const verify = createVerifier(verifierOptions(auth))
    const server = createServer(async (req, res) => {
      try {
        const scopes = req.url === '/api/orders' ? ['read:orders'] : []
        const dpop = req.headers.dpop === undefined ? {} : { dpop: { proof: req.headers.dpop, method: req.method!, url: `http://${req.headers.host}${req.url}` } }
        const authResult = await verify(req.headers.authorization, { scopes, ...dpop, apiKey: req.headers['x-api-key'] })
        // Without an adapter, a route's own checks are a few lines over auth.roles and auth.claims.
        if (req.url === '/api/staff' && !authResult.roles.includes('admin')) throw new BearerError('role_missing')
        if (req.url === '/api/billing' && authResult.claims.plan !== 'pro') throw new BearerError('claim_mismatch', { claim: 'plan', message: 'A paid plan is required' })
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: authResult.claims.sub }))
      } catch (err) {
        if (!BearerError.is(err)) throw err
        res.writeHead(err.status, { ...err.headers, 'content-type': 'application/problem+json' }).end(JSON.stringify(err.toProblem()))
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    }
  },
}

/** A free port on 127.0.0.1, for servers that take a port rather than 0. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

const targets: Target[] = [
  { name: 'Express (tokengate/express)', start: (auth) => startExpress(0, verifierOptions(auth)) },
  { name: 'Fastify (tokengate/fastify)', start: (auth) => startFastify(0, verifierOptions(auth)) },
  { name: 'Hono on @hono/node-server (tokengate/hono)', start: (auth) => startHono(0, verifierOptions(auth)) },
  // Koa, Nest and Lambda do not pass a request's DPoP proof to the verifier yet: no DPoP rows there.
  { name: 'Koa (tokengate/koa)', dpop: false, start: (auth) => startKoa(0, verifierOptions(auth)) },
  { name: 'NestJS, global BearerGuard (tokengate/nestjs)', dpop: false, start: (auth) => startNest(0, verifierOptions(auth)) },
  { name: 'AWS Lambda withBearer, HTTP API 2.0 events from a local gateway (tokengate/lambda)', dpop: false, start: (auth) => startLambda(0, verifierOptions(auth)) },
  {
    name: 'Next.js App Router, next start (tokengate/next)',
    dpop: false,
    apiKeys: false,
    async start(auth) {
      process.stdout.write('(next build when stale: ~30 s on a cold clone) ')
      await buildNext()
      // Its own process: keys from the JWKS URL, revocation from the auth service over HTTP.
      return startNext(await freePort(), {
        ISSUER,
        AUDIENCE,
        JWKS_URI: auth.jwksUri,
        REVOCATION_URL: `${auth.url}/revocation-status`,
      } as Parameters<typeof startNext>[1])
    },
  },
  ...(['bun', 'deno'] as const).map((runtime) => ({
    name: `Hono on ${runtime === 'bun' ? 'Bun.serve' : 'Deno.serve'}, the built package (${runtime})`,
    // Its own process and configuration (like Next): Bearer JWTs only.
    dpop: false as const,
    apiKeys: false as const,
    // Its own process: keys from the JWKS URL, revocation from the auth service over HTTP.
    start: (auth: AuthServer) => startRuntime(runtime, 0, { ISSUER, AUDIENCE, JWKS_URI: auth.jwksUri, REVOCATION_URL: `${auth.url}/revocation-status` }),
  })),
  plainNode,
]

let mismatches = 0
const mark = (ok: boolean) => {
  if (!ok) mismatches++
  return ok ? 'ok' : 'WRONG'
}

async function send(base: string, request: ApiRequest): Promise<string[]> {
  const headers: Record<string, string> = { ...request.headers }
  if (request.authorization) headers.authorization = request.authorization
  // A fresh proof for this request: this API's URL, GET, and the hash of the access token.
  if (request.dpop) headers.dpop = await signDpopProof(request.dpop, { url: `${base}${request.path}`, accessToken: request.authorization!.slice(5) })
  const res = await fetch(`${base}${request.path}`, { headers })
  const text = await res.text()
  let reason = ''
  try {
    reason = (JSON.parse(text) as { reason?: string }).reason ?? ''
  } catch {
    // not JSON: no reason to show
  }
  const ok = res.status === request.expect[0] && reason === request.expect[1]
  return [mark(ok), request.name, String(res.status), reason, res.headers.get('www-authenticate') ?? '']
}

const started: Running[] = []
let auth: AuthServer | undefined
try {
  process.stdout.write('starting the auth server (embedded issuer) on 127.0.0.1 ... ')
  auth = await startAuthServer({ issuer: ISSUER, audience: AUDIENCE })
  console.log(auth.url)
  const apis: { name: string; running: Running; dpop: boolean; apiKeys: boolean }[] = []
  for (const target of targets) {
    process.stdout.write(`starting ${target.name} ... `)
    const running = await target.start(auth)
    started.push(running)
    apis.push({ name: target.name, running, dpop: target.dpop !== false, apiKeys: target.apiKeys !== false })
    console.log(running.url)
  }
  const { phase1, calls, reuse } = await prepare(auth, apiKeys)
  const rows = new Map<string, string[][]>(apis.map((a) => [a.name, []]))
  const served = (api: { dpop: boolean; apiKeys: boolean }) => (request: ApiRequest) =>
    (api.dpop || (!request.authorization?.startsWith('DPoP ') && !request.name.includes('DPoP'))) && (api.apiKeys || !request.apiKey)
  for (const api of apis) for (const request of phase1.filter(served(api))) rows.get(api.name)!.push(await send(api.running.url, request))
  const phase2 = await reuse()
  for (const api of apis) for (const request of phase2) rows.get(api.name)!.push(await send(api.running.url, request))

  printTable(`auth server ${auth.url}`, [['', 'call', 'status', 'result'], ...calls.map((c) => [mark(c.status === c.expect), c.name, String(c.status), c.result])])
  for (const api of apis) {
    printTable(`${api.name} — ${api.running.url}`, [['', 'request', 'status', 'reason', 'WWW-Authenticate'], ...rows.get(api.name)!])
  }
  const total = calls.length + apis.reduce((n, api) => n + phase1.filter(served(api)).length + phase2.length, 0)
  console.log(`\ndemo: ${total - mismatches} of ${total} answers as expected; every server stopped.`)
} finally {
  await Promise.all(started.map((s) => s.close()))
  await auth?.close()
}
if (mismatches > 0) process.exitCode = 1
