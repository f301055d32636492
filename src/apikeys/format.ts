/**
 * @module
 * The API key format (docs/apikeys.md), after GitHub's tokens: a prefix that says whose key it
 * is, then 40 base62 characters — a 12-character id, a 22-character secret (≥ 128 random bits)
 * and a 6-character CRC32 checksum:
 *
 *     acme_0fTq3XbLm9Kp7Rr2hYcE1sVnW8dZaJ4uGt3RQeLA
 *     └┬─┘ └────┬─────┘└──────────┬─────────┘└──┬─┘
 *   prefix     id (public)     secret (131 bits)  CRC32
 *
 * Base62 keeps the key one "word" (a double-click selects it, no URL or shell escaping); the
 * prefix and the fixed length let secret scanners find leaked keys with one regular expression,
 * and the checksum lets them (and this module) tell a real key from a random match or a typo
 * without any lookup. The checksum is not a secret and proves nothing: the secret does.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const BASE62_BODY = /^[0-9A-Za-z]+$/

export const ID_LENGTH = 12
/** 22 base62 characters: log2(62^22) ≈ 131 bits. */
export const SECRET_LENGTH = 22
export const CHECKSUM_LENGTH = 6
export const BODY_LENGTH = ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH

/** A prefix: lower-case letters and digits, `_`-separated words, starting with a letter; 2 to 32 characters. */
export const PREFIX_PATTERN = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/

/**
 * `length` base62 characters from the CSPRNG, without modulo bias: bytes ≥ 248 (= 4 × 62)
 * are drawn again.
 */
export function randomBase62(length: number): string {
  let out = ''
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2))
    for (let i = 0; i < bytes.length && out.length < length; i++) if (bytes[i]! < 248) out += BASE62[bytes[i]! % 62]
  }
  return out
}

let table: Uint32Array | undefined

/** CRC-32 (IEEE 802.3, the zlib and GitHub one): a checksum against typos, not a MAC. */
export function crc32(text: string): number {
  if (!table) {
    table = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      table[n] = c >>> 0
    }
  }
  let crc = 0xffffffff
  // Keys are ASCII (checked before), so char codes are the bytes.
  for (let i = 0; i < text.length; i++) crc = table[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/** `value` (a 32-bit unsigned integer) in base62, left-padded with `0` to 6 characters. */
export function base62Checksum(value: number): string {
  let out = ''
  for (let v = value; v > 0; v = Math.floor(v / 62)) out = BASE62[v % 62] + out
  return out.padStart(CHECKSUM_LENGTH, '0')
}

/** The checksum of everything before it: `prefix_`, the id and the secret. */
export const checksumOf = (head: string): string => base62Checksum(crc32(head))

/** A new key: its id (public) and the whole key (shown once). */
export function newApiKey(prefix: string): { readonly id: string; readonly key: string } {
  const id = randomBase62(ID_LENGTH)
  const head = `${prefix}_${id}${randomBase62(SECRET_LENGTH)}`
  return { id, key: `${head}${checksumOf(head)}` }
}

/**
 * The id of a well-formed key of this prefix, or `undefined` for anything else: another
 * prefix, a wrong length or alphabet, a checksum that does not match (a typo, a truncated
 * copy). Nothing is looked up.
 */
export function parseApiKey(prefix: string, key: string): string | undefined {
  const start = prefix.length + 1
  if (key.length !== start + BODY_LENGTH || !key.startsWith(prefix) || key.charCodeAt(prefix.length) !== 95 /* _ */) return undefined
  const body = key.slice(start)
  if (!BASE62_BODY.test(body)) return undefined
  const head = key.slice(0, key.length - CHECKSUM_LENGTH)
  if (checksumOf(head) !== key.slice(key.length - CHECKSUM_LENGTH)) return undefined
  return body.slice(0, ID_LENGTH)
}

/** True for a syntactically valid key id (12 base62 characters). */
export const isApiKeyId = (id: unknown): id is string => typeof id === 'string' && id.length === ID_LENGTH && BASE62_BODY.test(id)
