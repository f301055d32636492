/**
 * @module
 * Operator hints: a failure that usually means the server is set up wrong (an issuer or
 * audience that does not match what the identity provider issues, a JWKS URL that answers
 * 404, a claims schema that refuses every token, a revocation hook or an `issuers` resolver
 * that throws, a clock that returns nonsense, a token handed over without its `Bearer ` scheme) is told to the operator once — through the
 * verifier's `logger` and an `operator_hint` event — with the cause: expected vs actual, the
 * URL and the HTTP status or network error. The client's answer does not change: it gets only
 * the RFC 6750 challenge and the reason's message.
 *
 * Ordinary client failures (an expired or forged token, a missing scope) are not hints: they
 * are the verifier doing its job, and `onEvent` reports them.
 */
import type { BearerError } from '../errors/bearer-error.js'
import { ClaimMismatchError, quoteClaim } from '../errors/claim-mismatch.js'
import type { BearerErrorReason } from '../errors/reasons.js'
import { FetchFailure, type FetchFailureCode } from '../keys/fetch-json.js'
import { BARE_TOKEN_MESSAGE } from './authorization-header.js'

/**
 * Where operator hints are written: anything with a `warn(message, details)` method (the
 * `console`, or a wrapper around your logger). The message is one self-contained line; the
 * details repeat its parts as data. Neither ever holds a token, a signature or key material.
 */
export interface VerifierLogger {
  /** Writes one operator hint: the message, and its details (never a token or key). */
  warn(message: string, details?: Readonly<Record<string, unknown>>): void
}

/** The verifier's `onEvent` report of an operator hint: the same message and details as the log line. */
export interface OperatorHintEvent {
  readonly type: 'operator_hint'
  readonly reason: BearerErrorReason
  readonly message: string
  readonly details: Readonly<Record<string, unknown>>
}

/** The default logger: one line on `console.warn` (looked up per call, so a replaced console is used). */
export const consoleLogger: VerifierLogger = { warn: (message) => console.warn(message) }

interface Hint {
  /** What makes two failures "the same": a reason, plus the URL for key fetches (bounded by the configuration). */
  readonly key: string
  readonly message: string
  readonly details: Readonly<Record<string, unknown>>
}

export interface Hints {
  /** Called with every failure leaving the verifier; tells the first of each kind. */
  report(err: BearerError): void
  /** Keys were fetched from `uri` again: its next failure is worth telling again. */
  recovered(uri: string): void
}

const OPERATOR_FACING: ReadonlySet<BearerErrorReason> = new Set<BearerErrorReason>([
  'issuer_invalid',
  'audience_invalid',
  'jwks_unavailable',
  'claims_schema_failed',
  'revocation_unavailable',
  'issuer_unavailable',
  'verifier_misconfigured',
  'token_missing',
])

const FETCH_ADVICE: Readonly<Record<FetchFailureCode, string>> = {
  timeout: 'the key server is slow or unreachable; raise jwksCache.timeout if it is just slow',
  network: 'check that the host is reachable from this server (DNS, firewall, TLS)',
  http_status: '',
  too_large: 'raise jwksCache.maxBytes if the key set really is that large',
  not_json: 'the URL does not serve JSON: is it the JWKS URL?',
  not_jwks: 'the URL does not serve a JWK Set ({ "keys": [...] }); a discovery document belongs in `discovery`, not `jwksUri`',
  no_usable_keys: 'every key was refused; the key_skipped events (onEvent) say why',
  discovery_invalid: 'the discovery document names no usable jwks_uri',
  issuer_mismatch: 'the discovery document speaks for another issuer: set `issuer` to exactly the metadata\'s "issuer"',
  introspection_invalid: 'the introspection endpoint does not answer as RFC 7662 says: is it the introspection URL?',
}

function statusAdvice(status: number | undefined): string {
  if (status === undefined) return ''
  if (status === 404 || status === 410) return 'check the URL: jwksUri, or the issuer with discovery'
  if (status >= 300 && status < 400) return 'set the final URL: key fetches do not follow redirects'
  if (status >= 400 && status < 500) return 'the key server refuses the request: check the URL and that it is public'
  return 'the key server is failing; tokengate asks again after the cooldown'
}

function describe(err: BearerError): Hint | undefined {
  const cause = err.cause
  switch (err.reason) {
    case 'issuer_invalid':
    case 'audience_invalid': {
      if (!(cause instanceof ClaimMismatchError)) return undefined
      const option = cause.claim === 'iss' ? '`issuer` (or an `issuers` entry)' : '`audience`'
      return {
        key: err.reason,
        message: `a token was refused (401 ${err.reason}): ${cause.message}. If your identity provider issues it, configure exactly that value: ${option}.`,
        details: { reason: err.reason, claim: cause.claim, expected: cause.expected, actual: quoteClaim(cause.actual), ...(cause.hint ? { hint: cause.hint } : {}) },
      }
    }
    case 'jwks_unavailable': {
      if (!(cause instanceof FetchFailure)) {
        return { key: err.reason, message: `keys unavailable (503 jwks_unavailable): the key source failed: ${errorText(cause)}`, details: { reason: err.reason, error: errorText(cause) } }
      }
      const advice = cause.code === 'http_status' ? statusAdvice(cause.status) : FETCH_ADVICE[cause.code]
      return {
        key: `${err.reason} ${cause.url}`,
        message: `keys unavailable (503 jwks_unavailable): GET ${cause.url}: ${cause.message}${advice ? `; ${advice}` : ''}. Requests are answered 503 until keys can be fetched.`,
        details: { reason: err.reason, url: cause.url, code: cause.code, error: cause.message, ...(cause.status === undefined ? {} : { status: cause.status }) },
      }
    }
    case 'claims_schema_failed': {
      const issues = Array.isArray(cause) ? (cause as readonly { message?: unknown; path?: readonly unknown[] }[]) : undefined
      const listed = issues
        ? issues.slice(0, 3).map((i) => `${issuePath(i.path)}: ${String(i.message).slice(0, 120)}`)
        : [`the schema threw ${errorText(cause)}`]
      return {
        key: err.reason,
        message: `a token was refused (401 claims_schema_failed): the claims schema says ${listed.join('; ')}${issues && issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''}. If every token fails, the schema does not match what your identity provider issues.`,
        details: { reason: err.reason, issues: listed },
      }
    }
    case 'revocation_unavailable':
      return {
        key: err.reason,
        message: `a request was refused (503 revocation_unavailable): the isRevoked hook failed: ${errorText(cause)}. Requests are refused while it fails (fail closed).`,
        details: { reason: err.reason, error: errorText(cause) },
      }
    case 'issuer_unavailable':
      return {
        key: err.reason,
        message: `a request was refused (503 issuer_unavailable): the issuers resolver failed: ${errorText(cause)}. Tokens of an issuer it cannot answer for are refused (fail closed) and it is asked again on the next request.`,
        details: { reason: err.reason, error: errorText(cause) },
      }
    case 'verifier_misconfigured':
      return {
        key: err.reason,
        message: `a request was refused (503 verifier_misconfigured): ${errorText(cause)}. Nothing can be decided until the configuration is fixed.`,
        details: { reason: err.reason, error: errorText(cause) },
      }
    case 'token_missing':
      if (err.message !== BARE_TOKEN_MESSAGE) return undefined
      return {
        key: 'bare_token',
        message:
          'a request was refused (401 token_missing): its Authorization value is a bare token, without the "Bearer " scheme. ' +
          'Pass the whole header value to the verifier (verify(req.headers.authorization)), or `Bearer ${token}`; clients must send "Authorization: Bearer <token>".',
        details: { reason: err.reason, problem: 'bare_token' },
      }
    default:
      return undefined
  }
}

/** An error as one short line: name and message, capped (it may come from user code). */
function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

function issuePath(path: readonly unknown[] | undefined): string {
  if (!path || path.length === 0) return '(claims)'
  return path.map((p) => String(typeof p === 'object' && p !== null && 'key' in p ? (p as { key: unknown }).key : p)).join('.')
}

/**
 * The hints of one verifier: the first failure of each kind is logged and reported as an
 * event; key-fetch failures are told again once keys have been fetched from that URL since.
 */
export function createHints(logger: VerifierLogger | undefined, emit: (event: OperatorHintEvent) => void): Hints {
  const told = new Set<string>()
  return {
    report(err) {
      if (!OPERATOR_FACING.has(err.reason)) return
      const hint = describe(err)
      if (hint === undefined || told.has(hint.key)) return
      told.add(hint.key)
      const message = `tokengate: ${hint.message}`
      emit({ type: 'operator_hint', reason: err.reason, message, details: hint.details })
      try {
        logger?.warn(message, hint.details)
      } catch {
        // A throwing logger must not break verification.
      }
    },
    recovered(uri) {
      if (told.size > 0) told.delete(`jwks_unavailable ${uri}`)
    },
  }
}
