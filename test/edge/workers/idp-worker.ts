/**
 * @module
 * A Cloudflare Worker on tokengate's IdP support: a `publicKey` PEM certificate (`/pem`), the
 * Firebase preset's `{ kid: certificate }` document (`/firebase`), and the ALB preset's
 * padded `x-amzn-oidc-data` tokens with per-kid PEM keys (`/alb`), with a role and a claim
 * check. Bundled against the built package (the relative imports become `tokengate` and
 * `tokengate/presets`).
 */
import { BearerError, createVerifier, type JwtAuth, type Verifier } from '../../../src/index.js'
import { alb, firebase } from '../../../src/presets/index.js'

/** The Worker's bindings. */
export interface Env {
  readonly ISSUER: string
  readonly AUDIENCE: string
  readonly CERTIFICATE: string
  readonly PROJECT_ID: string
  readonly X509_URI: string
  readonly ALB_ARN: string
  readonly ALB_KEYS_URL: string
}

let verifiers: Record<string, Verifier<object, JwtAuth>> | undefined

function build(env: Env): Record<string, Verifier<object, JwtAuth>> {
  return {
    '/pem': createVerifier({ issuer: env.ISSUER, audience: env.AUDIENCE, publicKey: env.CERTIFICATE }),
    '/firebase': createVerifier({ ...firebase({ projectId: env.PROJECT_ID }), x509Uri: env.X509_URI }),
    '/alb': createVerifier({ ...alb({ albArn: env.ALB_ARN, keysUrl: env.ALB_KEYS_URL }), roleClaims: ['groups'] }),
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    verifiers ??= build(env)
    const path = new URL(request.url).pathname
    const verify = verifiers[path]
    if (!verify) return new Response('not found', { status: 404 })
    try {
      const auth = await verify(request.headers.get(verify.header))
      return Response.json({ sub: auth.claims.sub, roles: auth.roles, kid: auth.header?.kid ?? null })
    } catch (err) {
      if (BearerError.is(err)) return err.toResponse()
      throw err
    }
  },
}
