/**
 * @module
 * Step 1b: split a compact JWS (RFC 7515 §7.1) into a JSON-object header and payload,
 * with strict base64url and UTF-8. Nothing here trusts the token: it only reads it.
 */
import { BearerError } from '../errors/bearer-error.js'
import type { ParsedHeaders } from './parsed-headers.js'
import { decodeBase64urlBinary, isBase64url } from './base64url.js'
import { deepFreeze } from './freeze.js'
import { own } from './own.js'

/** The JOSE header of a token, as sent (unverified until the signature step passes). */
export interface JwsHeader {
  readonly alg: string
  readonly kid?: string
  readonly typ?: string
  readonly crit?: readonly string[]
  readonly [name: string]: unknown
}

/** A compact JWS split into its parts, payload still encoded. */
export interface SplitJws {
  readonly raw: string
  readonly header: JwsHeader
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`: what the signature covers. */
  readonly signingInput: string
  /** The three segments as sent; each is strict base64url (backends decode the signature). */
  readonly protectedB64: string
  readonly payloadB64: string
  readonly signatureB64: string
}

/** A compact JWS whose payload is a JSON object: a JWT. */
export interface ParsedToken extends SplitJws {
  readonly payload: Record<string, unknown>
}

// fatal: invalid UTF-8 is an error, not U+FFFD; ignoreBOM: a BOM stays and then fails JSON.parse.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const NON_ASCII = /[^\x00-\x7f]/

/** A binary string (one char per byte) as UTF-8 text; ASCII, the usual case, is already text. */
function utf8Text(binary: string): string {
  if (!NON_ASCII.test(binary)) return binary
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return utf8.decode(bytes)
}

function malformed(message: string): BearerError {
  return new BearerError('token_malformed', { message })
}

/**
 * Deepest nesting of objects and arrays accepted in a header or payload (the object itself is
 * level 1). Real claims nest 3 or 4 levels (`resource_access.<client>.roles`); anything deeper
 * is refused before it reaches code that walks it recursively (freezing, the claims schema),
 * so no token can exhaust the stack at any `maxTokenSize`.
 */
export const MAX_JSON_DEPTH = 32

/** True when `value` nests deeper than `levels` (recursion bounded by `levels`, never by the input). */
export function nestsDeeperThan(value: object, levels: number): boolean {
  if (levels <= 0) return true
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (typeof item === 'object' && item !== null && nestsDeeperThan(item, levels - 1)) return true
    }
    return false
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key]
    if (typeof item === 'object' && item !== null && nestsDeeperThan(item, levels - 1)) return true
  }
  return false
}

function decodeJsonObject(segment: string, what: string): Record<string, unknown> {
  const binary = decodeBase64urlBinary(segment)
  if (binary === undefined) throw malformed(`The token ${what} is not base64url`)
  let value: unknown
  try {
    value = JSON.parse(utf8Text(binary))
  } catch (cause) {
    throw new BearerError('token_malformed', { message: `The token ${what} is not UTF-8 JSON`, cause })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`The token ${what} is not a JSON object`)
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) throw malformed(`The token ${what} nests deeper than ${MAX_JSON_DEPTH} levels`)
  return value as Record<string, unknown>
}

/** A segment without its `=` padding, or `undefined` when the padding is not what its length needs. */
function unpad(segment: string): string | undefined {
  let end = segment.length
  while (end > 0 && segment.length - end < 2 && segment.charCodeAt(end - 1) === 61) end--
  if (end === segment.length) return segment
  // Padding completes a group of four, exactly (RFC 4648 §3.2).
  return segment.length % 4 === 0 ? segment.slice(0, end) : undefined
}

/**
 * Parses a compact JWS whose payload is a JSON object, or throws `token_malformed` /
 * `token_encrypted`. With `padded`, each segment may end in the `=` padding AWS ALB adds
 * (as much as its length needs, no more); the signature still covers the segments exactly
 * as received (`signingInput`), and `signatureB64` is the signature without its padding.
 */
export function parseToken(raw: string, headers?: ParsedHeaders, padded = false): ParsedToken {
  const d1 = raw.indexOf('.')
  const d2 = d1 === -1 ? -1 : raw.indexOf('.', d1 + 1)
  if (d2 === -1) throw malformed('The token does not have three segments')
  if (raw.indexOf('.', d2 + 1) !== -1) {
    // A compact JWE has five segments (RFC 7516 §7.1).
    if (raw.split('.').length === 5) throw new BearerError('token_encrypted')
    throw malformed('The token does not have three segments')
  }
  const protectedB64 = raw.slice(0, d1)
  const payloadB64 = raw.slice(d1 + 1, d2)
  let signatureB64 = raw.slice(d2 + 1)
  // What is decoded: the segments themselves, or without their padding (ALB).
  let protectedText = protectedB64
  let payloadText = payloadB64
  if (padded) {
    const h = unpad(protectedB64)
    const p = unpad(payloadB64)
    const s = unpad(signatureB64)
    if (h === undefined || p === undefined || s === undefined) throw malformed('The token padding is not base64')
    protectedText = h
    payloadText = p
    signatureB64 = s
  }
  // An empty payload is a JWS but never a JWT (parseToken rejects it); an empty signature is
  // how an unsecured JWS looks (RFC 7515 §A.5), which the header step rejects as alg "none".
  if (protectedB64 === '') throw malformed('The token has an empty header')
  let header = headers?.get(protectedB64)
  if (header === undefined) {
    header = decodeJsonObject(protectedText, 'header')
    if (typeof own(header, 'alg') !== 'string') throw malformed('The token header has no "alg"')
    // Frozen: the parse is shared by every token that carries this header text.
    headers?.set(protectedB64, deepFreeze(header))
  }
  if (!isBase64url(signatureB64)) throw malformed('The token signature is not base64url')
  const signingInput = raw.slice(0, d2)
  const payload = decodeJsonObject(payloadText, 'payload')
  return { raw, header: header as JwsHeader, signingInput, protectedB64, payloadB64, signatureB64, payload }
}
