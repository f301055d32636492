/**
 * Property-based attacks on the whole pipeline, shared by the fixed-seed sample in
 * `npm test` (pipeline.test.ts) and the long run in `npm run fuzz` (scripts/fuzz.ts).
 *
 * The one property: a mutated token is accepted only if it is byte-for-byte the original
 * (strict base64url gives every token one encoding), and a rejection is always a
 * `BearerError` with a known reason — never another exception, never a hang.
 */
import fc from 'fast-check'
import { encodeBase64url } from '../../src/lib/base64url.js'
import { BearerError, createVerifier, REASONS, type Algorithm, type Verifier } from '../../src/index.js'
import { generateSigningKey, type TestSigningKey } from '../../src/testing/keys.js'
import { encodeSegment, signToken } from '../../src/testing/tokens.js'

const ISSUER = 'https://idp.example.com/'
const AUDIENCE = 'https://api.example.com'
const NOW_S = 1_767_225_600

export interface Target {
  readonly alg: Algorithm
  readonly key: TestSigningKey
  readonly attacker: TestSigningKey
  readonly verify: Verifier
  readonly token: string
  readonly claims: Record<string, unknown>
}

export async function makeTargets(algs: readonly Algorithm[] = ['ES256', 'HS256', 'EdDSA']): Promise<Target[]> {
  return Promise.all(
    algs.map(async (alg) => {
      const key = await generateSigningKey(alg, { kid: 'k1' })
      const attacker = await generateSigningKey(alg, { kid: 'k1' })
      const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: NOW_S - 10, exp: NOW_S + 600, scope: 'read write' }
      const verify = createVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        now: () => NOW_S * 1000,
        ...(key.secret ? { secret: key.secret } : { jwks: { keys: [key.publicJwk!] } }),
      })
      return { alg, key, attacker, verify, token: await signToken(key, claims), claims }
    }),
  )
}

/** What happened to one mutated token. */
export type Outcome = { readonly accepted: true; readonly token: string } | { readonly accepted: false; readonly reason: string }

/** Runs one token through the verifier; throws (failing the property) on anything but a BearerError. */
export async function run(target: Target, token: string, scopes?: string[]): Promise<Outcome> {
  try {
    const auth = await target.verify(`Bearer ${token}`, scopes ? { scopes } : undefined)
    return { accepted: true, token: auth.token }
  } catch (err) {
    if (!BearerError.is(err)) throw new Error(`non-BearerError thrown: ${String(err)}`, { cause: err })
    if (!(err.reason in REASONS)) throw new Error(`unknown reason ${err.reason}`)
    return { accepted: false, reason: err.reason }
  }
}

/**
 * The property: only the original bytes may pass. (Whitespace around the header value is
 * trimmed as HTTP field values are, RFC 9110 §5.5, so compare the token that was accepted.)
 */
export async function assertOnlyOriginalPasses(target: Target, mutated: string): Promise<void> {
  const outcome = await run(target, mutated)
  if (outcome.accepted && outcome.token !== target.token) {
    throw new Error(`accepted a token that is not the original: ${mutated}`)
  }
}

const segs = (t: string) => t.split('.') as [string, string, string]
const utf8 = new TextEncoder()

const ODD_CHARS = ['A', 'a', '0', '-', '_', '.', '=', '+', '/', '~', ' ', '\t', '%', ',', '"', 'é', '\u0000', '\u202e', '😀']

const ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_']

/** Single-character edits anywhere in the token. */
export const charEdit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'insert', 'delete'),
  ch: fc.oneof(fc.constantFrom(...ODD_CHARS), fc.constantFrom(...ALPHABET)),
})

/**
 * The last character of a segment replaced by any alphabet character: where it only changes
 * the unused trailing bits, the bytes are the same but the encoding is not canonical.
 */
export const tailEdit = fc.record({ segment: fc.integer({ min: 0, max: 2 }), ch: fc.constantFrom(...ALPHABET) })
export function applyTailEdit(token: string, e: { segment: number; ch: string }): string {
  const parts = segs(token)
  parts[e.segment] = parts[e.segment]!.slice(0, -1) + e.ch
  return parts.join('.')
}
export function applyCharEdit(token: string, e: { at: number; kind: string; ch: string }): string {
  const i = e.at % (token.length + 1)
  if (e.kind === 'insert') return token.slice(0, i) + e.ch + token.slice(i)
  if (e.kind === 'delete') return token.slice(0, i) + token.slice(i + 1)
  return token.slice(0, i) + e.ch + token.slice(i + 1)
}

/** Bit flips in the decoded bytes of one segment, re-encoded canonically. */
export const bitFlip = fc.record({ segment: fc.integer({ min: 0, max: 2 }), bit: fc.nat() })
export function applyBitFlip(token: string, f: { segment: number; bit: number }): string {
  const parts = segs(token)
  const bytes = Uint8Array.from(atob(parts[f.segment]!.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
  if (bytes.length === 0) return token
  const bit = f.bit % (bytes.length * 8)
  bytes[bit >> 3]! ^= 1 << (bit & 7)
  parts[f.segment] = encodeBase64url(bytes)
  return parts.join('.')
}

/** Whole-segment rearrangements. */
export const segmentOp = fc.constantFrom('swap01', 'swap12', 'swap02', 'dup', 'drop', 'empty1', 'empty2', 'five', 'pad', 'std')
export function applySegmentOp(token: string, op: string): string {
  const [h, p, s] = segs(token)
  switch (op) {
    case 'swap01': return `${p}.${h}.${s}`
    case 'swap12': return `${h}.${s}.${p}`
    case 'swap02': return `${s}.${p}.${h}`
    case 'dup': return `${h}.${p}.${p}.${s}`
    case 'drop': return `${h}.${p}`
    case 'empty1': return `${h}..${s}`
    case 'empty2': return `${h}.${p}.`
    case 'five': return `${h}.${p}.${s}.${s}.${s}`
    case 'pad': return `${h}=.${p}.${s}`
    default: return `${h.replace(/-/g, '+').replace(/_/g, '/')}.${p}.${s}` // standard alphabet
  }
}

const hostileKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'exp', 'nbf', 'iat', 'iss', 'aud', 'sub', 'scope', 'scp', 'permissions', 'jti', '', '\u0000', 'é')
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, -1, 0, 1e308, -1e308, 1.5, 'x'.repeat(2000), [], {}),
  fc.integer({ min: 1, max: 2500 }).map((d) => '['.repeat(d) + ']'.repeat(d)), // deep nesting, as raw JSON text
)

/** Rewrites the header as JSON with hostile members; keeps the original payload and signature. */
export const headerRewrite = fc.record({
  alg: fc.constantFrom('none', 'None', 'NONE', 'HS256', 'HS512', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA', 'Ed25519', '', 'hs256', 'ES256 '),
  extra: fc.dictionary(fc.oneof(hostileKeys, fc.constantFrom('kid', 'typ', 'crit', 'jwk', 'jku', 'x5u', 'x5c', 'b64', 'zip', 'cty')), hostileValue, { maxKeys: 4 }),
})
/** Rewrites the payload: set hostile members over the real claims; keeps header and signature. */
export const payloadRewrite = fc.dictionary(hostileKeys, hostileValue, { minKeys: 1, maxKeys: 4 })

/** Builds JSON text where values that are raw JSON (deep nesting) are inlined, with duplicate keys allowed. */
export function jsonText(base: Record<string, unknown>, extra: Record<string, unknown>, duplicate = false): string {
  const members = Object.entries(base).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
  for (const [k, v] of Object.entries(extra)) {
    const value = typeof v === 'string' && v.startsWith('[[') ? v : JSON.stringify(v)
    members.push(`${JSON.stringify(k)}:${value}`)
    if (duplicate) members.unshift(`${JSON.stringify(k)}:${value}`)
  }
  return `{${members.join(',')}}`
}

export function applyHeaderRewrite(target: Target, token: string, r: { alg: string; extra: Record<string, unknown> }, duplicate: boolean): string {
  const [, p, s] = segs(token)
  return `${encodeBase64url(utf8.encode(jsonText({ alg: r.alg, kid: 'k1' }, r.extra, duplicate)))}.${p}.${s}`
}

export function applyPayloadRewrite(target: Target, token: string, extra: Record<string, unknown>, duplicate: boolean): string {
  const [h, , s] = segs(token)
  return `${h}.${encodeBase64url(utf8.encode(jsonText(target.claims, extra, duplicate)))}.${s}`
}

/** Arbitrary bytes in place of one segment. */
export const rawSegment = fc.record({ segment: fc.integer({ min: 0, max: 2 }), bytes: fc.uint8Array({ maxLength: 512 }) })
export function applyRawSegment(token: string, r: { segment: number; bytes: Uint8Array }): string {
  const parts = segs(token)
  parts[r.segment] = encodeBase64url(r.bytes)
  return parts.join('.')
}

/** Arbitrary claims, validly signed by an attacker's key with the trusted kid. */
export const forgedClaims = payloadRewrite
export async function forge(target: Target, extra: Record<string, unknown>): Promise<string> {
  const claims: Record<string, unknown> = { ...target.claims }
  for (const [k, v] of Object.entries(extra)) if (!(typeof v === 'string' && v.startsWith('[['))) claims[k] = v
  return signToken(target.attacker, claims)
}

export { encodeSegment }
