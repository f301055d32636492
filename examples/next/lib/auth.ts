/**
 * The one module that talks to tokengate: a verifier built once and shared by every route
 * (one JWKS cache). In your app: import from 'tokengate' and 'tokengate/next'.
 * Configured at run time: ISSUER, AUDIENCE, JWKS_URI (the fallbacks only let `next build` run),
 * and optionally REVOCATION_URL, a revocation service shared by every instance.
 */
import { createVerifier } from '../../../src/index.js'

export { bearerMiddleware, requireClaim, requireRoles, withBearer } from '../../../src/adapters/next/index.js'

const revocationUrl = process.env.REVOCATION_URL

export const verifier = createVerifier({
  issuer: process.env.ISSUER ?? 'https://idp.example.com/',
  audience: process.env.AUDIENCE ?? 'https://api.example.com',
  jwksUri: process.env.JWKS_URI ?? 'https://idp.example.com/.well-known/jwks.json',
  // Asks the auth service; if it cannot answer, the request gets 503 (fail closed), never 200.
  ...(revocationUrl && {
    isRevoked: async (claims) => ((await (await fetch(revocationUrl, { method: 'POST', body: JSON.stringify(claims) })).json()) as { revoked: boolean }).revoked,
  }),
})
