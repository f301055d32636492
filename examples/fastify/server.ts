/**
 * Fastify + tokengate. Run: PORT=3002 ISSUER=… AUDIENCE=… JWKS_URI=… npx tsx examples/fastify/server.ts
 * In your app, import from 'tokengate' and 'tokengate/fastify'.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { pathToFileURL } from 'node:url'
import tokengate, { requireClaim } from '../../src/adapters/fastify/index.js'
import type { VerifierOptions } from '../../src/index.js'

export async function createApp(options: VerifierOptions): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(tokengate, { ...options, sendProblem: true }) // adds request.auth and app.authenticate
  app.get('/api/me', { onRequest: app.authenticate }, async (request) => ({
    sub: request.auth!.claims.sub,
    scopes: request.auth!.scopes,
  }))
  app.get('/api/orders', { onRequest: app.authenticate, config: { scopes: ['read:orders'] } }, async () => ({
    orders: [{ id: 1 }],
  }))
  // A role guard in route config, and a claim guard as a preHandler with its own description.
  app.get('/api/staff', { onRequest: app.authenticate, config: { roles: ['admin'] } }, async () => ({ staff: true }))
  app.get('/api/billing', { onRequest: app.authenticate, preHandler: requireClaim('plan', 'pro', { description: 'A paid plan is required' }) }, async () => ({
    invoices: [],
  }))
  return app
}

/** Starts the example on 127.0.0.1:`port` (0 = any free port). */
export async function start(port: number, options: VerifierOptions): Promise<{ url: string; close(): Promise<void> }> {
  const app = await createApp(options)
  const url = await app.listen({ port, host: '127.0.0.1' })
  return { url, close: () => app.close() }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = process.env
  const { url } = await start(Number(env.PORT ?? 3002), { issuer: env.ISSUER!, audience: env.AUDIENCE!, jwksUri: env.JWKS_URI! })
  console.log(`fastify example listening on ${url}`)
}
