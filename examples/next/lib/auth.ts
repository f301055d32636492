/**
 * The one module that talks to tokengate: a verifier shared by every route (one JWKS cache).
 * In your app: import from 'tokengate' and 'tokengate/next'.
 * Configured at run time: ISSUER, AUDIENCE, JWKS_URI, and optionally REVOCATION_URL, a
 * revocation service shared by every instance. `next build` imports this module without them:
 * createLazyVerifier reads them on the first request, not here.
 */
import { createLazyVerifier } from '../../../src/index.js'

export { bearerMiddleware, requireClaim, requireRoles, withBearer } from '../../../src/adapters/next/index.js'

export const verifier = createLazyVerifier(() => {
  const revocationUrl = process.env.REVOCATION_URL
  return {
    issuer: process.env.ISSUER!,
    audience: process.env.AUDIENCE!,
    jwksUri: process.env.JWKS_URI!,
    // Asks the auth service; if it cannot answer, the request gets 503 (fail closed), never 200.
    ...(revocationUrl && {
      isRevoked: async (claims) => ((await (await fetch(revocationUrl, { method: 'POST', body: JSON.stringify(claims) })).json()) as { revoked: boolean }).revoked,
    }),
  }
})
