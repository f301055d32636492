/**
 * Express + tokengate. Run: PORT=3001 ISSUER=… AUDIENCE=… JWKS_URI=… npx tsx examples/express/server.ts
 * In your app, import from 'tokengate' and 'tokengate/express'.
 */
import express from 'express'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { bearer, requireClaim, requireRoles, requireScopes } from '../../src/adapters/express/index.js'
import type { VerifierOptions } from '../../src/index.js'

export function createApp(options: VerifierOptions): express.Express {
  const app = express()
  app.use('/api', bearer(options)) // every /api request needs a valid token: req.auth
  app.get('/api/me', (req, res) => {
    res.json({ sub: req.auth!.claims.sub, scopes: req.auth!.scopes })
  })
  app.get('/api/orders', requireScopes('read:orders'), (_req, res) => {
    res.json({ orders: [{ id: 1 }] })
  })
  // A role guard (roles from the token's `roles` claim) and a claim guard with its own description.
  app.get('/api/staff', requireRoles('admin'), (_req, res) => {
    res.json({ staff: true })
  })
  app.get('/api/billing', requireClaim('plan', 'pro', { description: 'A paid plan is required' }), (_req, res) => {
    res.json({ invoices: [] })
  })
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
  const { url } = await start(Number(env.PORT ?? 3001), { issuer: env.ISSUER!, audience: env.AUDIENCE!, jwksUri: env.JWKS_URI! })
  console.log(`express example listening on ${url}`)
}
