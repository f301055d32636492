/**
 * A self-made certificate authority for the mutual-TLS tests: X.509 v3 certificates
 * (RFC 5280) DER-encoded here and signed with node:crypto (ECDSA P-256, SHA-256). No
 * network, no openssl binary. Only what TLS needs: names, validity, the public key, and
 * basicConstraints / keyUsage / extKeyUsage / subjectAltName.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'

// --- DER (X.690) -------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}
const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content)
  return Buffer.concat([Buffer.from([tag]), length(body.length), body])
}
const sequence = (...items: Buffer[]) => tlv(0x30, ...items)
const set = (...items: Buffer[]) => tlv(0x31, ...items)
const integer = (bytes: Buffer) => tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes)
const bitString = (bytes: Buffer) => tlv(0x03, Buffer.from([0]), bytes)
const octetString = (bytes: Buffer) => tlv(0x04, bytes)
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'))
const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]))
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content)

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number)
  const out = [a! * 40 + b!]
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f]
    for (let v = n >>> 7; v > 0; v >>>= 7) chunk.unshift(0x80 | (v & 0x7f))
    out.push(...chunk)
  }
  return tlv(0x06, Buffer.from(out))
}

/** UTCTime, YYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.1: dates through 2049). */
function utcTime(date: Date): Buffer {
  const s = date.toISOString().replace(/[-:T]/g, '').slice(2, 14)
  return tlv(0x17, Buffer.from(`${s}Z`, 'ascii'))
}

const name = (cn: string) => sequence(set(sequence(oid('2.5.4.3'), utf8(cn))))
const ECDSA_SHA256 = sequence(oid('1.2.840.10045.4.3.2'))

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [bool(true)] : []), octetString(value))
}

// --- certificates ------------------------------------------------------------------------

/** A key pair and its certificate, PEM and DER. */
export interface Issued {
  readonly key: KeyObject
  readonly keyPem: string
  readonly der: Buffer
  readonly pem: string
  /** RFC 8705 `x5t#S256`: base64url SHA-256 of the DER. */
  readonly x5t: string
}

interface CertificateSpec {
  readonly subject: string
  readonly issuer: { readonly name: string; readonly key: KeyObject } | undefined
  readonly ca: boolean
  /** extKeyUsage: server or client authentication. */
  readonly usage?: 'server' | 'client'
  /** subjectAltName iPAddress entries (IPv4). */
  readonly ips?: readonly string[]
}

function issue(spec: CertificateSpec): Issued {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const now = Date.now()
  const extensions = [
    extension('2.5.29.19', true, sequence(...(spec.ca ? [bool(true)] : []))),
    // keyUsage: keyCertSign + cRLSign for the CA, digitalSignature for leaves.
    extension('2.5.29.15', true, spec.ca ? tlv(0x03, Buffer.from([1, 0x06])) : tlv(0x03, Buffer.from([7, 0x80]))),
    ...(spec.usage ? [extension('2.5.29.37', false, sequence(oid(spec.usage === 'server' ? '1.3.6.1.5.5.7.3.1' : '1.3.6.1.5.5.7.3.2')))] : []),
    ...(spec.ips?.length ? [extension('2.5.29.17', false, sequence(...spec.ips.map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number))))))] : []),
  ]
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    ECDSA_SHA256,
    name(spec.issuer?.name ?? spec.subject),
    sequence(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 24 * 3600_000))),
    name(spec.subject),
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  )
  const signature = sign('sha256', tbs, spec.issuer?.key ?? privateKey)
  const der = sequence(tbs, ECDSA_SHA256, bitString(signature))
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`
  return { key: privateKey, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, der, pem, x5t: createHash('sha256').update(der).digest('base64url') }
}

/** A CA, a server certificate for 127.0.0.1 and two client certificates it signed. */
export function testPki(): { ca: Issued; server: Issued; client: Issued; otherClient: Issued } {
  const ca = issue({ subject: 'tokengate test CA', issuer: undefined, ca: true })
  const by = { name: 'tokengate test CA', key: ca.key }
  return {
    ca,
    server: issue({ subject: '127.0.0.1', issuer: by, ca: false, usage: 'server', ips: ['127.0.0.1'] }),
    client: issue({ subject: 'client-1', issuer: by, ca: false, usage: 'client' }),
    otherClient: issue({ subject: 'client-2', issuer: by, ca: false, usage: 'client' }),
  }
}
