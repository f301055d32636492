import { requireRoles, verifier, withBearer } from '../../../lib/auth.js'

/** GET /api/staff: needs the `admin` role (403 `role_missing` otherwise). */
export const GET = withBearer(async () => Response.json({ staff: true }), { verifier, guards: [requireRoles('admin')] })
