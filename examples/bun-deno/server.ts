/**
 * Hono + tokengate on Bun (`Bun.serve`) or Deno (`Deno.serve`), the same file for both.
 * In your app, import from 'tokengate' and 'tokengate/hono' (the repo's start.ts rewrites the
 * relative imports below to those). Configured by ISSUER, AUDIENCE, JWKS_URI, PORT and
 * optionally REVOCATION_URL:
 *   bun server.ts
 *   deno run --allow-net --allow-env=ISSUER,AUDIENCE,JWKS_URI,PORT,REVOCATION_URL server.ts
 */
import { Hono } from 'hono'
import { createVerifier } from '../../src/index.js'
import { bearer, requireClaim, requireRoles, requireScopes } from '../../src/adapters/hono/index.js'

type Fetch = (request: Request) => Response | Promise<Response>
declare const Bun: { serve(o: { hostname: string; port: number; fetch: Fetch }): { port: number } } | undefined
declare const Deno: { serve(o: { hostname: string; port: number; onListen(): void }, fetch: Fetch): { addr: { port: number } } } | undefined
declare const process: { env: Record<string, string | undefined> }

const env = process.env // Bun and Deno both have node:process; Deno asks for --allow-env
const revocationUrl = env.REVOCATION_URL
const verifier = createVerifier({
  issuer: env.ISSUER!,
  audience: env.AUDIENCE!,
  jwksUri: env.JWKS_URI!,
  // Asks the auth service; if it cannot answer, the request gets 503 (fail closed), never 200.
  ...(revocationUrl && {
    isRevoked: async (claims) => ((await (await fetch(revocationUrl, { method: 'POST', body: JSON.stringify(claims) })).json()) as { revoked: boolean }).revoked,
  }),
})

const app = new Hono()
  .use('/api/*', bearer({ verifier })) // every /api request needs a valid token: c.get('auth')
  .get('/api/me', (c) => c.json({ sub: c.get('auth').claims.sub, scopes: c.get('auth').scopes }))
  .get('/api/orders', requireScopes('read:orders'), (c) => c.json({ orders: [{ id: 1 }] }))
  // A role guard and a claim guard with its own description.
  .get('/api/staff', requireRoles('admin'), (c) => c.json({ staff: true }))
  .get('/api/billing', requireClaim('plan', 'pro', { description: 'A paid plan is required' }), (c) => c.json({ invoices: [] }))

const options = { hostname: '127.0.0.1', port: Number(env.PORT ?? 3008) }
const port = typeof Bun !== 'undefined' ? Bun.serve({ ...options, fetch: app.fetch }).port : Deno!.serve({ ...options, onListen() {} }, app.fetch).addr.port
console.log(`${typeof Bun !== 'undefined' ? 'bun' : 'deno'} example listening on http://127.0.0.1:${port}`)
