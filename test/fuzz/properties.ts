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
import { BearerError, ConfigError, createVerifier, REASONS, type Algorithm, type Verifier, type VerifierOptions } from '../../src/index.js'
import { MAX_MAX_TOKEN_SIZE } from '../../src/core/authorization-header.js'
import { MAX_JSON_DEPTH } from '../../src/lib/token.js'
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
  /** The same verifier at the largest allowed maxTokenSize (64 KiB). */
  readonly verifyMax: Verifier
  /** Options of `verify`, to build variants (a clock, a revocation hook, required claims). */
  readonly options: VerifierOptions
  readonly token: string
  readonly claims: Record<string, unknown>
}

export async function makeTargets(algs: readonly Algorithm[] = ['ES256', 'HS256', 'EdDSA']): Promise<Target[]> {
  return Promise.all(
    algs.map(async (alg) => {
      const key = await generateSigningKey(alg, { kid: 'k1' })
      const attacker = await generateSigningKey(alg, { kid: 'k1' })
      const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: NOW_S - 10, exp: NOW_S + 600, scope: 'read write' }
      const options: VerifierOptions = {
        issuer: ISSUER,
        audience: AUDIENCE,
        now: () => NOW_S * 1000,
        ...(key.secret ? { secret: key.secret } : { jwks: { keys: [key.publicJwk!] } }),
      }
      const verify = createVerifier(options)
      const verifyMax = createVerifier({ ...options, maxTokenSize: MAX_MAX_TOKEN_SIZE })
      return { alg, key, attacker, verify, verifyMax, options, token: await signToken(key, claims), claims }
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

// ---- Issue #13: the input shapes of "no forgery by misconfiguration, nothing silently weakened"

/** Runs `authorization` through `verify`; a BearerError outcome, never another exception. */
export async function outcomeOf(verify: Verifier, authorization: string): Promise<Outcome> {
  try {
    const auth = await verify(authorization)
    return { accepted: true, token: auth.token }
  } catch (err) {
    if (!BearerError.is(err)) throw new Error(`non-BearerError thrown: ${String(err)}`, { cause: err })
    return { accepted: false, reason: err.reason }
  }
}

/** Nesting beyond MAX_JSON_DEPTH, up to what fits in the largest allowed header, in either segment. */
export const deepNesting = fc.record({
  where: fc.constantFrom('header', 'payload'),
  open: fc.constantFrom('[', '{"a":', '[{"b":'),
  depth: fc.integer({ min: MAX_JSON_DEPTH + 1, max: 30_000 }),
  signed: fc.boolean(),
})
const CLOSE: Record<string, string> = { '[': ']', '{"a":': '}', '[{"b":': '}]' }

export async function deepNestingToken(target: Target, d: { where: string; open: string; depth: number; signed: boolean }): Promise<string> {
  // Fit the largest allowed header: base64url grows 4/3, plus the other segments.
  const room = Math.floor(((MAX_MAX_TOKEN_SIZE - 1200) * 3) / 4)
  const levels = Math.min(d.depth, Math.floor(room / (d.open.length + CLOSE[d.open]!.length)))
  const value = d.open.repeat(levels) + '0' + CLOSE[d.open]!.repeat(levels)
  const [h, p, s] = segs(target.token)
  if (d.where === 'payload') {
    const json = `{"iss":${JSON.stringify(ISSUER)},"aud":${JSON.stringify(AUDIENCE)},"exp":${NOW_S + 600},"x":${value}}`
    return d.signed ? signToken(target.key, json) : `${h}.${encodeBase64url(utf8.encode(json))}.${s}`
  }
  return `${encodeBase64url(utf8.encode(`{"alg":"${target.alg}","kid":"k1","x":${value}}`))}.${p}.${s}`
}

/** Whitespace runs (spaces, tabs) around and inside the header value, up to 64 KiB in all. */
export const whitespacePadding = fc.record({
  lead: fc.nat({ max: 30_000 }),
  inner: fc.integer({ min: 1, max: 30_000 }),
  trail: fc.nat({ max: 30_000 }),
  unit: fc.constantFrom(' ', '\t', ' \t', '\t '),
  innerSpacesOnly: fc.boolean(),
})

export function paddedHeader(target: Target, w: { lead: number; inner: number; trail: number; unit: string; innerSpacesOnly: boolean }): string {
  const run = (n: number, unit: string) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n)
  const budget = MAX_MAX_TOKEN_SIZE - target.token.length - 6
  const scale = Math.min(1, budget / (w.lead + w.inner + w.trail))
  const [lead, inner, trail] = [w.lead, w.inner, w.trail].map((n) => Math.floor(n * scale)) as [number, number, number]
  return `${run(lead, w.unit)}Bearer${run(Math.max(1, inner), w.innerSpacesOnly ? ' ' : w.unit)}${target.token}${run(trail, w.unit)}`
}

/** Names every JavaScript object inherits, and a few real claim names. */
export const requiredClaim = fc.record({
  name: fc.constantFrom('constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', 'tenant', 'jti', 'sid'),
  present: fc.boolean(),
})

export async function requiredClaimCase(target: Target, r: { name: string; present: boolean }): Promise<void> {
  const base = JSON.stringify(target.claims).slice(0, -1)
  const json = r.present ? `${base},${JSON.stringify(r.name)}:"here"}` : `${base}}`
  const verify = createVerifier({ ...target.options, requiredClaims: [r.name] } as VerifierOptions)
  const outcome = await outcomeOf(verify, `Bearer ${await signToken(target.key, json)}`)
  const expected = r.present ? 'accepted' : 'claim_missing'
  const got = outcome.accepted ? 'accepted' : outcome.reason
  if (got !== expected) throw new Error(`requiredClaims [${r.name}], present: ${r.present}: ${got}, expected ${expected}`)
}

/** Whatever a revocation hook might answer, sync or as a promise. */
export const revocationAnswer = fc.record({ value: fc.oneof(fc.boolean(), fc.anything()), async: fc.boolean() })

export async function revocationCase(target: Target, a: { value: unknown; async: boolean }): Promise<void> {
  const verify = createVerifier({ ...target.options, isRevoked: (() => (a.async ? Promise.resolve(a.value) : a.value)) as never })
  const outcome = await outcomeOf(verify, `Bearer ${target.token}`)
  const got = outcome.accepted ? 'accepted' : outcome.reason
  const expected = a.value === false ? 'accepted' : a.value === true ? 'token_revoked' : 'revocation_unavailable'
  if (got !== expected) throw new Error(`isRevoked answered ${String(a.value)}: ${got}, expected ${expected}`)
}

/** Whatever a clock might return: times around the token's lifetime, and garbage. */
export const clockValue = fc.oneof(
  fc.double({ min: (NOW_S - 100) * 1000, max: (NOW_S + 700) * 1000, noNaN: true }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, Number.MAX_VALUE, -Number.MAX_VALUE),
  fc.anything(),
)

export async function clockCase(target: Target, value: unknown): Promise<void> {
  const verify = createVerifier({ ...target.options, now: () => value as number })
  for (const attempt of ['fresh', 'cached']) {
    const outcome = await outcomeOf(verify, `Bearer ${target.token}`)
    const got = outcome.accepted ? 'accepted' : outcome.reason
    let expected: string
    if (typeof value !== 'number' || !Number.isFinite(value)) expected = 'verifier_misconfigured'
    else {
      const s = value / 1000
      // iat = NOW_S - 10, exp = NOW_S + 600, tolerance 5 s.
      expected = s + 5 < NOW_S - 10 ? 'token_issued_in_future' : s - 5 >= NOW_S + 600 ? 'token_expired' : 'accepted'
    }
    if (got !== expected) throw new Error(`now() = ${String(value)} (${attempt}): ${got}, expected ${expected}`)
  }
}

/** Key material in the wrappings people paste it in, and random secrets in every encoding. */
export const secretInput = fc.oneof(
  fc.record({ kind: fc.constant('material' as const), index: fc.nat(), wrap: fc.constantFrom('as is', 'leading newline', 'padded', 'crlf', 'escaped newlines', 'utf-8 bytes', 'bom') }),
  fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ minLength: 32, maxLength: 96 }), encoding: fc.constantFrom('bytes', 'base64', 'base64url', 'hex', 'latin1') }),
)

export function secretCase(materials: readonly string[], input: { kind: 'material'; index: number; wrap: string } | { kind: 'random'; bytes: Uint8Array; encoding: string }): void {
  let secret: string | Uint8Array
  if (input.kind === 'random') {
    const b = Buffer.from(input.bytes)
    secret = input.encoding === 'bytes' ? new Uint8Array(b) : b.toString(input.encoding as BufferEncoding)
  } else {
    const m = materials[input.index % materials.length]!
    const wrapped: Record<string, string> = { 'as is': m, 'leading newline': `\n${m}`, padded: `  ${m}  \n`, crlf: m.replace(/\n/g, '\r\n'), 'escaped newlines': m.replace(/\n/g, '\\n'), 'utf-8 bytes': m, bom: `\ufeff${m}` }
    secret = input.wrap === 'utf-8 bytes' ? utf8.encode(m) : wrapped[input.wrap]!
  }
  let error: unknown
  try {
    createVerifier({ issuer: ISSUER, audience: AUDIENCE, secret, algorithms: ['HS256'] })
  } catch (err) {
    error = err
  }
  if (input.kind === 'random') {
    // A latin1 string of random bytes may be short in UTF-8 terms only if it is under 32 bytes: never here.
    if (error !== undefined) throw new Error(`a random secret (${input.encoding}) was refused: ${String(error)}`)
  } else if (!ConfigError.is(error) || error.option !== 'secret' || !/is not a shared secret/.test(error.detail)) {
    throw new Error(`key material (${input.wrap}) was not refused as a secret: ${String(error)}`)
  }
}
