import { verifier, withBearer } from '../../../lib/auth.js'

/** GET /api/me: any valid token; the handler gets `auth` beside `params`. */
export const GET = withBearer(async (_request, { auth }) => Response.json({ sub: auth.claims.sub, scopes: auth.scopes }), { verifier })
