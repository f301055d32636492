/**
 * @module
 * Typing `req.auth` (Express) and `request.auth` (Fastify): frameworks that attach `auth` to a
 * shared request type can't infer it per route, so the claims type is registered once.
 */

/**
 * Register the claims type of your `claims` schema once, and `req.auth` / `request.auth`
 * carry it everywhere. Hono and Next infer it per middleware and need no registration.
 *
 * Import from `tokengate/express` or `tokengate/fastify`.
 *
 * @example
 * const Claims = z.object({ tenant: z.string() })
 * declare module 'tokengate/express' {
 *   interface Register { claims: z.output<typeof Claims> }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** The registered claims type, or `object` when none is registered. */
export type RegisteredClaims = Register extends { claims: infer C extends object } ? C : object
