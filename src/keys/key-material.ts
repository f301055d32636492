/**
 * @module
 * Telling a shared secret from key material of another kind. A public key given as an HMAC
 * secret lets anyone who holds that public key mint accepted HS256 tokens (the
 * CVE-2022-23541 / CVE-2016-10555 class), so every place a secret enters (the verifier, the
 * issuer, the CLI, the test kit) refuses PEM blocks, certificates, JWKs, JWK Sets, DER keys
 * (raw or base64), OpenSSH public keys and key objects. Runs once, at construction.
 */
import { ConfigError } from '../errors/config-error.js'
import { describe, v } from '../lib/schema.js'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** PEM labels (RFC 7468) and what they hold. */
const PEM_KINDS: Readonly<Record<string, string>> = {
  'PUBLIC KEY': 'a PEM public key (SPKI)',
  'RSA PUBLIC KEY': 'a PEM RSA public key (PKCS#1)',
  CERTIFICATE: 'a PEM X.509 certificate',
  'PRIVATE KEY': 'a PEM private key (PKCS#8)',
  'ENCRYPTED PRIVATE KEY': 'a PEM encrypted private key (PKCS#8)',
  'RSA PRIVATE KEY': 'a PEM RSA private key (PKCS#1)',
  'EC PRIVATE KEY': 'a PEM EC private key (SEC1)',
}

const OPENSSH_PUBLIC_KEY = /^(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp\d+|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) AAAA/
const BASE64_BODY = /^[A-Za-z0-9+/_-]+={0,2}$/
/** The smallest DER key worth recognising: an Ed25519 SPKI is 44 bytes. */
const MIN_DER_BYTES = 40

/** Reads one DER tag-length header at `at`; the end of its contents, or -1 when malformed. */
function derEnd(bytes: Uint8Array, at: number, limit: number): number {
  if (at + 2 > limit) return -1
  let length = bytes[at + 1]!
  let start = at + 2
  if (length & 0x80) {
    const n = length & 0x7f
    if (n === 0 || n > 3 || start + n > limit) return -1
    length = 0
    for (let i = 0; i < n; i++) length = (length << 8) | bytes[start + i]!
    start += n
  }
  const end = start + length
  return end <= limit ? end : -1
}

/**
 * True when `bytes` are exactly one DER SEQUENCE whose contents are at least two well-formed
 * elements starting with a SEQUENCE or an INTEGER: the outer shape shared by SPKI, PKCS#1,
 * PKCS#8, SEC1 and X.509. Random secret bytes of key length match with negligible probability.
 */
export function isDerKey(bytes: Uint8Array): boolean {
  if (bytes.length < MIN_DER_BYTES || bytes[0] !== 0x30) return false
  const outerEnd = derEnd(bytes, 0, bytes.length)
  if (outerEnd !== bytes.length) return false
  let at = bytes[1]! & 0x80 ? 2 + (bytes[1]! & 0x7f) : 2
  const first = bytes[at]
  if (first !== 0x30 && first !== 0x02) return false
  let elements = 0
  while (at < outerEnd) {
    const end = derEnd(bytes, at, outerEnd)
    if (end === -1) return false
    at = end
    elements++
  }
  return elements >= 2
}

function base64Bytes(text: string): Uint8Array | undefined {
  const compact = text.replace(/\\n|\s/g, '')
  if (compact.length < 56 || !BASE64_BODY.test(compact)) return undefined
  try {
    const binary = atob(compact.replace(/-/g, '+').replace(/_/g, '/'))
    return Uint8Array.from(binary, (c) => c.charCodeAt(0))
  } catch {
    return undefined
  }
}

function hexBytes(text: string): Uint8Array | undefined {
  if (text.length < 2 * MIN_DER_BYTES || text.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(text)) return undefined
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16)
  return out
}

function jsonKind(value: unknown): string | undefined {
  // One level only: a list of JWKs. (No recursion: a deeply nested array must not exhaust the stack.)
  if (Array.isArray(value)) return value.some((v) => typeof v === 'object' && v !== null && !Array.isArray(v) && jsonKind(v) !== undefined) ? 'a list of JWKs' : undefined
  if (typeof value !== 'object' || value === null) return undefined
  const o = value as Record<string, unknown>
  if (Array.isArray(o.keys)) return 'a JWK Set'
  if (typeof o.kty === 'string') return o.kty === 'oct' ? 'an "oct" JWK' : `a JWK (kty "${o.kty.length <= 8 ? o.kty : '…'}")`
  return undefined
}

function textKind(text: string): string | undefined {
  const pem = /-----BEGIN ([A-Z0-9 ]{1,40})-----/.exec(text)
  if (pem) return PEM_KINDS[pem[1]!] ?? 'a PEM block'
  if (text.includes('-----BEGIN')) return 'a PEM block'
  const trimmed = text.trim()
  if (OPENSSH_PUBLIC_KEY.test(trimmed)) return 'an OpenSSH public key'
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const kind = jsonKind(JSON.parse(trimmed))
      if (kind) return kind
    } catch {
      // not JSON: fall through to the looser test below
    }
  }
  if (/"(?:kty|keys)"\s*:/.test(trimmed)) return 'JWK JSON'
  const der = base64Bytes(trimmed)
  if (der && isDerKey(der)) return 'a base64 DER key or certificate (a PEM body without its BEGIN/END lines)'
  const hex = hexBytes(trimmed)
  if (hex && isDerKey(hex)) return 'a hex DER key or certificate'
  return undefined
}

/**
 * What `value` is when it is key material other than a shared secret (a PEM, a certificate,
 * a JWK or JWK Set, a DER key, a key object), or `undefined` for plausible secret bytes.
 * Never quotes the value.
 */
export function nonSecretKind(value: unknown): string | undefined {
  if (typeof value === 'string') return textKind(value)
  if (value instanceof Uint8Array) {
    if (isDerKey(value)) return 'a DER key or certificate'
    let text: string
    try {
      text = utf8.decode(value)
    } catch {
      return undefined
    }
    const kind = textKind(text)
    return kind && `UTF-8 bytes of ${kind}`
  }
  if (typeof value === 'object' && value !== null) {
    const kind = jsonKind(value)
    if (kind) return kind
    const o = value as Record<string, unknown>
    if (o.type === 'public' || o.type === 'private' || o.type === 'secret') return `a ${o.type} key object (KeyObject or CryptoKey)`
  }
  return undefined
}

/** Where a refused secret should go instead, by what it turned out to be. */
function instead(kind: string, component: string): string {
  if (kind.includes('"oct" JWK')) return 'give the secret itself (the bytes of its "k", base64url-decoded), not the JWK'
  if (kind.includes('secret key object')) return 'give its raw bytes (key.export() or crypto.subtle.exportKey("raw", key))'
  if (component === 'issuer') return 'to sign with a key pair, give the private key in `keys` and publish jwks(); `secret` takes only random bytes shared with the verifiers'
  if (component === 'cli') return 'verify with --jwks <file> (or --jwks-uri <url>) for public keys'
  return 'give a public key as `publicKey`, a key set as `jwks` (or `jwksUri`); `secret` takes only random bytes shared with the issuer'
}

/** The message of a refused secret: what it is, why it is dangerous, what to write instead. */
export function nonSecretMessage(kind: string, component: string): string {
  return `${kind} is not a shared secret: as an HMAC key it lets anyone who has it sign tokens that are accepted; ${instead(kind, component)}`
}

/**
 * Throws a `ConfigError` when `value` is key material other than a shared secret.
 *
 * @example
 * assertSharedSecret('verifier', 'secret', process.env.JWT_SECRET)
 */
export function assertSharedSecret(component: string, option: string, value: unknown): void {
  const kind = nonSecretKind(value)
  if (kind !== undefined) throw new ConfigError(component, option, nonSecretMessage(kind, component))
}

/** The wrong-type message of a secret option, naming what was given when it is key material. */
function wrongType(value: unknown, component: string): string {
  const kind = nonSecretKind(value)
  return kind ? nonSecretMessage(kind, component) : `expected the shared secret as a string or a Uint8Array, got ${describe(value)}`
}

/**
 * The option schema of a shared secret: a non-empty string (UTF-8) or `Uint8Array` that is
 * not key material of another kind. `component` picks the advice in the message.
 */
export const sharedSecretSchema = (component: string) =>
  v.pipe(
    v.custom<string | Uint8Array>((x) => typeof x === 'string' || x instanceof Uint8Array, (issue) => wrongType(issue.input, component)),
    v.check((x) => x.length > 0, 'an empty secret verifies nothing'),
    v.check((x) => nonSecretKind(x) === undefined, (issue) => nonSecretMessage(nonSecretKind(issue.input) ?? 'this value', component)),
  )
