/**
 * @module
 * Builds `WWW-Authenticate` challenges in one place: RFC 6750 §3 (`Bearer`), RFC 9449 §7.1
 * (`DPoP`, with `algs`), RFC 9470 §3 (`acr_values`, `max_age`) and RFC 9728 §5.1
 * (`resource_metadata`).
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

/** An HTTP authentication scheme tokengate serves. */
export type AuthScheme = 'Bearer' | 'DPoP'

/**
 * What every challenge of one verifier says, whatever went wrong: its realm, the schemes it
 * serves and their parameters. Built once per verifier.
 */
export interface ChallengeContext {
  readonly realm: string
  /** The `Bearer` scheme is served (not with `dpop.required`). */
  readonly bearer: boolean
  /** The `DPoP` scheme is served: its `algs` value (space-delimited), else `undefined`. */
  readonly dpopAlgs: string | undefined
  /** RFC 9728 §5.1: the protected-resource metadata URL, on every challenge. */
  readonly resourceMetadata: string | undefined
}

/** The challenge context of a verifier configured with nothing but a realm: `Bearer` only. */
export function bearerOnly(realm: string): ChallengeContext {
  return { realm, bearer: true, dpopAlgs: undefined, resourceMetadata: undefined }
}

/** What went wrong, for the challenge that carries the error. */
export interface ChallengeError {
  readonly code?: BearerErrorCode | undefined
  readonly description?: string | undefined
  readonly scope?: string | undefined
  /** RFC 9470: acceptable `acr` values, space-delimited. */
  readonly acrValues?: string | undefined
  /** RFC 9470: the largest acceptable age of the user's authentication, in seconds. */
  readonly maxAge?: number | undefined
}

export interface ChallengeParams extends ChallengeError {
  /** Pre-quoted realm (built once per verifier with {@link quoteString}). */
  readonly quotedRealm: string
}

/** `Bearer realm="api", error="invalid_token", error_description="..."`: one Bearer challenge. */
export function buildChallenge({ quotedRealm, ...error }: ChallengeParams): string {
  return challenge('Bearer', quotedRealm, error.code === undefined ? undefined : error, undefined, undefined)
}

function challenge(scheme: AuthScheme, quotedRealm: string, error: ChallengeError | undefined, algs: string | undefined, resourceMetadata: string | undefined): string {
  let header = `${scheme} realm=${quotedRealm}`
  // RFC 6750 §3.1 (and RFC 9449 §7.2): a request without credentials gets no error information.
  if (error?.code !== undefined) {
    header += `, error="${error.code}"`
    if (error.description) header += `, error_description=${restrictedValue(error.description)}`
    if (error.scope) header += `, scope=${restrictedValue(error.scope)}`
    if (error.acrValues) header += `, acr_values=${restrictedValue(error.acrValues)}`
    if (error.maxAge !== undefined) header += `, max_age="${Math.floor(error.maxAge)}"`
  }
  // RFC 9449 §7.1: "An algs parameter SHOULD be included".
  if (algs !== undefined) header += `, algs=${restrictedValue(algs)}`
  if (resourceMetadata !== undefined) header += `, resource_metadata=${quoteString(resourceMetadata)}`
  return header
}

/**
 * The whole `WWW-Authenticate` value: one challenge per scheme the verifier serves, `Bearer`
 * first. RFC 9449 §7.2: without credentials, no challenge carries error information; when the
 * request's scheme is known, its challenge carries the error and the others stay bare; when it
 * is not (a malformed header), every challenge carries it. A request in a scheme the verifier
 * does not serve (`Bearer` with `dpop.required`) gets the error on the schemes it does.
 */
export function buildChallenges(context: ChallengeContext, quotedRealm: string, scheme: AuthScheme | undefined, error: ChallengeError): string {
  const served = (s: AuthScheme) => (s === 'Bearer' ? context.bearer : context.dpopAlgs !== undefined)
  const errorFor = (s: AuthScheme) => (scheme === undefined || scheme === s || !served(scheme) ? error : undefined)
  const parts: string[] = []
  if (context.bearer) parts.push(challenge('Bearer', quotedRealm, errorFor('Bearer'), undefined, context.resourceMetadata))
  if (context.dpopAlgs !== undefined) parts.push(challenge('DPoP', quotedRealm, errorFor('DPoP'), context.dpopAlgs, context.resourceMetadata))
  return parts.join(', ')
}
