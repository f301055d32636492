import { bearerMiddleware, verifier } from './lib/auth.js'

/** Every /api/admin request needs a valid token with the `admin` scope; runs on the edge runtime. */
export const middleware = bearerMiddleware({ verifier, scopes: ['admin'] })

export const config = { matcher: '/api/admin/:path*' }
