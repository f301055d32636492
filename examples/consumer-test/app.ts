/**
 * A small Express API protected by tokengate — the app under test in app.test.ts.
 *
 * In your project, import from the package instead:
 *   import { BearerError, createVerifier, type BearerAuth, type VerifierOptions } from 'tokengate'
 * (`tokengate/express` offers a ready-made `bearer()` middleware; this example uses the core
 * verifier directly so it shows every moving part.)
 */
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import { BearerError, createVerifier, type BearerAuth, type VerifierOptions } from '../../src/index.js'

/** Builds the app. Production passes `{ issuer, audience, jwksUri }`; tests pass `kit.verifierOptions`. */
export function createApp(options: VerifierOptions): express.Express {
  const verifyBearer = createVerifier(options)

  const requireAuth =
    (...scopes: string[]): RequestHandler =>
    async (req, res, next) => {
      try {
        res.locals.auth = await verifyBearer(req.headers.authorization, { scopes })
        next()
      } catch (err) {
        next(err)
      }
    }

  const app = express()
  app.get('/health', (_req, res) => {
    res.json({ ok: true })
  })
  app.get('/orders', requireAuth('read:orders'), (_req, res) => {
    const auth = res.locals.auth as BearerAuth
    res.json({ owner: auth.claims.sub, orders: [] })
  })

  // A BearerError carries its status, WWW-Authenticate header and an RFC 9457 body.
  const onError: ErrorRequestHandler = (err, _req, res, next) => {
    if (!BearerError.is(err)) return next(err)
    res.status(err.status).set(err.headers).type('application/problem+json').send(JSON.stringify(err.toProblem()))
  }
  app.use(onError)
  return app
}
