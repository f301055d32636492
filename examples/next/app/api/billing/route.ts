import { requireClaim, verifier, withBearer } from '../../../lib/auth.js'

/** GET /api/billing: needs the claim `plan: 'pro'` (403 `claim_mismatch`, with this description, otherwise). */
export const GET = withBearer(async () => Response.json({ invoices: [] }), {
  verifier,
  guards: [requireClaim('plan', 'pro', { description: 'A paid plan is required' })],
})
