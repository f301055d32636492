/** GET /api/admin/stats: guarded by middleware.ts (edge runtime), so no check here. */
export function GET(): Response {
  return Response.json({ users: 42 })
}
