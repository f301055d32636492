/**
 * @module
 * RFC 7638 JWK thumbprints with SHA-256: the `jkt` of RFC 9449 §6.1 (`cnf.jkt`).
 */
import type { PublicJwk } from '../keys/verification-key.js'
import type { SignatureBackend } from '../signature/signature-backend.js'
import { sha256Base64url } from './digest.js'

/** RFC 7638 §3.2: the required members of each key type, in lexicographic order. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
}

/**
 * The canonical JSON a thumbprint hashes (RFC 7638 §3): the required members only, sorted,
 * no whitespace. The members of a loaded `PublicJwk` are base64url or registered names, so
 * `JSON.stringify` writes them as RFC 7638 §3.3 requires.
 */
export function thumbprintInput(jwk: PublicJwk): string {
  const members = REQUIRED[jwk.kty]
  if (members === undefined) throw new TypeError(`No RFC 7638 thumbprint for kty ${jwk.kty}`)
  return `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(',')}}`
}

/** The base64url SHA-256 thumbprint of a public key (RFC 7638), e.g. the `jkt` of a DPoP key. */
export function jwkThumbprint(backend: SignatureBackend, jwk: PublicJwk): string | Promise<string> {
  return sha256Base64url(backend, thumbprintInput(jwk))
}
