/**
 * @module
 * PEM forms of test keys, as IdPs publish them: a self-signed X.509 certificate per key (the
 * `{ kid: certificate }` documents of Google and Firebase) and a bare SPKI public key (AWS
 * ALB's per-`kid` key files). The certificate is DER written by hand (RFC 5280 §4.1) and
 * signed with `node:crypto`; `node:crypto`'s `X509Certificate` reads and verifies it in the tests.
 */
import { createHash, createPrivateKey, createPublicKey, sign, type JsonWebKey } from 'node:crypto'
import { ConfigError } from '../errors/config-error.js'
import type { TestSigningKey } from './keys.js'

const tlv = (tag: number, ...contents: Buffer[]): Buffer => {
  const body = Buffer.concat(contents)
  const n = body.length
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff]) : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff])
  return Buffer.concat([Buffer.from([tag]), length, body])
}
const seq = (...contents: Buffer[]): Buffer => tlv(0x30, ...contents)
const oid = (hex: string): Buffer => tlv(0x06, Buffer.from(hex, 'hex'))
const NULL = Buffer.from([0x05, 0x00])

/** A UTCTime (years before 2050), RFC 5280 §4.1.2.5.1. */
function utcTime(date: Date): Buffer {
  const iso = date.toISOString() // 2026-01-01T00:00:00.000Z
  const text = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`
  return tlv(0x17, Buffer.from(text, 'ascii'))
}

function name(commonName: string): Buffer {
  // Name ::= SEQUENCE OF SET OF { id-at-commonName (2.5.4.3), UTF8String }
  return seq(tlv(0x31, seq(oid('550403'), tlv(0x0c, Buffer.from(commonName, 'utf8')))))
}

/** The certificate signature algorithm for a key, and the hash `node:crypto` signs with. */
function signatureAlgorithm(jwk: JsonWebKey): { readonly id: Buffer; readonly hash: string | null } {
  if (jwk.kty === 'RSA') return { id: seq(oid('2a864886f70d01010b'), NULL), hash: 'sha256' } // sha256WithRSAEncryption
  if (jwk.kty === 'EC') {
    const byCurve: Record<string, [string, string]> = { 'P-256': ['2a8648ce3d040302', 'sha256'], 'P-384': ['2a8648ce3d040303', 'sha384'], 'P-521': ['2a8648ce3d040304', 'sha512'] }
    const [id, hash] = byCurve[jwk.crv ?? ''] ?? []
    if (id && hash) return { id: seq(oid(id)), hash } // ecdsa-with-SHA*
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return { id: seq(oid('2b6570')), hash: null } // id-Ed25519
  throw new ConfigError('testing', 'key', `no certificate for a ${String(jwk.kty)} key`)
}

const pem = (label: string, der: Buffer): string => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`

function publicJwkOf(key: TestSigningKey): JsonWebKey {
  if (!key.publicJwk) throw new ConfigError('testing', 'key', `${key.alg} has no public key to publish (HMAC keys are shared secrets)`)
  const { alg: _alg, use: _use, kid: _kid, key_ops: _ops, ...jwk } = key.publicJwk as JsonWebKey & { key_ops?: unknown }
  return jwk
}

/**
 * The key's public half as a PEM SPKI (`-----BEGIN PUBLIC KEY-----`), what AWS ALB serves per `kid`.
 *
 * Import from `tokengate/testing`.
 *
 * @example
 * const key = await deriveSigningKey('ES256')
 * createVerifier({ issuer, audience, publicKey: publicKeyPem(key) })
 */
export function publicKeyPem(key: TestSigningKey): string {
  return createPublicKey({ key: publicJwkOf(key), format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string
}

/** Options of `certificatePem`. */
export interface CertificateOptions {
  /** Subject and issuer common name. Default `'tokengate test key'`. */
  readonly commonName?: string
  /** Start of validity. Default 2020-01-01. */
  readonly notBefore?: Date
  /** End of validity (before 2050). Default 2049-12-31. */
  readonly notAfter?: Date
}

/**
 * A self-signed X.509 certificate (PEM) for the key, as Google and Firebase publish their
 * keys (`{ kid: certificate }`). RSA keys sign it with SHA-256, EC keys with their curve's
 * hash, Ed25519 keys with Ed25519.
 *
 * Import from `tokengate/testing`.
 *
 * @example
 * const key = await deriveSigningKey('RS256')
 * const document = { [key.kid!]: await certificatePem(key) } // what x509Uri serves
 */
export async function certificatePem(key: TestSigningKey, options: CertificateOptions = {}): Promise<string> {
  const jwk = publicJwkOf(key)
  if (!(key.signingKey instanceof CryptoKey) || !key.signingKey.extractable) {
    throw new ConfigError('testing', 'key', 'a certificate needs an extractable private CryptoKey (keys from deriveSigningKey and generateSigningKey are)')
  }
  const privateJwk = (await crypto.subtle.exportKey('jwk', key.signingKey)) as JsonWebKey
  const { alg: _alg, key_ops: _ops, ext: _ext, ...privateKey } = privateJwk as JsonWebKey & { key_ops?: unknown; ext?: unknown }
  const spki = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' })
  const algorithm = signatureAlgorithm(jwk)
  // A positive, deterministic serial number (RFC 5280 §4.1.2.2: at most 20 octets).
  const serial = createHash('sha256').update(spki).digest().subarray(0, 16)
  serial[0]! &= 0x7f
  const commonName = options.commonName ?? 'tokengate test key'
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // version v3
    tlv(0x02, serial),
    algorithm.id,
    name(commonName),
    seq(utcTime(options.notBefore ?? new Date('2020-01-01T00:00:00Z')), utcTime(options.notAfter ?? new Date('2049-12-31T23:59:59Z'))),
    name(commonName),
    spki,
  )
  const signature = sign(algorithm.hash, tbs, createPrivateKey({ key: privateKey, format: 'jwk' }))
  return pem('CERTIFICATE', seq(tbs, algorithm.id, tlv(0x03, Buffer.from([0]), signature)))
}
