/**
 * @module
 * RFC 9457 problem details for a `BearerError`.
 */
import type { BearerErrorCode, BearerErrorReason } from './reasons.js'

/** The `application/problem+json` body of a failed request. */
export interface ProblemDetails {
  /** `about:blank`: the status says it all; `reason` distinguishes failures (RFC 9457 §4.2.1). */
  readonly type: 'about:blank'
  readonly title: string
  readonly status: number
  readonly detail: string
  /** Stable machine-readable reason (extension member). */
  readonly reason: BearerErrorReason
  /** RFC 6750 error code, when there is one (extension member). */
  readonly error?: BearerErrorCode
  /** The scopes required, for `insufficient_scope` (extension member). */
  readonly scope?: string
  /** RFC 9470: the `acr` values that would pass, for `insufficient_user_authentication` (extension member). */
  readonly acr_values?: string
  /** RFC 9470: the largest authentication age (seconds) that would pass (extension member). */
  readonly max_age?: number
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
}

interface ProblemSource {
  readonly status: number
  readonly message: string
  readonly reason: BearerErrorReason
  readonly code: BearerErrorCode | undefined
  readonly scope: string | undefined
  readonly acrValues?: string | undefined
  readonly maxAge?: number | undefined
}

export function problemDetails(err: ProblemSource): ProblemDetails {
  return {
    type: 'about:blank',
    title: TITLES[err.status] ?? 'Error',
    status: err.status,
    detail: err.message,
    reason: err.reason,
    ...(err.code === undefined ? {} : { error: err.code }),
    ...(err.scope === undefined ? {} : { scope: err.scope }),
    ...(err.acrValues === undefined ? {} : { acr_values: err.acrValues }),
    ...(err.maxAge === undefined ? {} : { max_age: err.maxAge }),
  }
}
