/**
 * @module
 * Step 4b: the user's custom-claims schema, the one schema call on the request path. Any
 * Standard Schema (https://standardschema.dev: zod 4, valibot, arktype, ...) is accepted, so
 * tokengate itself imports no schema library at run time.
 */
import { BearerError } from '../errors/bearer-error.js'

/** What a Standard Schema validation returns: the value, or the issues. */
export type ClaimsSchemaResult<T> =
  | { readonly value: T; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> }> }

/**
 * A claims schema: any Standard Schema v1 (its `~standard` property). zod 4, valibot and
 * arktype schemas are ones already; the output type becomes `auth.claims`.
 */
export interface ClaimsSchema<T> {
  /** The Standard Schema v1 interface the schema library provides. */
  readonly '~standard': {
    /** Always 1 (Standard Schema v1). */
    readonly version: 1
    /** The schema library's name (`zod`, `valibot`, ...). */
    readonly vendor: string
    /** Validates the payload; may return a promise (async refinements). */
    readonly validate: (value: unknown) => ClaimsSchemaResult<T> | Promise<ClaimsSchemaResult<T>>
    /** Type-only: the schema's input and output types. */
    readonly types?: { readonly input: unknown; readonly output: T } | undefined
  }
}

/** True for a Standard Schema v1. */
export function isStandardSchema(value: unknown): value is ClaimsSchema<unknown> {
  const standard = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null | undefined)?.['~standard']
  return typeof standard === 'object' && standard !== null && standard.version === 1 && typeof standard.validate === 'function'
}

/**
 * The payload with the schema's output (coerced or transformed values) laid over it: every
 * claim of the payload is kept, since object schemas strip keys they do not name.
 */
function merged(payload: Record<string, unknown>, result: ClaimsSchemaResult<unknown>): Record<string, unknown> {
  // Fail closed on a result that is neither a success ({ value }) nor a failure ({ issues }):
  // a hand-written schema answering `{}` must not let every payload through.
  if (typeof result !== 'object' || result === null || (result.issues === undefined && !Object.prototype.hasOwnProperty.call(result, 'value'))) {
    throw new BearerError('claims_schema_failed', { cause: new TypeError('the claims schema returned neither { value } nor { issues } (Standard Schema v1)') })
  }
  if (result.issues) throw new BearerError('claims_schema_failed', { cause: result.issues })
  const data = result.value
  return typeof data === 'object' && data !== null ? { ...payload, ...data } : payload
}

/**
 * Runs the schema over the payload: synchronous when the schema is (zod and valibot without
 * async refinements are), so the hot path takes no extra await.
 */
export function applyClaimsSchema<T>(schema: ClaimsSchema<T>, payload: Record<string, unknown>): Record<string, unknown> | Promise<Record<string, unknown>> {
  let result: ClaimsSchemaResult<T> | Promise<ClaimsSchemaResult<T>>
  try {
    result = schema['~standard'].validate(payload)
  } catch (cause) {
    // A schema that throws: reject rather than answer 500.
    throw new BearerError('claims_schema_failed', { cause })
  }
  if (typeof (result as Promise<unknown> | null)?.then === 'function') {
    return (result as Promise<ClaimsSchemaResult<T>>).then(
      (settled) => merged(payload, settled),
      (cause: unknown) => {
        throw BearerError.is(cause) ? cause : new BearerError('claims_schema_failed', { cause })
      },
    )
  }
  return merged(payload, result as ClaimsSchemaResult<T>)
}
