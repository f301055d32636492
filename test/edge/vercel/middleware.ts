/**
 * @module
 * A Vercel Edge middleware on tokengate's core alone. Next.js inlines `process.env.*` at build
 * time (the edge suite does the same with esbuild `define`) and bundles with the `edge-light`
 * condition; the relative import becomes `tokengate`. In your app, import from 'tokengate'.
 */
import { BearerError, createVerifier } from '../../../src/index.js'

// Module scope runs once per isolate: one verifier, one JWKS cache, keys imported once.
const verify = createVerifier({
  issuer: process.env.ISSUER!,
  audience: process.env.AUDIENCE!,
  jwksUri: process.env.JWKS_URI!,
  jwksCache: { timeout: process.env.JWKS_TIMEOUT! },
})

/** Verifies the bearer token; returns a response only to refuse (`undefined` lets the request through). */
export default async function middleware(request: Request): Promise<Response | undefined> {
  try {
    await verify(request.headers.get('authorization'), { scopes: ['read:items'] })
    return undefined
  } catch (err) {
    if (BearerError.is(err)) return err.toResponse()
    throw err
  }
}
