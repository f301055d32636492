/**
 * @module
 * A Cloudflare Worker accepting API keys (`tokengate/apikeys`) beside nothing else: keys live
 * in the isolate's memory store (a real deployment implements `ApiKeyStore` over KV or a
 * Durable Object). `POST /keys` mints one; any other path verifies `X-API-Key` or
 * `Authorization: Bearer`. Bundled against the built package by the edge suite.
 */
import { createApiKeys } from '../../../src/apikeys/index.js'
import { BearerError, createVerifier } from '../../../src/index.js'

const apiKeys = createApiKeys({ prefix: 'edge', rateLimit: { points: 3, duration: '1h' } })
const verify = createVerifier({ apiKeys })

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method === 'POST') {
      const { id, key } = await apiKeys.create({ name: 'worker', owner: 'team-edge', scopes: ['read:items'] })
      return Response.json({ id, key })
    }
    try {
      const auth = await verify(request.headers.get('authorization'), { scopes: ['read:items'], apiKey: request.headers.get('x-api-key') })
      return Response.json({ kind: auth.kind, sub: auth.claims.sub })
    } catch (err) {
      if (BearerError.is(err)) return err.toResponse()
      throw err
    }
  },
}
