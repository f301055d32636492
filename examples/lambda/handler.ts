/**
 * AWS Lambda + tokengate: one proxy-integration handler (HTTP API or function URL, payload
 * 2.0; REST payload 1.0 works the same) and an API Gateway Lambda authorizer. Deploy with
 * ISSUER, AUDIENCE and JWKS_URI in the environment; `handler` and `authorizer` are the
 * handler names. In your function, import from 'tokengate' and 'tokengate/lambda'.
 * Try it locally: PORT=3007 ISSUER=… AUDIENCE=… JWKS_URI=… npx tsx examples/lambda/local.ts
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { createAuthorizer, requireClaim, requireRoles, requireScopes, withBearer } from '../../src/adapters/lambda/index.js'
import { createVerifier, type VerifierOptions } from '../../src/index.js'

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

export function createHandlers(options: VerifierOptions) {
  const verifier = createVerifier(options) // one key cache for both routes
  const me = withBearer(async (_event: APIGatewayProxyEventV2, _context: unknown, auth) => json(200, { sub: auth.claims.sub, scopes: auth.scopes }), { verifier })
  const routes: Record<string, (event: APIGatewayProxyEventV2, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>> = {
    '/api/me': me,
    '/api/orders': withBearer(async (_event: APIGatewayProxyEventV2) => json(200, { orders: [{ id: 1 }] }), { verifier, guards: [requireScopes('read:orders')] }),
    // A role guard and a claim guard with its own description.
    '/api/staff': withBearer(async (_event: APIGatewayProxyEventV2) => json(200, { staff: true }), { verifier, guards: [requireRoles('admin')] }),
    '/api/billing': withBearer(async (_event: APIGatewayProxyEventV2) => json(200, { invoices: [] }), {
      verifier,
      guards: [requireClaim('plan', 'pro', { description: 'A paid plan is required' })],
    }),
  }
  return {
    /** Routes by path, as a single function behind `ANY /api/{proxy+}` would. */
    handler: (event: APIGatewayProxyEventV2, context: unknown) => routes[event.rawPath]?.(event, context) ?? Promise.resolve(json(404, { error: 'not_found' })),
    /** A REST TOKEN/REQUEST or HTTP API authorizer: Allow with `sub` and `scope` in the context. */
    authorizer: createAuthorizer({ verifier }),
  }
}

// Built at module scope: the verifier and its key cache live as long as the warm container.
const env = process.env
const deployed = env.AWS_LAMBDA_FUNCTION_NAME ? createHandlers({ issuer: env.ISSUER!, audience: env.AUDIENCE!, jwksUri: env.JWKS_URI! }) : undefined
export const handler = deployed?.handler
export const authorizer = deployed?.authorizer
