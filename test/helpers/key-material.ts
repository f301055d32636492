/**
 * Key material of every kind a user might paste where a shared secret belongs, with the kind
 * tokengate must name: shared by the secret tests of the verifier, the issuer, the CLI and
 * the test kit.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'

/** A self-signed P-256 test certificate (public material only). */
export const TEST_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBiDCCAS+gAwIBAgIUQ7WDQmEj4zytIV/ay/Uut4sE1W0wCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOdG9rZW5nYXRlIHRlc3QwIBcNMjYxMjAxMjIyNTM0WhgPMjEy
NjExMDcyMjI1MzRaMBkxFzAVBgNVBAMMDnRva2VuZ2F0ZSB0ZXN0MFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEFKfDFh7QeVS7Boeir2kDctnKAAN4M2Yl3ld1SdDL
7MW9oUmamSsGipYMlgU/MGCEd1mzv+nknapvpN+sFNu7N6NTMFEwHQYDVR0OBBYE
FFMJYaWnmI+s6g8PXEEDcKvB6jt7MB8GA1UdIwQYMBaAFFMJYaWnmI+s6g8PXEED
cKvB6jt7MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgUpNHgIWH
/trCqcY6J6ucCcAZ42s3yJH3CSKxQB4IJ+gCIBoN2WsmbHaEmW8Fs56i1PThlo1/
ihD7S29Q92ieZeaJ
-----END CERTIFICATE-----
`

const utf8 = new TextEncoder()
export const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const ed = generateKeyPairSync('ed25519')
export const spki = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string
const body = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('')

/** Every shape of non-secret key material a user might paste into `secret`, with its expected kind. */
export function keyMaterialCases(): [string, unknown, RegExp][] {
  const jwk = rsa.publicKey.export({ format: 'jwk' })
  const derSpki = rsa.publicKey.export({ type: 'spki', format: 'der' })
  return [
    ['SPKI PEM (RSA)', spki, /PEM public key \(SPKI\)/],
    ['SPKI PEM (EC)', ec.publicKey.export({ type: 'spki', format: 'pem' }), /PEM public key \(SPKI\)/],
    ['SPKI PEM (Ed25519)', ed.publicKey.export({ type: 'spki', format: 'pem' }), /PEM public key \(SPKI\)/],
    ['PKCS#1 PEM', rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }), /PKCS#1/],
    ['PKCS#8 PEM', ec.privateKey.export({ type: 'pkcs8', format: 'pem' }), /PKCS#8/],
    ['SEC1 PEM', ec.privateKey.export({ type: 'sec1', format: 'pem' }), /SEC1/],
    ['X.509 certificate', TEST_CERTIFICATE, /X\.509 certificate/],
    ['PEM after a newline (CVE-2023-48223 shape)', `\n${spki}`, /PEM public key/],
    ['PEM with CRLF line ends', spki.replace(/\n/g, '\r\n'), /PEM public key/],
    ['PEM with escaped newlines (an env var)', spki.replace(/\n/g, '\\n'), /PEM public key/],
    ['another PEM block', '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----', /PEM block/],
    ['PEM body without BEGIN/END (Keycloak "public key")', body(spki), /base64 DER/],
    ['PEM body of a certificate', body(TEST_CERTIFICATE), /base64 DER/],
    ['hex DER', derSpki.toString('hex'), /hex DER/],
    ['JWK JSON', JSON.stringify(jwk), /JWK \(kty "RSA"\)/],
    ['JWK JSON, pretty-printed', `\n${JSON.stringify(jwk, null, 2)}`, /JWK/],
    ['JWK Set JSON', JSON.stringify({ keys: [jwk] }), /JWK Set/],
    ['a list of JWKs as JSON', JSON.stringify([jwk]), /list of JWKs/],
    ['oct JWK JSON', JSON.stringify({ kty: 'oct', k: randomBytes(32).toString('base64url') }), /"oct" JWK/],
    ['truncated JWK JSON', JSON.stringify(jwk).slice(0, -3), /JWK JSON/],
    ['OpenSSH public key', `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${randomBytes(24).toString('base64')} me@host`, /OpenSSH/],
    ['PEM bytes', utf8.encode(spki), /UTF-8 bytes of a PEM public key/],
    ['JWK bytes', utf8.encode(JSON.stringify(jwk)), /UTF-8 bytes of a JWK/],
    ['DER SPKI bytes', new Uint8Array(derSpki), /DER key/],
    ['DER certificate bytes', new Uint8Array(Buffer.from(body(TEST_CERTIFICATE), 'base64')), /DER key or certificate/],
    ['DER PKCS#8 bytes (Ed25519)', new Uint8Array(ed.privateKey.export({ type: 'pkcs8', format: 'der' })), /DER key/],
    ['JWK object', jwk, /JWK \(kty "RSA"\)/],
    ['JWK Set object', { keys: [jwk] }, /JWK Set/],
    ['KeyObject', rsa.publicKey, /public key object/],
    ['secret KeyObject', { type: 'secret', export: () => randomBytes(32) }, /secret key object/],
  ]
}

