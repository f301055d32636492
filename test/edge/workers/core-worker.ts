/**
 * @module
 * A Cloudflare Worker on tokengate's core alone: a module `fetch` handler configured from its
 * bindings, one verifier per isolate. The edge suite bundles it against the built package (the
 * relative import below becomes `tokengate`); in your Worker, import from 'tokengate'.
 */
import { BearerError, createVerifier, type Verifier } from '../../../src/index.js'

/** The Worker's bindings (`[vars]` in wrangler.toml). */
export interface Env {
  readonly ISSUER: string
  readonly AUDIENCE: string
  readonly JWKS_URI: string
  /** `jwksCache.timeout`, such as `'5s'`. */
  readonly JWKS_TIMEOUT: string
}

// Bindings arrive with the first request, so the verifier is built then, once per isolate.
// It holds the JWKS cache and the imported keys: a cache that saves work while the isolate
// lives, never something a request relies on (a new isolate simply fetches the keys again).
let verifier: Verifier | undefined

function build(env: Env): Verifier {
  return createVerifier({ issuer: env.ISSUER, audience: env.AUDIENCE, jwksUri: env.JWKS_URI, jwksCache: { timeout: env.JWKS_TIMEOUT } })
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    verifier ??= build(env)
    try {
      const auth = await verifier(request.headers.get('authorization'), { scopes: ['read:items'] })
      return Response.json({ sub: auth.claims.sub, scopes: auth.scopes })
    } catch (err) {
      if (BearerError.is(err)) return err.toResponse()
      throw err
    }
  },
}
