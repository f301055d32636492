/**
 * @module
 * `auditLog(logger)`: the audit trail. An event listener for a verifier's and an issuer's
 * `onEvent` that writes one structured record per rejection, throttled request and issuer
 * security event, to pino (or any logger with `info`/`warn`/`error(object, message)`) or to a
 * function. Records are built field by field from the events, never by copying them, so no
 * field an event may gain later reaches a log unreviewed. Nothing secret is in any of them.
 */
import type { VerifierEvent } from '../core/options.js'
import { ConfigError } from '../errors/config-error.js'
import type { IssuerEvent } from '../issuer/options.js'

/** The level of an audit record: `error` for theft and store failures, `warn` for denials, `info` for the rest. */
export type AuditLevel = 'info' | 'warn' | 'error'

/** Fields every audit record has. */
interface AuditBase {
  /** What happened, namespaced for log queries: `tokengate.rejected`, `tokengate.refresh_reused`, ... */
  readonly event: string
}

/**
 * One audit record: a flat JSON object (fields that are unknown are left out, never `null`).
 * `iss`, `kid` and `alg` of a rejected token are what the token claims (unverified).
 */
export type AuditRecord = AuditBase &
  (
    | {
        readonly event: 'tokengate.rejected' | 'tokengate.verified'
        /** `rejected` only: the stable reason (`expired`, `signature_invalid`, ...) and the HTTP status. */
        readonly reason?: string
        readonly status?: number
        readonly iss?: string
        readonly kid?: string
        readonly alg?: string
        /** `verified` only: the subject (rejections never name one: the token may be forged). */
        readonly sub?: string
        readonly route?: string
        readonly cached: boolean
        readonly durationMs: number
      }
    | { readonly event: 'tokengate.throttled'; readonly key: string; readonly failures: number; readonly retryAfter: number; readonly route?: string }
    | { readonly event: 'tokengate.refresh_reused'; readonly familyId: string; readonly sub: string }
    | { readonly event: 'tokengate.family_revoked'; readonly familyId: string; readonly sub?: string; readonly cause: 'reuse' | 'revoke' | 'revokeFamily' }
    | { readonly event: 'tokengate.token_revoked'; readonly jti: string; readonly sub?: string }
    | { readonly event: 'tokengate.subject_revoked'; readonly sub: string; readonly before: number }
    | { readonly event: 'tokengate.keys_rotated'; readonly kid: string }
    | { readonly event: 'tokengate.store_error'; readonly operation: string; readonly failOpen: boolean; readonly error: string }
  )

/** A pino-style logger: `logger.warn({ ...fields }, 'message')`. pino, bunyan's and most JSON loggers' shape. */
export interface AuditLogger {
  /** Writes a record at info level (a verification, when `verified` is on). */
  info(record: object, message: string): unknown
  /** Writes a record at warn level (a rejection, a throttled request). */
  warn(record: object, message: string): unknown
  /** Writes a record at error level (refresh-token reuse, a store error). */
  error(record: object, message: string): unknown
}

/** A plain sink: receives each record with its level (add a timestamp yourself if you need one). */
export type AuditSink = (record: AuditRecord, level: AuditLevel, message: string) => unknown

/** Options of `auditLog`. */
export interface AuditLogOptions {
  /** Also record every successful verification (`tokengate.verified`, level `info`, with `sub`). Default `false`. */
  readonly verified?: boolean
}

/** Copies the defined entries only: JSON loggers differ on `undefined`; leaving them out is the same everywhere. */
function compact<T extends object>(fields: T): T {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v
  return out as T
}

/** The record, level and message of an event; `undefined` for events that are not audit material. */
export function auditRecord(event: VerifierEvent | IssuerEvent, options: AuditLogOptions = {}): { record: AuditRecord; level: AuditLevel; message: string } | undefined {
  switch (event.type) {
    case 'rejected':
      return {
        level: 'warn',
        message: `tokengate: bearer token rejected (${event.reason})`,
        record: compact({ event: 'tokengate.rejected', reason: event.reason, status: event.status, iss: event.iss, kid: event.kid, alg: event.alg, route: event.route, cached: event.cached, durationMs: event.durationMs }),
      }
    case 'verified':
      if (options.verified !== true) return undefined
      return {
        level: 'info',
        message: 'tokengate: bearer token verified',
        record: compact({ event: 'tokengate.verified', iss: event.iss, kid: event.kid, alg: event.alg, sub: event.sub, route: event.route, cached: event.cached, durationMs: event.durationMs }),
      }
    case 'throttled':
      return {
        level: 'warn',
        message: `tokengate: request throttled after ${event.failures} failed authentications`,
        record: compact({ event: 'tokengate.throttled', key: event.key, failures: event.failures, retryAfter: event.retryAfter, route: event.route }),
      }
    case 'refresh_reused':
      return {
        level: 'error',
        message: 'tokengate: refresh token reused (likely stolen); its session is revoked',
        record: { event: 'tokengate.refresh_reused', familyId: event.familyId, sub: event.sub },
      }
    case 'family_revoked':
      return {
        level: 'info',
        message: `tokengate: session revoked (${event.cause})`,
        record: compact({ event: 'tokengate.family_revoked', familyId: event.familyId, sub: event.sub, cause: event.cause }),
      }
    case 'token_revoked':
      return { level: 'info', message: 'tokengate: access token revoked', record: compact({ event: 'tokengate.token_revoked', jti: event.jti, sub: event.sub }) }
    case 'subject_revoked':
      return { level: 'info', message: 'tokengate: every token of a subject revoked', record: { event: 'tokengate.subject_revoked', sub: event.sub, before: event.before } }
    case 'keys_rotated':
      return { level: 'info', message: 'tokengate: signing key rotated', record: { event: 'tokengate.keys_rotated', kid: event.kid } }
    case 'store_error':
      return {
        level: 'error',
        message: `tokengate: issuer store failed during ${event.operation}${event.failOpen ? ' (failed open)' : ''}`,
        record: { event: 'tokengate.store_error', operation: event.operation, failOpen: event.failOpen, error: event.error },
      }
    default:
      return undefined
  }
}

/**
 * An `onEvent` listener that writes the audit trail: one structured record for every rejected
 * token (`tokengate.rejected`: reason, status, unverified `iss`/`kid`/`alg`, route, duration),
 * every throttled request (`tokengate.throttled`) and every issuer security event
 * (`tokengate.refresh_reused`, `tokengate.family_revoked`, `tokengate.token_revoked`,
 * `tokengate.subject_revoked`, `tokengate.keys_rotated`, `tokengate.store_error`). Give it a
 * pino logger (or any logger with `info`/`warn`/`error(object, message)`) or a function.
 * Records never carry a token, a signature, a secret or key material; a throwing logger never
 * breaks a verification. Pass the same listener to the verifier and the issuer.
 *
 * Import from `tokengate`.
 *
 * @example
 * import pino from 'pino'
 * const audit = auditLog(pino().child({ component: 'auth' }))
 * const verifier = createVerifier({ issuer, audience, jwksUri, onEvent: audit })
 * const tokens = createIssuer({ issuer, audience, onEvent: audit })
 */
export function auditLog(logger: AuditLogger | AuditSink, options: AuditLogOptions = {}): (event: VerifierEvent | IssuerEvent) => void {
  if (typeof options !== 'object' || options === null) throw new ConfigError('auditLog', 'options', 'expected { verified?: boolean }')
  if (options.verified !== undefined && typeof options.verified !== 'boolean') throw new ConfigError('auditLog', 'verified', 'expected true or false')
  let write: AuditSink
  if (typeof logger === 'function') write = logger
  else if (typeof logger === 'object' && logger !== null && (['info', 'warn', 'error'] as const).every((level) => typeof logger[level] === 'function')) {
    write = (record, level, message) => logger[level](record, message)
  } else throw new ConfigError('auditLog', 'logger', 'expected a pino-style logger (info, warn and error methods) or a function (record, level, message) => void')
  const settings = { verified: options.verified === true }
  return (event) => {
    const entry = auditRecord(event, settings)
    if (entry !== undefined) write(entry.record, entry.level, entry.message)
  }
}
