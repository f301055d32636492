/**
 * @module
 * Builds `WWW-Authenticate` challenges (RFC 6750 §3) in one place.
 */
import type { BearerErrorCode } from './reasons.js'

/** RFC 9110 §5.6.4 quoted-string: escape `\` and `"`, drop controls that cannot travel in a header. */
export function quoteString(value: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${value.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '').replace(/["\\]/g, '\\$&')}"`
}

/**
 * RFC 6750 §3: `error_description` and `scope` may only hold %x20-21 / %x23-5B / %x5D-7E,
 * so anything else is dropped rather than escaped.
 */
function restrictedValue(value: string): string {
  return `"${value.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '')}"`
}

export interface ChallengeParams {
  /** Pre-quoted realm (built once per verifier with {@link quoteString}). */
  readonly quotedRealm: string
  readonly code?: BearerErrorCode | undefined
  readonly description?: string | undefined
  readonly scope?: string | undefined
}

/** `Bearer realm="api", error="invalid_token", error_description="..."`. */
export function buildChallenge({ quotedRealm, code, description, scope }: ChallengeParams): string {
  let header = `Bearer realm=${quotedRealm}`
  // RFC 6750 §3.1: a request without credentials gets no error information.
  if (code === undefined) return header
  header += `, error="${code}"`
  if (description) header += `, error_description=${restrictedValue(description)}`
  if (scope) header += `, scope=${restrictedValue(scope)}`
  return header
}
