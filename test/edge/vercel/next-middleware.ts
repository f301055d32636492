/**
 * @module
 * A Next.js `middleware.ts` using `bearerMiddleware` from `tokengate/next`, as Vercel runs it
 * on the edge runtime. Next inlines `process.env.*` at build time (the edge suite does the same
 * with esbuild `define`); the relative import becomes `tokengate/next`. In your app, import
 * from 'tokengate/next'.
 */
import { bearerMiddleware } from '../../../src/adapters/next/index.js'

// Module scope runs once per isolate: one verifier, one JWKS cache, keys imported once.
export const middleware = bearerMiddleware({
  issuer: process.env.ISSUER!,
  audience: process.env.AUDIENCE!,
  jwksUri: process.env.JWKS_URI!,
  jwksCache: { timeout: process.env.JWKS_TIMEOUT! },
  scopes: ['read:items'],
})

export const config = { matcher: '/api/:path*' }
