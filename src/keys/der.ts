/**
 * @module
 * A small, strict DER reader (ITU-T X.690) for public keys: just enough to take a
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), a PKCS#1 RSAPublicKey (RFC 8017 §A.1.1) or the key
 * of an X.509 certificate apart into a JWK, synchronously and on every runtime (no `node:`,
 * no WebCrypto import). It only reads structure; no cryptographic math happens here, and the
 * resulting JWK goes through the same key checks as any JWK (`loadJwk`).
 *
 * Strict on purpose: definite lengths in their shortest form, no trailing bytes, every read
 * bounded by its parent, so a hostile document fails with a message instead of misparsing.
 */
import { encodeBase64url } from '../lib/base64url.js'

/** A DER structure that is not what a public key should be; the message never quotes key material. */
export class DerError extends Error {
  override readonly name = 'DerError' as const
}

/** One TLV: its tag and where its contents lie in the buffer. */
interface Tlv {
  readonly tag: number
  readonly start: number
  readonly end: number
}

const SEQUENCE = 0x30
const INTEGER = 0x02
const BIT_STRING = 0x03
const NULL = 0x05
const OID = 0x06
const VERSION = 0xa0 // [0] EXPLICIT, the certificate version

/** Reads one TLV at `offset`, inside `[offset, limit)`. */
function readTlv(bytes: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated DER')
  const tag = bytes[offset]!
  // Only single-byte tags (numbers below 31) occur in these structures.
  if ((tag & 0x1f) === 0x1f) throw new DerError('unexpected multi-byte DER tag')
  let length = bytes[offset + 1]!
  let start = offset + 2
  if (length & 0x80) {
    const count = length & 0x7f
    // 0x80 is the indefinite length (BER, not DER); more than 4 bytes is beyond any key.
    if (count === 0 || count > 4) throw new DerError('unsupported DER length')
    if (start + count > limit) throw new DerError('truncated DER')
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!
    // DER: the shortest form, so no leading zero byte and no long form below 128.
    if (bytes[start] === 0 || length < 128) throw new DerError('non-minimal DER length')
    start += count
  }
  const end = start + length
  if (end > limit) throw new DerError('truncated DER')
  return { tag, start, end }
}

function expect(bytes: Uint8Array, offset: number, limit: number, tag: number, what: string): Tlv {
  const tlv = readTlv(bytes, offset, limit)
  if (tlv.tag !== tag) throw new DerError(`expected ${what}`)
  return tlv
}

/** The children of a constructed TLV, which must fill it exactly. */
function children(bytes: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = []
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readTlv(bytes, offset, parent.end)
    out.push(child)
    offset = child.end
  }
  return out
}

/** A positive INTEGER's magnitude, without the sign byte DER adds when the top bit is set. */
function unsignedInteger(bytes: Uint8Array, tlv: Tlv, what: string): Uint8Array {
  if (tlv.tag !== INTEGER || tlv.end === tlv.start) throw new DerError(`expected ${what} as an INTEGER`)
  let start = tlv.start
  if (bytes[start]! & 0x80) throw new DerError(`${what} is negative`)
  if (bytes[start] === 0 && tlv.end - start > 1) {
    // DER: one leading zero only, and only before a byte with its top bit set.
    if (!(bytes[start + 1]! & 0x80)) throw new DerError(`non-minimal INTEGER for ${what}`)
    start++
  }
  return bytes.subarray(start, tlv.end)
}

const hex = (bytes: Uint8Array, tlv: Tlv): string => {
  let out = ''
  for (let i = tlv.start; i < tlv.end; i++) out += bytes[i]!.toString(16).padStart(2, '0')
  return out
}

// Object identifiers, as the hex of their DER contents.
const RSA_ENCRYPTION = '2a864886f70d010101' // 1.2.840.113549.1.1.1
const RSASSA_PSS = '2a864886f70d01010a' // 1.2.840.113549.1.1.10
const EC_PUBLIC_KEY = '2a8648ce3d0201' // 1.2.840.10045.2.1
const ED25519 = '2b6570' // 1.3.101.112
const CURVES: Readonly<Record<string, { readonly crv: string; readonly size: number }>> = {
  '2a8648ce3d030107': { crv: 'P-256', size: 32 }, // 1.2.840.10045.3.1.7 prime256v1
  '2b81040022': { crv: 'P-384', size: 48 }, // 1.3.132.0.34 secp384r1
  '2b81040023': { crv: 'P-521', size: 66 }, // 1.3.132.0.35 secp521r1
}

/** A public JWK as the DER described it (checked further by `loadJwk`). */
export type DerPublicJwk =
  | { readonly kty: 'RSA'; readonly n: string; readonly e: string }
  | { readonly kty: 'EC'; readonly crv: string; readonly x: string; readonly y: string }
  | { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string }

/** RFC 8017 §A.1.1: RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }. */
function rsaPublicKey(bytes: Uint8Array, offset: number, limit: number): DerPublicJwk {
  const seq = expect(bytes, offset, limit, SEQUENCE, 'an RSAPublicKey SEQUENCE')
  if (seq.end !== limit) throw new DerError('trailing bytes after the RSA public key')
  const parts = children(bytes, seq)
  if (parts.length !== 2) throw new DerError('an RSAPublicKey has exactly two INTEGERs')
  return { kty: 'RSA', n: encodeBase64url(unsignedInteger(bytes, parts[0]!, 'the modulus')), e: encodeBase64url(unsignedInteger(bytes, parts[1]!, 'the exponent')) }
}

/** RFC 5280 §4.1.2.7 SubjectPublicKeyInfo, inside `tlv`. */
function subjectPublicKeyInfo(bytes: Uint8Array, tlv: Tlv): DerPublicJwk {
  if (tlv.tag !== SEQUENCE) throw new DerError('expected a SubjectPublicKeyInfo SEQUENCE')
  const [algorithm, key, ...rest] = children(bytes, tlv)
  if (!algorithm || !key || rest.length > 0 || algorithm.tag !== SEQUENCE || key.tag !== BIT_STRING) {
    throw new DerError('a SubjectPublicKeyInfo is SEQUENCE { AlgorithmIdentifier, BIT STRING }')
  }
  const [oid, params, ...more] = children(bytes, algorithm)
  if (!oid || oid.tag !== OID || more.length > 0) throw new DerError('malformed AlgorithmIdentifier')
  // The key bits: a BIT STRING with no unused bits.
  if (key.end === key.start || bytes[key.start] !== 0) throw new DerError('the public key BIT STRING has unused bits')
  const keyStart = key.start + 1
  const id = hex(bytes, oid)
  switch (id) {
    case RSA_ENCRYPTION:
      // RFC 3279 §2.3.1: parameters are NULL (some encoders omit them).
      if (params && (params.tag !== NULL || params.end !== params.start)) throw new DerError('rsaEncryption parameters must be NULL')
      return rsaPublicKey(bytes, keyStart, key.end)
    case RSASSA_PSS:
      throw new DerError('RSASSA-PSS-restricted keys (OID 1.2.840.113549.1.1.10) are not supported; export the key as rsaEncryption')
    case EC_PUBLIC_KEY: {
      const curve = params && params.tag === OID ? CURVES[hex(bytes, params)] : undefined
      if (!curve) throw new DerError('unsupported EC curve (P-256, P-384 and P-521 are supported)')
      const length = key.end - keyStart
      if (bytes[keyStart] !== 0x04) throw new DerError('compressed EC points are not supported; export the key uncompressed')
      if (length !== 1 + 2 * curve.size) throw new DerError('EC point of the wrong size for its curve')
      const x = bytes.subarray(keyStart + 1, keyStart + 1 + curve.size)
      const y = bytes.subarray(keyStart + 1 + curve.size, key.end)
      return { kty: 'EC', crv: curve.crv, x: encodeBase64url(x), y: encodeBase64url(y) }
    }
    case ED25519:
      // RFC 8410 §3: the parameters MUST be absent.
      if (params) throw new DerError('Ed25519 keys take no parameters')
      if (key.end - keyStart !== 32) throw new DerError('Ed25519 public key of the wrong size')
      return { kty: 'OKP', crv: 'Ed25519', x: encodeBase64url(bytes.subarray(keyStart, key.end)) }
    default:
      throw new DerError('unsupported public key algorithm (RSA, EC P-256/384/521 and Ed25519 are supported)')
  }
}

/** The JWK of a DER SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`). */
export function spkiToJwk(der: Uint8Array): DerPublicJwk {
  const tlv = readTlv(der, 0, der.length)
  if (tlv.end !== der.length) throw new DerError('trailing bytes after the public key')
  return subjectPublicKeyInfo(der, tlv)
}

/** The JWK of a DER PKCS#1 RSAPublicKey (`-----BEGIN RSA PUBLIC KEY-----`). */
export function pkcs1ToJwk(der: Uint8Array): DerPublicJwk {
  return rsaPublicKey(der, 0, der.length)
}

/**
 * The JWK of the subject public key of a DER X.509 certificate (RFC 5280 §4.1). The
 * certificate's own signature, validity and names are not checked: a certificate here is a
 * container for a key the configuration already trusts (Google's and Firebase's key documents).
 */
export function certificateToJwk(der: Uint8Array): DerPublicJwk {
  const cert = expect(der, 0, der.length, SEQUENCE, 'a Certificate SEQUENCE')
  if (cert.end !== der.length) throw new DerError('trailing bytes after the certificate')
  const [tbs, signatureAlgorithm, signature, ...rest] = children(der, cert)
  if (!tbs || !signatureAlgorithm || !signature || rest.length > 0 || tbs.tag !== SEQUENCE) {
    throw new DerError('a Certificate is SEQUENCE { TBSCertificate, AlgorithmIdentifier, BIT STRING }')
  }
  const fields = children(der, tbs)
  // TBSCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
  const first = fields[0]?.tag === VERSION ? 1 : 0
  const spki = fields[first + 5]
  if (!spki) throw new DerError('the certificate has no subjectPublicKeyInfo')
  return subjectPublicKeyInfo(der, spki)
}
