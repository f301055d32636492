/**
 * @module
 * Step 4b: the user's custom-claims schema (zod), the one schema call on the request path.
 */
import { BearerError } from '../errors/bearer-error.js'

/** What tokengate needs of a claims schema: zod's `safeParse`. */
export interface ClaimsSchema<T> {
  /** Parses without throwing: the claims on success, the error (a `ZodError`) otherwise. */
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: unknown }
}

/**
 * Runs the schema over the payload. The result keeps every claim of the payload, with the
 * schema's output (coerced or transformed values) laid over it, since object schemas
 * strip keys they do not name.
 */
export function applyClaimsSchema<T>(schema: ClaimsSchema<T>, payload: Record<string, unknown>, realm: string): Record<string, unknown> {
  let result: ReturnType<ClaimsSchema<T>['safeParse']>
  try {
    result = schema.safeParse(payload)
  } catch (cause) {
    // An async refinement, or a schema that throws: reject rather than answer 500.
    throw new BearerError('claims_schema_failed', { realm, cause })
  }
  if (!result.success) throw new BearerError('claims_schema_failed', { realm, cause: result.error })
  const data = result.data
  return typeof data === 'object' && data !== null ? { ...payload, ...data } : payload
}
