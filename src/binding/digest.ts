/**
 * @module
 * SHA-256 through the signature backend (synchronous on Node), WebCrypto otherwise, as
 * base64url: DPoP `ath` (RFC 9449 §4.2), JWK thumbprints (RFC 7638) and certificate
 * thumbprints (RFC 8705 §3.1).
 */
import { encodeBase64url } from '../lib/base64url.js'
import type { SignatureBackend } from '../signature/signature-backend.js'

const utf8 = new TextEncoder()

async function subtleSha256(data: string | Uint8Array): Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? utf8.encode(data) : data
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
}

/** base64url(SHA-256(data)), synchronous when the backend hashes synchronously. */
export function sha256Base64url(backend: SignatureBackend, data: string | Uint8Array): string | Promise<string> {
  const digest = (backend.sha256 ?? subtleSha256)(data)
  return digest instanceof Uint8Array ? encodeBase64url(digest) : digest.then(encodeBase64url)
}

/**
 * Compares two strings in time that depends only on their lengths: for values an attacker
 * probes byte by byte (nonces).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
