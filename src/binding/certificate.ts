/**
 * @module
 * RFC 8705 §3.1 certificate-bound access tokens: `cnf["x5t#S256"]` is the base64url SHA-256
 * of the DER client certificate. The certificate comes from the adapter (the TLS socket, or
 * a trusted proxy header) as PEM or DER; only its bytes are hashed, nothing is parsed.
 */
import type { SignatureBackend } from '../signature/signature-backend.js'
import { sha256Base64url } from './digest.js'

/** A client certificate as an adapter hands it over: PEM (possibly URL-encoded, as proxies forward it), or DER bytes. */
export type ClientCertificate = string | Uint8Array

const PEM = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/

/**
 * The DER bytes of a certificate: the first certificate of a PEM (the leaf of a chain), a
 * URL-encoded PEM (nginx `$ssl_client_escaped_cert`, AWS ALB), bare base64 DER, or DER bytes.
 * `undefined` when the value is none of these.
 */
export function certificateDer(certificate: ClientCertificate): Uint8Array | undefined {
  if (certificate instanceof Uint8Array) return certificate.length > 0 ? certificate : undefined
  let text = certificate.trim()
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text)
    } catch {
      return undefined
    }
  }
  const pem = PEM.exec(text)
  const base64 = (pem ? pem[1]! : text).replace(/\s+/g, '')
  if (base64 === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined
  try {
    const binary = atob(base64)
    const der = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) der[i] = binary.charCodeAt(i)
    return der
  } catch {
    return undefined
  }
}

/** RFC 8705 §3.1: `x5t#S256` of a certificate, or `undefined` when it cannot be read. */
export function certificateThumbprint(backend: SignatureBackend, certificate: ClientCertificate): string | Promise<string> | undefined {
  const der = certificateDer(certificate)
  return der === undefined ? undefined : sha256Base64url(backend, der)
}
