/**
 * @module
 * Turning a good token into a bad one: the transformations behind the kit's corrupt and
 * forged tokens, each chosen so a correct validator fails it at exactly one step.
 */
import { ConfigError } from '../errors/config-error.js'
import { exportSPKI, importJWK, type CryptoKey, type JWK } from 'jose'
import { decodeBase64url, encodeBase64url } from '../lib/base64url.js'
import type { TestSigningKey } from './keys.js'
import { encodeSegment, signUnchecked } from './tokens.js'

function segments(token: string): [string, string, string] {
  const parts = token.split('.')
  if (parts.length !== 3) throw new ConfigError('testing', 'token', 'expected a compact JWS with three segments')
  return parts as [string, string, string]
}

/**
 * Flips the lowest bit of the signature's last byte and re-encodes it canonically, so the
 * token still parses and only the signature check fails. (The last byte keeps an RSA
 * signature below the modulus; for ECDSA and EdDSA it changes `s`.)
 */
export function flipSignatureBit(token: string): string {
  const [header, payload, signature] = segments(token)
  const bytes = decodeBase64url(signature)
  if (!bytes || bytes.length === 0) throw new ConfigError('testing', 'token', 'the token has no signature to corrupt')
  bytes[bytes.length - 1]! ^= 0x01
  return `${header}.${payload}.${encodeBase64url(bytes)}`
}

/** The header and the first half of the payload, with no signature segment: two segments, never a JWS. */
export function truncateToken(token: string): string {
  const [header, payload] = segments(token)
  return `${header}.${payload.slice(0, Math.ceil(payload.length / 2))}`
}

/** Replaces the JOSE header with base64url of JSON cut short (no closing brace). */
export function breakHeader(token: string, header: Record<string, unknown>): string {
  const [, payload, signature] = segments(token)
  return `${encodeSegment(JSON.stringify(header).slice(0, -1))}.${payload}.${signature}`
}

const pems = new WeakMap<TestSigningKey, Promise<string>>()

/** The SubjectPublicKeyInfo PEM of an asymmetric key: the text a confused verifier would use as an HMAC secret. */
export function publicKeyPem(key: TestSigningKey): Promise<string> {
  const jwk = key.publicJwk
  if (!jwk) return Promise.reject(new ConfigError('testing', 'key', `${key.alg} has no public key to confuse an HMAC with`))
  let pem = pems.get(key)
  if (!pem) {
    pem = importJWK(jwk as JWK, key.alg, { extractable: true }).then((k) => exportSPKI(k as CryptoKey))
    pems.set(key, pem)
  }
  return pem
}

/**
 * The algorithm-confusion token (CVE-2015-9235 class): HS256 keyed with the public key's PEM
 * and naming the public key's `kid`. A validator that lets the token pick the algorithm
 * accepts it; a correct one rejects the algorithm.
 */
export async function signWithPublicKeyAsSecret(key: TestSigningKey, payload: Record<string, unknown>, header: Record<string, unknown>): Promise<string> {
  const secret = new TextEncoder().encode(await publicKeyPem(key))
  const confused: TestSigningKey = { alg: 'HS256', kid: key.kid, signingKey: secret, publicJwk: undefined, secret }
  return signUnchecked(confused, payload, header)
}
