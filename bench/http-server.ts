/**
 * One server for `npm run bench:http`, started by bench/http.ts in its own process:
 *   node --import tsx bench/http-server.ts <express|fastify|hono> <none|tokengate|tokengate-default-cache|peer>
 * with the key in BENCH_HTTP_KEY (JSON). Serves GET /api/me on 127.0.0.1 (ephemeral port),
 * prints `READY <port>`, and runs until killed. `tokengate` sizes its verified-token cache to
 * BENCH_HTTP_CACHE_MAX (the token pool); `tokengate-default-cache` keeps the default.
 */
import { serve } from '@hono/node-server'
import fastifyJwt from '@fastify/jwt'
import express from 'express'
import { auth as expressOAuth2JwtBearer } from 'express-oauth2-jwt-bearer'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { jwt as honoJwt } from 'hono/jwt'
import type { AddressInfo } from 'node:net'
import { bearer as expressBearer } from '../src/adapters/express/index.js'
import { bearer as fastifyBearer } from '../src/adapters/fastify/index.js'
import { bearer as honoBearer } from '../src/adapters/hono/index.js'
import type { VerifierOptions } from '../src/core/options.js'

export interface HttpKey {
  readonly alg: 'HS256' | 'RS256'
  readonly issuer: string
  readonly audience: string
  /** HS256: the shared secret (ASCII). */
  readonly secret?: string
  /** RS256: the public key as a JWK (with kid), as PEM, and where its JWKS is served. */
  readonly publicJwk?: Record<string, unknown>
  readonly pem?: string
  readonly jwksUri?: string
}

const [framework, requested] = process.argv.slice(2) as ['express' | 'fastify' | 'hono', 'none' | 'tokengate' | 'tokengate-default-cache' | 'peer']
const variant = requested === 'tokengate-default-cache' ? 'tokengate' : requested
const key = JSON.parse(process.env.BENCH_HTTP_KEY!) as HttpKey
const { issuer, audience, alg } = key
const cacheMax = Number(process.env.BENCH_HTTP_CACHE_MAX ?? 0)
const tokengateOptions = {
  issuer,
  audience,
  algorithms: [alg],
  ...(key.secret ? { secret: key.secret } : { jwks: { keys: [key.publicJwk!] } }),
  ...(requested === 'tokengate' && cacheMax > 0 ? { cache: { max: cacheMax } } : {}),
} as VerifierOptions

async function start(): Promise<number> {
  if (framework === 'express') {
    const app = express()
    app.disable('x-powered-by')
    if (variant === 'tokengate') app.use('/api', expressBearer(tokengateOptions))
    if (variant === 'peer') {
      app.use('/api', expressOAuth2JwtBearer({ issuer, audience, tokenSigningAlg: alg, ...(key.secret ? { secret: key.secret } : { jwksUri: key.jwksUri! }) }))
    }
    app.get('/api/me', (req, res) => {
      res.json({ sub: variant === 'tokengate' ? req.auth!.claims.sub : variant === 'peer' ? (req as unknown as { auth: { payload: { sub: string } } }).auth.payload.sub : 'anonymous' })
    })
    // Answer failures quietly (the default handler logs every 401's stack).
    app.use((err: { status?: number; headers?: Record<string, string> }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(err.status ?? 500).set(err.headers ?? {}).end()
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    return (server.address() as AddressInfo).port
  }
  if (framework === 'fastify') {
    const app = Fastify()
    if (variant === 'tokengate') {
      await app.register(fastifyBearer, tokengateOptions)
      app.get('/api/me', { onRequest: app.authenticate }, async (request) => ({ sub: request.auth!.claims.sub }))
    } else if (variant === 'peer') {
      await app.register(fastifyJwt, {
        secret: key.secret ?? { public: key.pem!, private: 'unused: this server only verifies' },
        verify: { algorithms: [alg], allowedIss: issuer, allowedAud: audience },
      })
      app.get('/api/me', { onRequest: async (request) => void (await request.jwtVerify()) }, async (request) => ({ sub: (request.user as { sub: string }).sub }))
    } else {
      app.get('/api/me', async () => ({ sub: 'anonymous' }))
    }
    await app.listen({ port: 0, host: '127.0.0.1' })
    return (app.server.address() as AddressInfo).port
  }
  const app = new Hono()
  if (variant === 'tokengate') {
    const api = new Hono().use('*', honoBearer(tokengateOptions))
    api.get('/me', (c) => c.json({ sub: c.get('auth').claims.sub }))
    app.route('/api', api)
  } else if (variant === 'peer') {
    app.use('/api/*', honoJwt({ secret: (key.secret ?? key.publicJwk) as string, alg, verification: { iss: issuer, aud: audience } }))
    app.get('/api/me', (c) => c.json({ sub: (c.get('jwtPayload') as { sub: string }).sub }))
  } else {
    app.get('/api/me', (c) => c.json({ sub: 'anonymous' }))
  }
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise((resolve) => server.once('listening', resolve))
  return (server.address() as AddressInfo).port
}

// Exit normally on SIGINT, so `node --cpu-prof` writes its profile.
process.once('SIGINT', () => process.exit(0))
console.log(`READY ${await start()}`)
