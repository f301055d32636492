/**
 * @module
 * A Cloudflare Worker as a Hono app guarded by `tokengate/hono`, configured from its bindings.
 * The edge suite bundles it against the built package (the relative imports become
 * `tokengate/hono`); in your Worker, import from 'tokengate/hono'.
 */
import { Hono, type ExecutionContext } from 'hono'
import { bearer, requireScopes } from '../../../src/adapters/hono/index.js'
import type { Env } from './core-worker.js'

function createApp(env: Env) {
  return new Hono<{ Bindings: Env }>()
    .use('/api/*', bearer({ issuer: env.ISSUER, audience: env.AUDIENCE, jwksUri: env.JWKS_URI, jwksCache: { timeout: env.JWKS_TIMEOUT } }))
    .get('/api/items', requireScopes('read:items'), (c) => c.json({ sub: c.get('auth').claims.sub, scopes: c.get('auth').scopes }))
}

// Bindings arrive with the first request, so the app (and the verifier inside `bearer()`) is
// built then, once per isolate, never per request: one JWKS cache, keys imported once.
let app: ReturnType<typeof createApp> | undefined

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    app ??= createApp(env)
    return app.fetch(request, env, ctx)
  },
}
