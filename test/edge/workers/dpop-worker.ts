/**
 * @module
 * A Cloudflare Worker as a Hono app serving Bearer and DPoP tokens (`tokengate/hono`, `dpop`
 * with stateless nonces), RFC 9470 step-up on one route, and the RFC 9728 metadata. The edge
 * suite bundles it against the built package; in your Worker, import from 'tokengate/hono'.
 */
import { Hono, type ExecutionContext } from 'hono'
import { bearer, requireAuthLevel, resourceMetadataHandler } from '../../../src/adapters/hono/index.js'

export interface DpopEnv {
  readonly ISSUER: string
  readonly AUDIENCE: string
  /** The JWK Set, as JSON. */
  readonly JWKS: string
  /** The nonce secret every instance shares. */
  readonly NONCE_SECRET: string
}

function createApp(env: DpopEnv) {
  const resource = 'https://dpop.edge.test'
  return new Hono<{ Bindings: DpopEnv }>()
    .get('/.well-known/oauth-protected-resource', resourceMetadataHandler({ resource, authorizationServers: [env.ISSUER] }))
    .use(
      '/api/*',
      bearer({
        issuer: env.ISSUER,
        audience: env.AUDIENCE,
        jwks: JSON.parse(env.JWKS) as { keys: [] },
        dpop: { nonce: { secret: env.NONCE_SECRET } },
        resourceMetadata: `${resource}/.well-known/oauth-protected-resource`,
      }),
    )
    .get('/api/items', (c) => c.json({ sub: c.get('auth').claims.sub, scheme: c.get('auth').scheme }))
    .get('/api/transfers', requireAuthLevel({ acr: ['urn:example:mfa'] }), (c) => c.json({ ok: true }))
}

// Built with the first request's bindings, once per isolate: one replay store, one nonce key.
let app: ReturnType<typeof createApp> | undefined

export default {
  fetch(request: Request, env: DpopEnv, ctx: ExecutionContext): Response | Promise<Response> {
    app ??= createApp(env)
    return app.fetch(request, env, ctx)
  },
}
