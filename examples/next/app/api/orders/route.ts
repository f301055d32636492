import { verifier, withBearer } from '../../../lib/auth.js'

/** GET /api/orders: needs the `read:orders` scope (403 `insufficient_scope` otherwise). */
export const GET = withBearer(async () => Response.json({ orders: [{ id: 1 }] }), { verifier, scopes: ['read:orders'] })
