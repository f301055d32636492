/**
 * @module
 * PEM (RFC 7468) public keys and certificates to JWKs: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY`
 * (PKCS#1) and `CERTIFICATE`, through the DER reader. Private keys are refused by label,
 * before their contents are read, and no message ever quotes the text.
 */
import { certificateToJwk, DerError, pkcs1ToJwk, spkiToJwk, type DerPublicJwk } from './der.js'

/** Why a PEM string is not a usable public key (a configuration or key-document mistake). */
export class PemError extends Error {
  override readonly name = 'PemError' as const
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Largest PEM text read: RSA-16384 certificates stay far below it. */
export const MAX_PEM_CHARS = 65_536

/** The DER bytes of a base64 body (RFC 7468 §3: whitespace and line breaks allowed). */
function base64Bytes(body: string): Uint8Array {
  const text = body.replace(/[\s]+/g, '')
  if (text === '' || text.length % 4 !== 0 || !BASE64.test(text)) throw new PemError('the PEM body is not base64')
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** The one PEM block of a string: its label and DER contents. */
export function readPem(pem: string): { readonly label: string; readonly der: Uint8Array } {
  if (pem.length > MAX_PEM_CHARS) throw new PemError(`longer than ${MAX_PEM_CHARS} characters`)
  const blocks = [...pem.matchAll(PEM_BLOCK)]
  if (blocks.length === 0) throw new PemError('not a PEM string (-----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)')
  if (blocks.length > 1) throw new PemError('more than one PEM block; give one key (use `jwks` for several)')
  const [whole, label, body] = blocks[0]! as unknown as [string, string, string]
  if (pem.replace(whole, '').trim() !== '') throw new PemError('text outside the PEM block')
  if (label.includes('PRIVATE')) throw new PemError('a private key: give the public key (SPKI "PUBLIC KEY", "RSA PUBLIC KEY" or a "CERTIFICATE")')
  return { label, der: base64Bytes(body) }
}

/** The public JWK of a PEM public key or certificate; throws a `PemError` saying what is wrong. */
export function pemToJwk(pem: string): DerPublicJwk {
  const { label, der } = readPem(pem)
  try {
    switch (label) {
      case 'PUBLIC KEY':
        return spkiToJwk(der)
      case 'RSA PUBLIC KEY':
        return pkcs1ToJwk(der)
      case 'CERTIFICATE':
        return certificateToJwk(der)
      default:
        throw new PemError(`unsupported PEM label "${label}" (PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE)`)
    }
  } catch (err) {
    if (err instanceof DerError) throw new PemError(`${label}: ${err.message}`, { cause: err })
    throw err
  }
}
