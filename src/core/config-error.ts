/**
 * @module
 * The one shape of a configuration mistake: a `TypeError` at construction that names the
 * option path (`tokengate: invalid verifier option audience: required …`), with the
 * `ZodError` as `cause`. Shared by the verifier, the issuer and the adapters.
 */
import type { ZodError } from 'zod'

/** Builds the `TypeError` for the first issue of `error`; `prefix` is prepended to its path. */
export function configError(what: string, error: ZodError, prefix: readonly PropertyKey[] = []): TypeError {
  const issue = error.issues[0]!
  const path = [...prefix, ...issue.path]
  const where = path.length > 0 ? path.map(String).join('.') : 'options'
  return new TypeError(`${what} ${where}: ${issue.message}`, { cause: error })
}
