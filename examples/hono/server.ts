/**
 * Hono + tokengate on Node. Run: PORT=3003 ISSUER=… AUDIENCE=… JWKS_URI=… npx tsx examples/hono/server.ts
 * In your app, import from 'tokengate' and 'tokengate/hono'.
 */
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { bearer, requireClaim, requireRoles, requireScopes } from '../../src/adapters/hono/index.js'
import type { VerifierOptions } from '../../src/index.js'

export function createApp(options: VerifierOptions) {
  return new Hono()
    .use('/api/*', bearer(options)) // every /api request needs a valid token: c.get('auth')
    .get('/api/me', (c) => c.json({ sub: c.get('auth').claims.sub, scopes: c.get('auth').scopes }))
    .get('/api/orders', requireScopes('read:orders'), (c) => c.json({ orders: [{ id: 1 }] }))
    // A role guard and a claim guard with its own description.
    .get('/api/staff', requireRoles('admin'), (c) => c.json({ staff: true }))
    .get('/api/billing', requireClaim('plan', 'pro', { description: 'A paid plan is required' }), (c) => c.json({ invoices: [] }))
}

/** Starts the example on 127.0.0.1:`port` (0 = any free port). */
export function start(port: number, options: VerifierOptions): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: createApp(options).fetch, port, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      const url = `http://127.0.0.1:${info.port}`
      resolve({ url, close: () => new Promise((done) => server.close(() => done())) })
    })
  })
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = process.env
  const { url } = await start(Number(env.PORT ?? 3003), { issuer: env.ISSUER!, audience: env.AUDIENCE!, jwksUri: env.JWKS_URI! })
  console.log(`hono example listening on ${url}`)
}
