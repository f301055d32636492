/**
 * @module
 * `tokengate inspect`: decode a token's header and payload, show its times relative to now,
 * warn about what a validator would object to. Never checks — and never claims — validity.
 */
import { decodeBase64url } from '../lib/base64url.js'
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../lib/token.js'
import { DEFAULT_TYPS, normalizeTyp } from '../core/jws-header.js'
import { ALGORITHMS, type Algorithm } from '../keys/algorithms.js'
import { str, type Command } from './command.js'
import { EXIT } from './exit-codes.js'
import { emitJson, parseNow, readToken, type Io } from './io.js'
import { isoDate, relative } from './time.js'

export interface Warning {
  readonly code: string
  readonly message: string
}

type Json = Record<string, unknown>

const NOT_VERIFIED = 'NOT VERIFIED: decoded only; signature, issuer and audience were not checked (use `tokengate verify`).'
const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const
const HEADER_KEYS = ['jku', 'jwk', 'x5u', 'x5c'] as const

function decodeSegment(segment: string, what: string): Json {
  const bytes = decodeBase64url(segment)
  if (!bytes) throw new Error(`the ${what} is not base64url`)
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new Error(`the ${what} is not UTF-8 JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`the ${what} is not a JSON object`)
  // Printing it walks it recursively: a hostile token must not exhaust the stack (verifiers refuse it too).
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) throw new Error(`the ${what} nests deeper than ${MAX_JSON_DEPTH} levels (verifiers answer 401 token_malformed)`)
  return value as Json
}

/** What a validator would object to, from the header and payload alone. */
export function warningsFor(header: Json, payload: Json, nowS: number): Warning[] {
  const w: Warning[] = []
  const add = (code: string, message: string) => w.push({ code, message })
  const alg = header.alg
  if (typeof alg === 'string' && alg.toLowerCase() === 'none') add('alg_none', 'alg "none": the token is unsigned; every correct validator rejects it')
  else if (!ALGORITHMS.includes(alg as Algorithm)) add('alg_unknown', `alg ${JSON.stringify(alg)} is not a JWS algorithm tokengate verifies`)
  const typ = header.typ
  if (typ !== undefined && (typeof typ !== 'string' || !DEFAULT_TYPS.has(normalizeTyp(typ)))) {
    add('typ_unusual', `typ ${JSON.stringify(typ)} does not name an access token (RFC 8725 §3.11); tokengate rejects it unless configured`)
  }
  for (const member of HEADER_KEYS) {
    if (header[member] !== undefined) add('header_key', `header carries "${member}": validators must take keys from their own configuration, never the token`)
  }
  if (header.crit !== undefined) add('crit', `header has "crit" ${JSON.stringify(header.crit)}: validators that do not implement it must reject`)
  if (payload.exp === undefined) add('exp_missing', 'no "exp": the token never expires; tokengate rejects it (claim_missing)')
  for (const claim of TIME_CLAIMS) {
    const value = payload[claim]
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) add(`${claim}_invalid`, `"${claim}" is not a number of seconds`)
  }
  const { exp, nbf, iat } = payload
  if (typeof exp === 'number' && exp <= nowS) add('expired', `expired ${relative(exp, nowS)}`)
  if (typeof nbf === 'number' && nbf > nowS) add('not_yet_valid', `not valid until ${relative(nbf, nowS)}`)
  if (typeof iat === 'number' && iat > nowS) add('iat_future', `issued in the future (${relative(iat, nowS)})`)
  if (payload.iss === undefined) add('iss_missing', 'no "iss": validators that check the issuer reject it')
  if (payload.aud === undefined) add('aud_missing', 'no "aud": validators that check the audience reject it')
  return w
}

async function run(args: Parameters<Command['run']>[0], io: Io) {
  const token = await readToken(args.positionals[0], io)
  const nowS = parseNow(str(args, 'now'), io)() / 1000
  const parts = token.split('.')
  let header: Json | undefined
  let payload: Json
  try {
    if (parts.length === 5) {
      header = decodeSegment(parts[0]!, 'header')
      throw new Error('the token is encrypted (JWE, five segments): its payload cannot be read without the decryption key')
    }
    if (parts.length !== 3) throw new Error(`a JWT has three segments, this has ${parts.length}`)
    header = decodeSegment(parts[0]!, 'header')
    payload = decodeSegment(parts[1]!, 'payload')
  } catch (err) {
    const message = `cannot decode: ${(err as Error).message}`
    if (args.json) emitJson(io, { verified: false, error: { message }, ...(header ? { header } : {}) })
    else io.err(`${message}${header ? `\nheader: ${JSON.stringify(header)}` : ''}`)
    return EXIT.rejected
  }
  const signature = decodeBase64url(parts[2]!)
  const times = Object.fromEntries(
    TIME_CLAIMS.filter((c) => typeof payload[c] === 'number').map((c) => [c, { value: payload[c], iso: isoDate(payload[c]) ?? null, relative: relative(payload[c] as number, nowS) }]),
  )
  const warnings = warningsFor(header, payload, nowS)
  if (args.json) {
    emitJson(io, { verified: false, header, payload, signature: { bytes: signature?.length ?? null }, times, warnings })
    return EXIT.ok
  }
  const lines = [NOT_VERIFIED, '', 'Header', JSON.stringify(header, null, 2), '', 'Payload', JSON.stringify(payload, null, 2), '']
  lines.push(`Signature: ${signature === undefined ? 'not base64url' : signature.length === 0 ? 'none (empty)' : `${signature.length} bytes`}`)
  if (Object.keys(times).length > 0) {
    lines.push('', `Times (now ${new Date(nowS * 1000).toISOString()})`)
    for (const [claim, t] of Object.entries(times)) lines.push(`  ${claim}  ${t.iso ?? String(t.value)}  (${t.relative})`)
  }
  lines.push('', warnings.length === 0 ? 'Warnings: none' : 'Warnings')
  for (const warning of warnings) lines.push(`  ! ${warning.code}: ${warning.message}`)
  io.out(lines.join('\n'))
  return EXIT.ok
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'decode a token and warn about it, without verifying anything',
  usage: 'tokengate inspect [token | -] [options]',
  details:
    'Reads the token from the argument, or stdin when it is "-" or absent ("Bearer " is stripped).\n' +
    'Shows header, payload and times relative to now, and warns on alg "none", odd typ, missing exp,\n' +
    'header-supplied keys and more. It never checks the signature: its output is not a verdict.',
  options: {
    now: { type: 'string', value: '<time>', description: 'judge times against this instant: Unix seconds or ISO 8601 (default: now)' },
  },
  maxPositionals: 1,
  examples: ['tokengate inspect eyJhbGciOi...', 'pbpaste | tokengate inspect', 'tokengate inspect "$TOKEN" --json | jq .warnings'],
  run,
}
