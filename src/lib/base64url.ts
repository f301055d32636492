/**
 * @module
 * Strict base64url (RFC 7515 §2, RFC 4648 §5): no padding, no `+` or `/`, no whitespace,
 * and canonical trailing bits, so every token has exactly one encoding.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const DECODE = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i

/**
 * Decodes strict base64url, or returns `undefined` when the input is not canonical
 * base64url (wrong alphabet, impossible length, non-zero trailing bits).
 */
export function decodeBase64url(input: string): Uint8Array | undefined {
  const len = input.length
  const rem = len & 3
  if (rem === 1) return undefined
  const out = new Uint8Array((len * 3) >> 2)
  let o = 0
  let i = 0
  const full = len - rem
  for (; i < full; i += 4) {
    const a = sextet(input, i)
    const b = sextet(input, i + 1)
    const c = sextet(input, i + 2)
    const d = sextet(input, i + 3)
    if ((a | b | c | d) < 0) return undefined
    const n = (a << 18) | (b << 12) | (c << 6) | d
    out[o++] = n >> 16
    out[o++] = (n >> 8) & 0xff
    out[o++] = n & 0xff
  }
  if (rem === 2) {
    const a = sextet(input, i)
    const b = sextet(input, i + 1)
    // 12 bits carry one byte: the low 4 bits must be zero to be canonical.
    if ((a | b) < 0 || (b & 0x0f) !== 0) return undefined
    out[o++] = (a << 2) | (b >> 4)
  } else if (rem === 3) {
    const a = sextet(input, i)
    const b = sextet(input, i + 1)
    const c = sextet(input, i + 2)
    // 18 bits carry two bytes: the low 2 bits must be zero to be canonical.
    if ((a | b | c) < 0 || (c & 0x03) !== 0) return undefined
    const n = (a << 12) | (b << 6) | c
    out[o++] = n >> 10
    out[o++] = (n >> 2) & 0xff
  }
  return out
}

const BASE64URL = /^[A-Za-z0-9_-]*$/

/** True when the last character carries no stray bits (one encoding per byte string). */
function canonicalTail(input: string): boolean {
  const rem = input.length & 3
  if (rem === 0) return true
  if (rem === 1) return false
  const last = sextet(input, input.length - 1)
  return last >= 0 && (last & (rem === 2 ? 0x0f : 0x03)) === 0
}

/** True when `input` is strict base64url (what `decodeBase64url` accepts), without decoding it. */
export function isBase64url(input: string): boolean {
  return canonicalTail(input) && BASE64URL.test(input)
}

/**
 * Decodes strict base64url into a binary string (one character per byte, U+0000–U+00FF),
 * or returns `undefined` when the input is not canonical base64url. Built on `atob`, which
 * every runtime has and which is several times faster than a JavaScript loop plus a
 * typed-array allocation; the checks around it make it as strict as `decodeBase64url`.
 */
export function decodeBase64urlBinary(input: string): string | undefined {
  // atob also takes "+", "/", "=" and whitespace: the first two are ruled out here, and
  // padding or whitespace would make the output shorter than the length implies.
  if (!canonicalTail(input) || input.indexOf('+') !== -1 || input.indexOf('/') !== -1) return undefined
  let binary: string
  try {
    binary = atob(input.replaceAll('-', '+').replaceAll('_', '/'))
  } catch {
    return undefined
  }
  return binary.length === (input.length * 3) >> 2 ? binary : undefined
}

function sextet(s: string, i: number): number {
  const code = s.charCodeAt(i)
  return code < 128 ? DECODE[code]! : -1
}

/** Encodes bytes as base64url without padding. */
export function encodeBase64url(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8)
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!
    if (i + 1 < bytes.length) out += ALPHABET[(n >> 6) & 63]!
  }
  return out
}
