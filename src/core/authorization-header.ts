/**
 * @module
 * Step 1a: read the `Authorization` header (RFC 6750 §2.1) and return the token.
 */
import { BearerError } from '../errors/bearer-error.js'
import type { AuthScheme } from '../errors/www-authenticate.js'

/** What an adapter may hand over: Node gives a string, a few stacks give an array. */
export type AuthorizationInput = string | readonly string[] | null | undefined

/** Default cap on the `Authorization` header, checked before any decoding. */
export const DEFAULT_MAX_TOKEN_SIZE = 8192

/**
 * The largest `maxTokenSize` allowed: 64 KiB, four times what Node accepts for all request
 * headers together by default (16 KiB). Every bound on parsing time holds up to it.
 */
export const MAX_MAX_TOKEN_SIZE = 65_536

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/

const isSpace = (code: number): boolean => code === 32 || code === 9

// A compact JWS/JWE with no scheme before it: base64url of '{"' starts every JOSE header.
const BARE_JWT = /^eyJ[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*){2,4}$/

/**
 * The message of `token_missing` when the value is a token without its scheme
 * (`Authorization: eyJ…`, or `verify(token)` where `verify(req.headers.authorization)` was
 * meant). RFC 6750 §3.1: a request without bearer credentials gets no `error=` in the
 * challenge, so the reason stays `token_missing`; the message (the problem body's `detail`)
 * and the operator hint say what to send instead.
 */
export const BARE_TOKEN_MESSAGE = 'The Authorization header holds a token without the "Bearer " scheme: send the whole value, "Bearer <token>"'

/** Throws `header_malformed` unless `token` is one RFC 6750 §2.1 b64token (RFC 9449 §7.1 for DPoP). */
export function assertToken68(token: string, scheme: AuthScheme = 'Bearer'): void {
  if (!TOKEN68.test(token)) {
    throw new BearerError('header_malformed', {
      message: `The Authorization header must hold exactly one token after "${scheme}"`,
      scheme,
    })
  }
}

/** Credentials as read from the header: the scheme they came under and the token68. */
export interface Credentials {
  readonly scheme: AuthScheme
  readonly token: string
}

/** The bearer token of an `Authorization` header value (`readCredentials` without DPoP). */
export function readBearerCredentials(input: AuthorizationInput, maxSize: number): string {
  return readCredentials(input, maxSize, false).token
}

/**
 * The scheme and token68 of an `Authorization` header: `Bearer` (RFC 6750 §2.1), or `DPoP`
 * (RFC 9449 §7.1) when `dpop` is served. Any other scheme is no credentials at all. Throws
 * `token_missing`, `token_too_large` or `header_malformed`. The character check of the
 * credentials (`assertToken68`) is left to the pipeline, which runs it only when the token then
 * fails to parse: a token that parses as a JWS is made of base64url and dots, all token68
 * characters, so the outcome is the same and a valid token is not scanned twice.
 */
export function readCredentials(input: AuthorizationInput, maxSize: number, dpop: boolean): Credentials {
  let value: string | null | undefined
  if (typeof input === 'string' || input == null) value = input
  else if (Array.isArray(input)) {
    if (input.length > 1) throw new BearerError('header_malformed', { message: 'Several Authorization headers were sent' })
    value = input[0]
  } else value = undefined

  if (value == null) throw new BearerError('token_missing')
  if (value.length > maxSize) throw new BearerError('token_too_large')
  // Field values carry no leading or trailing whitespace (RFC 9110 §5.5). Index scans, not a
  // regex: /[ \t]+$/ retries from every space of a long inner run, quadratic in the header size.
  if (isSpace(value.charCodeAt(0)) || isSpace(value.charCodeAt(value.length - 1))) {
    let start = 0
    let end = value.length
    while (start < end && isSpace(value.charCodeAt(start))) start++
    while (end > start && isSpace(value.charCodeAt(end - 1))) end--
    value = value.slice(start, end)
  }
  if (value === '') throw new BearerError('token_missing')

  // The scheme ends at the first whitespace; only SP may separate it from the token68.
  // "Bearer " as most clients send it skips the scan and the case folding.
  const usual = value.charCodeAt(6) === 32 && value.startsWith('Bearer')
  const end = usual ? 6 : value.search(/[ \t]/)
  const name = end === -1 ? value : value.slice(0, end)
  const scheme: AuthScheme | undefined = usual ? 'Bearer' : schemeNamed(name, dpop)
  if (scheme === undefined) {
    // Another scheme: no credentials this verifier understands. A bare JWT is no scheme either, but says why.
    throw new BearerError('token_missing', end === -1 && BARE_JWT.test(value) ? { message: BARE_TOKEN_MESSAGE } : {})
  }
  if (end === -1) throw new BearerError('header_malformed', { message: `No token after ${scheme}`, scheme })
  // RFC 9110 §11.4: one or more SP between scheme and token68.
  let start = end
  while (value.charCodeAt(start) === 32) start++
  return { scheme, token: value.slice(start) }
}

/** RFC 9110 §11.1: scheme names are case-insensitive. */
function schemeNamed(name: string, dpop: boolean): AuthScheme | undefined {
  const lower = name.toLowerCase()
  if (lower === 'bearer') return 'Bearer'
  if (dpop && lower === 'dpop') return 'DPoP'
  return undefined
}

/**
 * The token of a header that carries it bare, without a scheme (`header` option: AWS ALB's
 * `x-amzn-oidc-data`). Absent or empty is `token_missing`; several values `header_malformed`;
 * the size cap applies before anything else is read.
 */
export function readBareToken(input: AuthorizationInput, maxSize: number): string {
  let value: string | null | undefined
  if (typeof input === 'string' || input == null) value = input
  else if (Array.isArray(input)) {
    if (input.length > 1) throw new BearerError('header_malformed', { message: 'The token header was sent several times' })
    value = input[0]
  }
  if (value == null) throw new BearerError('token_missing')
  if (value.length > maxSize) throw new BearerError('token_too_large')
  value = value.trim()
  if (value === '') throw new BearerError('token_missing')
  return value
}
