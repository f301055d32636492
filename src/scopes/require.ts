/**
 * @module
 * Step 5: the scopes a route requires (RFC 6750 §3.1 `insufficient_scope`).
 */
import { BearerError } from '../errors/bearer-error.js'

/** `all`: every listed scope is required (default). `any`: one of them is enough. */
export type ScopeMode = 'all' | 'any'

/** Throws 403 `insufficient_scope`, naming the required scopes, unless `granted` satisfies `required`. */
export function assertScopes(granted: readonly string[], required: readonly string[], mode: ScopeMode): void {
  if (required.length === 0) return
  const ok = mode === 'any' ? required.some((s) => granted.includes(s)) : required.every((s) => granted.includes(s))
  if (!ok) {
    throw new BearerError('insufficient_scope', {
      scope: required.join(' '),
      message: mode === 'any' ? 'The token needs one of the required scopes' : 'The token lacks a required scope',
    })
  }
}
