/**
 * Koa + tokengate. Run: PORT=3005 ISSUER=… AUDIENCE=… JWKS_URI=… npx tsx examples/koa/server.ts
 * In your app, import from 'tokengate' and 'tokengate/koa'.
 */
import Router from '@koa/router'
import Koa from 'koa'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { bearer, requireClaim, requireRoles, requireScopes, type BearerState } from '../../src/adapters/koa/index.js'
import type { VerifierOptions } from '../../src/index.js'

export function createApp(options: VerifierOptions): Koa {
  const api = new Router<BearerState>({ prefix: '/api' })
  api.use(bearer(options)) // every /api request needs a valid token: ctx.state.auth
  api.get('/me', (ctx) => {
    ctx.body = { sub: ctx.state.auth.claims.sub, scopes: ctx.state.auth.scopes }
  })
  api.get('/orders', requireScopes('read:orders'), (ctx) => {
    ctx.body = { orders: [{ id: 1 }] }
  })
  // A role guard and a claim guard with its own description.
  api.get('/staff', requireRoles('admin'), (ctx) => {
    ctx.body = { staff: true }
  })
  api.get('/billing', requireClaim('plan', 'pro', { description: 'A paid plan is required' }), (ctx) => {
    ctx.body = { invoices: [] }
  })
  const app = new Koa()
  app.use(api.routes()).use(api.allowedMethods())
  return app
}

/** Starts the example on 127.0.0.1:`port` (0 = any free port). */
export function start(port: number, options: VerifierOptions): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = createApp(options).listen(port, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      resolve({ url, close: () => new Promise((done) => server.close(() => done())) })
    })
  })
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = process.env
  const { url } = await start(Number(env.PORT ?? 3005), { issuer: env.ISSUER!, audience: env.AUDIENCE!, jwksUri: env.JWKS_URI! })
  console.log(`koa example listening on ${url}`)
}
