/**
 * @module
 * Turning `verify` flags into `createVerifier` options, and a verification into an outcome:
 * shared by `verify <token>` and `verify --fixtures`.
 */
import { createVerifier } from '../core/create-verifier.js'
import type { VerifierOptions } from '../core/options.js'
import { BearerError } from '../errors/bearer-error.js'
import { ClaimMismatchError } from '../errors/claim-mismatch.js'
import type { Algorithm } from '../keys/algorithms.js'
import { FetchFailure } from '../keys/fetch-json.js'
import { list, str, type ParsedArgs } from './command.js'
import { UsageError } from './exit-codes.js'
import { jsonErrorPosition, parseNow, readFlagFile, type Io } from './io.js'

/** What a verification came to: 200, or the BearerError's status and reason. */
export interface Outcome {
  readonly status: number
  readonly reason: string | null
}

export type VerifyFn = (token: string, scopes: readonly string[]) => Promise<{ outcome: Outcome; detail: Record<string, unknown> }>

/** Key-source flags (`--jwks-uri`, `--jwks`, `--secret-file`), at most one; undefined when none. */
export async function keySourceFromFlags(args: ParsedArgs): Promise<Record<string, unknown> | undefined> {
  const given = ['jwks-uri', 'jwks', 'secret-file'].filter((f) => str(args, f) !== undefined)
  if (given.length > 1) throw new UsageError(`give one key source, not ${given.map((f) => `--${f}`).join(' and ')}`)
  const uri = str(args, 'jwks-uri')
  if (uri !== undefined) return { jwksUri: uri }
  const file = str(args, 'jwks')
  if (file !== undefined) return { jwks: parseJsonFile(await readFlagFile(file, 'jwks'), 'jwks') }
  const secretFile = str(args, 'secret-file')
  // A file written by `echo` ends in a newline that is not part of the secret.
  if (secretFile !== undefined) return { secret: (await readFlagFile(secretFile, 'secret-file')).replace(/\r?\n$/, '') }
  return undefined
}

export function parseJsonFile(text: string, flag: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new UsageError(`--${flag}: not valid JSON${jsonErrorPosition(err)}`)
  }
}

/**
 * Why a verification failed, for the person at the terminal: the `cause` of the `BearerError`
 * (expected vs actual `iss`/`aud`, the key URL and its HTTP status or network error), and
 * whether trying again can help. A 4xx or a wrong document will not go away by retrying.
 */
export interface RejectionCause {
  readonly message: string
  /** `true`: a transient outage (5xx, network, timeout); `false`: fix the configuration first; absent: not an outage. */
  readonly retry?: boolean
  readonly url?: string
  readonly status?: number
  readonly expected?: readonly string[]
  readonly actual?: unknown
}

const FLAG_FOR = { iss: '--issuer', aud: '--audience' } as const

export function rejectionCause(err: BearerError): RejectionCause | undefined {
  const cause = err.cause
  if (cause instanceof ClaimMismatchError) {
    return { message: `${cause.message}; pass ${FLAG_FOR[cause.claim]} with the exact value`, expected: cause.expected, actual: cause.actual }
  }
  if (cause instanceof FetchFailure) {
    const transient = cause.code === 'timeout' || cause.code === 'network' || (cause.code === 'http_status' && (cause.status ?? 0) >= 500)
    const advice = transient ? 'retry later; the token may be fine' : 'not worth retrying: check the URL (--jwks-uri) and what it serves'
    return { message: `GET ${cause.url}: ${cause.message} (${advice})`, retry: transient, url: cause.url, ...(cause.status === undefined ? {} : { status: cause.status }) }
  }
  if (cause instanceof Error) return { message: `${cause.name}: ${cause.message}`.slice(0, 300) }
  return undefined
}

/** Builds the verifier from flags (and defaults from a manifest); a config mistake is a usage error. */
export function buildVerify(options: Record<string, unknown>): VerifyFn {
  let verify: ReturnType<typeof createVerifier>
  try {
    // The CLI prints each rejection's cause itself: no operator hints on stderr besides.
    verify = createVerifier({ ...options, logger: false } as unknown as VerifierOptions)
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^tokengate: invalid verifier option /, 'invalid option: '))
  }
  return async (token, scopes) => {
    try {
      const auth = await verify(`Bearer ${token}`, scopes.length > 0 ? { scopes } : undefined)
      return { outcome: { status: 200, reason: null }, detail: { header: auth.header, claims: auth.claims, scopes: auth.scopes } }
    } catch (err) {
      if (!BearerError.is(err)) throw err
      const cause = rejectionCause(err)
      return {
        outcome: { status: err.status, reason: err.reason },
        detail: { code: err.code ?? null, message: err.message, wwwAuthenticate: err.wwwAuthenticate ?? null, ...(cause ? { cause } : {}) },
      }
    }
  }
}

/** Options every verification shares: clock, tolerance, algorithms, typ, fetch timeout. */
export function commonOptions(args: ParsedArgs, io: Io): Record<string, unknown> {
  const number = (flag: string): number | string | undefined => {
    const v = str(args, flag)
    return v !== undefined && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v
  }
  const algs = list(args, 'alg') as Algorithm[]
  return {
    now: parseNow(str(args, 'now'), io),
    ...(algs.length > 0 ? { algorithms: algs } : {}),
    ...(str(args, 'typ') ? { typ: str(args, 'typ') } : {}),
    ...(number('clock-tolerance') !== undefined ? { clockTolerance: number('clock-tolerance') } : {}),
    jwksCache: { timeout: number('timeout') ?? 5 },
    ...(args.values['accept-bound'] === true ? { acceptBoundAsBearer: true } : {}),
  }
}

/** `--issuer` (repeatable) or `--any-issuer`; the same for audience. Never silently skipped. */
export function claimChecks(args: ParsedArgs, fallback?: { issuer: string; audience: string }): Record<string, unknown> {
  const pick = (name: 'issuer' | 'audience') => {
    const values = list(args, name)
    if (args.values[`any-${name}`] === true) {
      if (values.length > 0) throw new UsageError(`--${name} and --any-${name} cannot be used together`)
      return null
    }
    if (values.length > 0) return values.length === 1 ? values[0] : values
    if (fallback) return fallback[name]
    throw new UsageError(`--${name} is required (or --any-${name} to skip the check, not recommended)`)
  }
  return { issuer: pick('issuer'), audience: pick('audience') }
}
